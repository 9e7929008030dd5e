"""The UI process: the window, the engine it supervises, and a clean exit.

This is where the window's parts are wired to each other: the tray, the notifications and
the settings dialog only emit signals and take what they need, never the app itself.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import signal
import socket
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.cli import UiOptions
from app.client.supervisor import EngineConfig
from app.phone.handset.screens import HISTORY
from app.phone.model import RegState
from app.store.settings_file import SettingsFile
from ui.bridge import EngineBridge
from ui.main_window import MainWindow
from ui.notify import CallNotifier
from ui.settings_host import SettingsHost
from ui.startup_probe import StartupProbe
from ui.tray import PhoneTray
from ui.window_actions import CALL_FLOW, SETTINGS, SHORTCUTS, GearButton, add_actions, help_rows
from ui.window_memory import WindowMemory

if TYPE_CHECKING:
    from ui.callflow.window import CallFlowWindow

__all__ = ["DeskPhoneApp", "UiOptions", "run"]

log = logging.getLogger("deskphone.ui")


def engine_config(options: UiOptions) -> EngineConfig:
    return EngineConfig(
        config_dir=options.config_dir,
        control_path=options.control_path,
        sip_port=options.sip_port,
        bind=options.bind,
        log_level=options.log_level,
        test_hooks=options.test_hooks,
    )


class DeskPhoneApp:
    """Wires the window to the engine; owned by `run()` or by a test."""

    def __init__(self, options: UiOptions) -> None:
        self.options = options
        self.window = MainWindow()
        early = options.engine  # started before Qt loaded (app/cli.py): adopted, not restarted
        self.bridge = EngineBridge(
            early.config if early else engine_config(options),
            first=early.proc if early else None,
        )
        self.bridge.engine_event.connect(self._on_event)
        self.bridge.status.connect(self.window.on_status)
        self.window.intent.connect(self._on_intent)
        self._pending_dial = options.dial
        self.idle_reached = False
        self.exit_code: int | None = None
        self.store = SettingsFile(options.config_dir)  # this process's one settings writer
        self.settings = SettingsHost(self.store, self.window)
        self.settings.saved.connect(lambda: self.bridge.send("reload_settings"))
        # Open "Allow remote control?" boxes by the engine's key (an address, or one request of
        # a web browser).
        self.prompts: dict[str, QMessageBox] = {}
        self.call_flows: CallFlowWindow | None = None
        self.actions = add_actions(
            self.window,
            {
                SETTINGS.name: self.settings.open,
                CALL_FLOW.name: self.open_call_flow,
                SHORTCUTS.name: lambda: self.window.handset.show_help(True),
            },
        )
        self.settings_action = self.actions[SETTINGS.name]
        handset = self.window.handset
        handset.extra_help = help_rows()
        self.gear = GearButton(self.window, handset, handset.body_rect)
        self.probe = StartupProbe(handset, self._probe_report) if options.startup_probe else None

    def open_call_flow(self) -> CallFlowWindow:
        """The Call Flow window on the History entry the handset has selected, else on the
        current call (the newest flow) or the last one."""
        if self.call_flows is None:
            from ui.callflow.window import CallFlowWindow  # 8 MB: loaded when first opened

            self.call_flows = CallFlowWindow(self.options.config_dir, self.window)
        window = self.call_flows
        screen = self.window.handset.screen_model()
        if screen.name == HISTORY and 0 <= screen.selected < len(screen.rows):
            window.show_history_entry(screen.rows[screen.selected])
        else:
            window.show_last()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def start(self) -> None:
        self.window.show()
        self.bridge.start()

    def shutdown(self) -> int | None:
        """Hang up any call, stop the engine, and report its exit code."""
        if self.exit_code is None:
            self.exit_code = self.bridge.stop()
            log.info("engine stopped: %s", self.exit_code)
        return self.exit_code

    def open_uri(self, target: str) -> None:
        """A link handed over by a later launch: dial it now, or once the phone is idle."""
        self.raise_window()
        if self.idle_reached:
            self.bridge.send("dial", target=target)
        else:
            self._pending_dial = target

    def raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_intent(self, op: str, data: dict[str, Any]) -> None:
        self.bridge.send(op, **data)

    def _on_event(self, msg: dict[str, Any]) -> None:
        self.window.on_event(msg)
        ev = msg.get("ev")
        if self.probe is not None and ev == "screen":
            self.probe.check()
        if ev == "open_settings":
            self.settings.open(str(msg.get("section", "")))
        elif ev == "hello" and msg.get("settings_warning"):
            log.warning("engine settings warning: %s", msg["settings_warning"])
        if ev in ("snapshot", "account"):
            self._maybe_idle()
        elif ev == "remote_screencapture":
            png = base64.b64encode(self.window.display_png()).decode("ascii")
            self.bridge.send("remote_screen", id=msg.get("id"), png=png)
        elif ev == "call_flow" and self.call_flows is not None:
            self.call_flows.on_flow_event(msg)
        elif ev == "remote_prompt":
            ip = str(msg.get("ip", ""))
            self._ask_remote(str(msg.get("key") or ip), str(msg.get("who") or ip))
        elif ev == "remote_prompt_closed":
            box = self.prompts.pop(str(msg.get("key", "")), None)
            if box is not None:  # the request stopped waiting: the question is moot
                box.done(0)

    def _ask_remote(self, key: str, who: str) -> None:
        """Action URI's "Allow remote control?"; open(), not exec(): the window keeps going.

        `key` is what the engine remembers the answer under (an address, or one request of a
        web browser); `who` is the text shown for it."""
        if key in self.prompts:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "DeskPhone",
            f"Allow remote control?\n\n{who[:80]} wants to control this phone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.window,
        )
        box.setObjectName("remote_prompt")

        def done(result: int) -> None:
            clicked = box.clickedButton()
            yes = QMessageBox.StandardButton.Yes
            allowed = clicked is not None and box.standardButton(clicked) == yes
            if self.prompts.pop(key, None) is not None:
                self.bridge.send("remote_prompt_answer", key=key, allowed=allowed)
            box.deleteLater()

        box.finished.connect(done)
        self.prompts[key] = box
        box.open()

    def _probe_report(self, words: str) -> None:
        print(f"IDLE {words}", flush=True)
        QTimer.singleShot(0, self.window.close)

    def _maybe_idle(self) -> None:
        states = {a["state"] for a in self.window.state.accounts.values()}
        settled = states and not states & {RegState.REGISTERING}
        if not settled:
            return
        if not self.idle_reached:
            self.idle_reached = True
            log.info("idle screen reached (%s)", self.window.registration_text())
            if self.probe is not None:
                self.probe.settled(self.window.registration_text())
        if self._pending_dial:
            target, self._pending_dial = self._pending_dial, ""
            self.bridge.send("dial", target=target)


def _install_signal_handlers(app: QApplication) -> QSocketNotifier:
    """SIGTERM/SIGINT close the window the normal way (hang up, stop the engine, exit 0).

    Python runs signal handlers only between bytecodes, which a sleeping Qt loop never does:
    the wakeup fd makes the Qt loop itself wake on a signal, without a polling timer.
    """
    rsock, wsock = socket.socketpair()
    rsock.setblocking(False)
    wsock.setblocking(False)
    signal.set_wakeup_fd(wsock.fileno())
    notifier = QSocketNotifier(rsock.fileno(), QSocketNotifier.Type.Read)

    def on_wakeup() -> None:
        with contextlib.suppress(OSError):
            rsock.recv(64)

    notifier.activated.connect(on_wakeup)
    notifier.setProperty("sockets", (rsock, wsock))  # keep both alive with the notifier

    def on_signal(signum: int, frame: Any) -> None:
        log.info("signal %d: quitting", signum)
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.quitting = True  # a signal quits even when closing only hides
            widget.close()
        app.quit()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return notifier


def attach_tray(phone: DeskPhoneApp) -> PhoneTray:
    """Tray icon for a running phone: follows registration, shows / quits the window."""
    tray = PhoneTray(phone.store, phone.window)
    tray.show_requested.connect(phone.raise_window)
    tray.quit_requested.connect(phone.window.quit)
    tray.settings_changed.connect(lambda: phone.bridge.send("reload_settings"))
    phone.bridge.engine_event.connect(
        lambda msg: tray.set_registered(phone.window.state.is_registered())
    )
    phone.bridge.engine_event.connect(
        lambda msg: tray.set_voice_mail(phone.window.state.new_voice_mail())
    )
    tray.show()
    return tray


def attach_notifier(phone: DeskPhoneApp, backend: str = "auto") -> CallNotifier:
    """Incoming / missed call and new voice mail notifications; Answer and Reject go to the
    engine."""
    notifier = CallNotifier(backend, phone.window)
    phone.bridge.engine_event.connect(notifier.on_event)
    notifier.answer.connect(lambda cid: phone.bridge.send("answer", call=cid))
    notifier.reject.connect(lambda cid: phone.bridge.send("hangup", call=cid))
    return notifier


def run(options: UiOptions) -> int:
    qt_app = QApplication.instance() or QApplication(["deskphone"])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("DeskPhone")
    phone = DeskPhoneApp(options)
    phone.window.closing.connect(phone.shutdown)
    notifier = _install_signal_handlers(qt_app)
    server = None
    if options.instance is not None:
        from app.desktop.instance_server import InstanceServer

        server = InstanceServer(options.instance)
        server.open_uri.connect(phone.open_uri)
        server.show_requested.connect(phone.raise_window)
        server.listen()
    tray = attach_tray(phone)
    memory = WindowMemory(options.config_dir, phone.window)
    desktop = (tray, attach_notifier(phone), memory)  # kept alive for the whole run
    memory.restore()
    phone.window.hide_on_close = lambda: memory.close_to_tray.isChecked() and tray.icon.isVisible()
    phone.window.closing.connect(memory.save)
    phone.start()
    qt_app.exec()
    phone.shutdown()
    if server is not None:
        server.close()
    del notifier, desktop
    return 0
