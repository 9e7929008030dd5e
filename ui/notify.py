"""Desktop notifications for incoming and missed calls, with Answer / Reject, and for new voice
mail (closed again when the account's count drops to 0).

The freedesktop notification service (org.freedesktop.Notifications on the session bus) is
used when one runs; it is spoken to with jeepney (already installed with keyring) because the
spec's signature needs unsigned and typed dict arguments that QtDBus from Python cannot express
reliably. A reader thread turns its ActionInvoked signals into a queued Qt signal. Where no
service answers, a small always-on-top Qt popup does the same job. ui/app.py wires the
notifier's Answer / Reject to the engine.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.phone.model import CallState, Direction

log = logging.getLogger("deskphone.notify")

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
MISSED_SHOWN_MS = 15000


class Backend(Protocol):
    name: str

    def show(self, summary: str, body: str, actions: bool) -> object: ...
    def close(self, handle: object) -> None: ...


class DbusBackend:
    name = "dbus"

    def __init__(self, on_action: Any) -> None:
        from jeepney import DBusAddress, HeaderFields, MatchRule, new_method_call
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self._new_call = new_method_call
        self._member = HeaderFields.member
        self._addr = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)
        self._conn = open_dbus_connection(bus="SESSION")
        caps = self._conn.send_and_get_reply(
            new_method_call(self._addr, "GetCapabilities"), timeout=2
        )
        if caps.header.message_type.name == "error":
            self._conn.close()
            raise OSError(f"no notification service: {caps.body}")
        self.actions = "actions" in caps.body[0]
        self._signals = open_dbus_connection(bus="SESSION")
        rule = MatchRule(type="signal", interface=BUS_NAME, path=OBJECT_PATH)
        self._signals.send_and_get_reply(message_bus.AddMatch(rule), timeout=2)
        self._on_action = on_action
        threading.Thread(target=self._read, name="notifications", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                msg = self._signals.receive()
            except Exception:  # the bus went away: notifications just stop
                return
            if msg.header.fields.get(self._member) == "ActionInvoked":
                self._on_action(int(msg.body[0]), str(msg.body[1]))

    def show(self, summary: str, body: str, actions: bool) -> object:
        acts = ["answer", "Answer", "reject", "Reject"] if actions and self.actions else []
        hints = {"urgency": ("y", 2 if actions else 1), "desktop-entry": ("s", "deskphone")}
        call = self._new_call(
            self._addr,
            "Notify",
            "susssasa{sv}i",
            ("DeskPhone", 0, "deskphone", summary, body, acts, hints, 0 if actions else -1),
        )
        reply = self._conn.send_and_get_reply(call, timeout=2)
        return int(reply.body[0])

    def close(self, handle: object) -> None:
        assert isinstance(handle, int)
        with contextlib.suppress(Exception):
            self._conn.send_and_get_reply(
                self._new_call(self._addr, "CloseNotification", "u", (handle,)), timeout=2
            )


class Popup(QWidget):
    """The fallback: a frameless box in the screen's bottom-right corner."""

    def __init__(self, summary: str, body: str, on_action: Any, actions: bool) -> None:
        flags = Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
        super().__init__(None, flags | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("notification")
        self.setStyleSheet("#notification { background: #262b33; } QLabel { color: white; }")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{summary}</b>", self)
        self.body = QLabel(body, self)
        layout.addWidget(title)
        layout.addWidget(self.body)
        self.buttons: dict[str, QPushButton] = {}
        if actions:
            row = QHBoxLayout()
            for key, text in (("answer", "Answer"), ("reject", "Reject")):
                button = QPushButton(text, self)
                button.clicked.connect(lambda _c=False, k=key: on_action(k))
                row.addWidget(button)
                self.buttons[key] = button
            layout.addLayout(row)
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.right() - self.width() - 16, area.bottom() - self.height() - 16)


class QtBackend:
    name = "qt"
    actions = True

    def __init__(self, on_action: Any) -> None:
        self._on_action = on_action
        self._next = 1
        self.popups: dict[int, Popup] = {}

    def show(self, summary: str, body: str, actions: bool) -> object:
        handle, self._next = self._next, self._next + 1
        popup = Popup(summary, body, lambda key: self._on_action(handle, key), actions)
        self.popups[handle] = popup
        popup.show()
        if not actions:
            QTimer.singleShot(MISSED_SHOWN_MS, lambda: self.close(handle))
        return handle

    def close(self, handle: object) -> None:
        popup = self.popups.pop(handle, None)  # type: ignore[call-overload]
        if popup is not None:
            popup.close()
            popup.deleteLater()


class CallNotifier(QObject):
    answer = Signal(str)  # call id
    reject = Signal(str)
    _action = Signal(int, str)  # from the D-Bus reader thread, queued to the GUI thread

    def __init__(self, backend: str = "auto", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._action.connect(self._on_action)
        self.backend: DbusBackend | QtBackend
        if backend in ("auto", "dbus"):
            try:
                self.backend = DbusBackend(self._action.emit)
            except Exception as exc:
                if backend == "dbus":
                    raise
                log.info("notifications: no D-Bus service (%s): using popups", exc)
                self.backend = QtBackend(self._action.emit)
        else:
            self.backend = QtBackend(self._action.emit)
        self._ringing: dict[str, tuple[object, str]] = {}  # call id -> (handle, caller)
        self._voice_mail: dict[int, object] = {}  # account -> its "New Voice Mail" notification
        self.shown: list[tuple[str, str]] = []  # (summary, body) of every notification

    def on_event(self, msg: dict[str, Any]) -> None:
        ev = msg.get("ev")
        if ev == "call":
            call_id, state = str(msg["id"]), msg.get("state")
            incoming = msg.get("direction") == Direction.INCOMING
            if incoming and state == CallState.CALLIN and call_id not in self._ringing:
                caller = caller_text(msg)
                handle = self.backend.show("Incoming call", caller, actions=True)
                self.shown.append(("Incoming call", caller))
                self._ringing[call_id] = (handle, caller)
            elif call_id in self._ringing and state != CallState.CALLIN:
                missed = state in (CallState.FINISHED, CallState.FAILED) and not msg.get("answered")
                self._stop_ringing(call_id, missed)
        elif ev == "call_removed" and str(msg.get("id")) in self._ringing:
            self._stop_ringing(str(msg["id"]), missed=True)
        elif ev == "voice_mail":
            self._on_voice_mail(msg)

    def _on_voice_mail(self, msg: dict[str, Any]) -> None:
        """The engine says `notify` when new voice mail arrived on an account whose count is
        shown, with pop-ups on; the notification goes once nothing new waits there."""
        account = int(msg.get("account", 0))
        if msg.get("notify"):
            old = self._voice_mail.pop(account, None)
            if old is not None:
                self.backend.close(old)
            body = voice_mail_text(msg)
            self._voice_mail[account] = self.backend.show("New Voice Mail", body, actions=False)
            self.shown.append(("New Voice Mail", body))
        elif not msg.get("waiting") and account in self._voice_mail:
            self.backend.close(self._voice_mail.pop(account))

    def _stop_ringing(self, call_id: str, missed: bool) -> None:
        handle, caller = self._ringing.pop(call_id)
        self.backend.close(handle)
        if missed:
            self.backend.show("Missed call", caller, actions=False)
            self.shown.append(("Missed call", caller))

    def _on_action(self, handle: int, key: str) -> None:
        for call_id, (h, _) in list(self._ringing.items()):
            if h == handle:
                (self.answer if key == "answer" else self.reject).emit(call_id)
                if isinstance(self.backend, QtBackend):
                    self.backend.close(handle)


def caller_text(call: dict[str, Any]) -> str:
    uri = str(call.get("remote_uri", "")).strip("<>")
    number = uri.removeprefix("sips:").removeprefix("sip:").split(";", 1)[0]
    name = str(call.get("remote_name", "")).strip('" ')
    return f"{name}\n{number}" if name and name != number else number


def voice_mail_text(box: dict[str, Any]) -> str:
    """'Line 1: 2 new, 8 old' (the count unknown: 'Line 1: new voice mail')."""
    label = str(box.get("label") or f"Account {box.get('account')}")[:64]
    new = box.get("new")
    if new is None:
        return f"{label}: new voice mail"
    return f"{label}: {int(new)} new, {int(box.get('old') or 0)} old"
