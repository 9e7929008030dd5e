"""Tray icon and call notifications under Xvfb (Qt popup fallback and a stand-in D-Bus service)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from app.phone.settings import ForwardRule
from app.store.settings import load_settings, save_settings
from app.store.settings_file import SettingsFile
from ui.notify import CallNotifier, QtBackend, caller_text
from ui.tray import GREEN, GREY, RED, PhoneTray, TrayLook, draw_icon

pytestmark = pytest.mark.gui


def _call(state: str, answered: float = 0.0, call_id: str = "7") -> dict[str, Any]:
    return {
        "ev": "call",
        "id": call_id,
        "account": 1,
        "direction": "in",
        "remote_uri": "sip:bob@127.0.0.1:5099",
        "remote_name": "Bob",
        "state": state,
        "answered": answered,
    }


def _pixel(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name()


def test_icon_shows_registration_dnd_and_forward(qtbot: QtBot) -> None:
    plain = draw_icon(TrayLook(False, False, False)).toImage()
    reg = draw_icon(TrayLook(True, True, True)).toImage()
    n = plain.width()
    corner = n - 12  # the status dot sits in the bottom-right corner
    assert _pixel(plain, corner, corner) == GREY and _pixel(reg, corner, corner) == GREEN
    assert _pixel(reg, 6, 8) == RED.lower()  # DND badge, top left (left of its white bar)
    assert _pixel(plain, 6, 8) != RED.lower()
    assert plain != reg
    assert TrayLook(True, True, False).tooltip == "DeskPhone: Registered, DND"


def test_tray_menu_toggles_settings(qtbot: QtBot, config_dir: Path, screens_dir: Path) -> None:
    tray = PhoneTray(SettingsFile(config_dir))
    changed: list[int] = []
    tray.settings_changed.connect(lambda: changed.append(1))
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show", "DND", "Forward always", "Quit"]
    assert not tray.forward_action.isEnabled()  # no Always Forward target yet

    tray.dnd_action.trigger()
    assert load_settings(config_dir).settings.dnd.enabled and changed == [1]
    assert tray.look.dnd and "DND" in tray.icon.toolTip()

    settings = load_settings(config_dir).settings
    settings.forward.phone.always = ForwardRule(enabled=False, target="2000")
    save_settings(config_dir, settings)
    tray.refresh()
    assert tray.forward_action.isEnabled()
    tray.forward_action.trigger()
    assert load_settings(config_dir).settings.forward.phone.always.enabled
    tray.set_registered(True)
    assert tray.look == TrayLook(True, True, True)

    tray.dnd_action.trigger()
    assert not load_settings(config_dir).settings.dnd.enabled

    shown: list[int] = []
    tray.show_requested.connect(lambda: shown.append(1))
    tray.show_action.trigger()
    assert shown == [1]

    # Screenshot: the menu as it pops up next to the three icon looks.
    tray.menu.popup(tray.menu.pos())
    qtbot.waitUntil(tray.menu.isVisible, timeout=2000)
    menu = tray.menu.grab().toImage()
    sheet = QImage(menu.width() + 3 * 72 + 8, max(menu.height(), 72), QImage.Format.Format_RGB32)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    for i, look in enumerate(
        (TrayLook(False, False, False), TrayLook(True, False, False), TrayLook(True, True, True))
    ):
        painter.drawPixmap(i * 72 + 4, 4, draw_icon(look))
    painter.drawImage(3 * 72 + 8, 0, menu)
    painter.end()
    assert sheet.save(str(screens_dir / "tray-menu.png"))
    tray.menu.hide()


def test_caller_text() -> None:
    assert caller_text(_call("CallIn")) == "Bob\nbob@127.0.0.1:5099"
    assert caller_text({"remote_uri": "<sip:200@pbx>"}) == "200@pbx"


def test_popup_answer_and_missed(qtbot: QtBot, screens_dir: Path) -> None:
    notifier = CallNotifier("qt")
    backend = notifier.backend
    assert isinstance(backend, QtBackend)
    answered: list[str] = []
    notifier.answer.connect(answered.append)
    notifier.on_event(_call("CallIn"))
    notifier.on_event(_call("CallIn"))  # repeated state events do not pile up popups
    assert len(backend.popups) == 1
    popup = next(iter(backend.popups.values()))
    qtbot.waitExposed(popup)
    assert "Bob" in popup.body.text()
    popup.grab().save(str(screens_dir / "notification-popup.png"))
    popup.buttons["answer"].click()
    assert answered == ["7"]
    notifier.on_event(_call("Talking", answered=12.0))
    assert notifier.shown == [("Incoming call", "Bob\nbob@127.0.0.1:5099")]

    rejected: list[str] = []
    notifier.reject.connect(rejected.append)
    notifier.on_event(_call("CallIn", call_id="8"))
    next(iter(backend.popups.values())).buttons["reject"].click()
    assert rejected == ["8"]
    notifier.on_event(_call("CallIn", call_id="9"))
    notifier.on_event({"ev": "call_removed", "id": "9"})
    assert notifier.shown[-1][0] == "Missed call"
    assert [p.buttons for p in backend.popups.values()] == [{}]  # the missed one: no buttons


# ---- the freedesktop service, played by a stand-in on a private session bus ---------------


@contextlib.contextmanager
def session_bus(tmp_path: Path) -> Iterator[str]:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    proc = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    try:
        yield address
    finally:
        proc.terminate()
        proc.wait(5)


class StandInService:
    """Owns org.freedesktop.Notifications, records Notify calls, can invoke an action."""

    def __init__(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return, new_signal
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.h, self.mt, self.ret, self.sig = (
            HeaderFields,
            MessageType,
            new_method_return,
            (new_signal),
        )
        self.conn = open_dbus_connection(bus="SESSION")
        self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"))
        self.notified: list[tuple[Any, ...]] = []
        self.closed: list[int] = []
        self.got = threading.Condition()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                msg = self.conn.receive()
            except Exception:
                return
            if msg.header.message_type != self.mt.method_call:
                continue
            member = msg.header.fields.get(self.h.member)
            if member == "GetCapabilities":
                self.conn.send(self.ret(msg, "as", (["actions", "body"],)))
            elif member == "Notify":
                with self.got:
                    self.notified.append(msg.body)
                    self.got.notify_all()
                self.conn.send(self.ret(msg, "u", (len(self.notified),)))
            elif member == "CloseNotification":
                self.closed.append(int(msg.body[0]))
                self.conn.send(self.ret(msg, "", ()))

    def invoke(self, nid: int, key: str) -> None:
        from jeepney import DBusAddress

        addr = DBusAddress(
            "/org/freedesktop/Notifications", interface="org.freedesktop.Notifications"
        )
        self.conn.send(self.sig(addr, "ActionInvoked", "us", (nid, key)))


def test_dbus_notification_with_actions(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_bus(tmp_path) as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        service = StandInService()
        notifier = CallNotifier("dbus")
        assert notifier.backend.name == "dbus"
        answered: list[str] = []
        notifier.answer.connect(answered.append)
        notifier.on_event(_call("CallIn"))
        app_name, _, icon, summary, body, actions, hints, _ = service.notified[0]
        assert (app_name, summary, icon) == ("DeskPhone", "Incoming call", "deskphone")
        assert "Bob" in body and actions == ["answer", "Answer", "reject", "Reject"]
        assert hints["urgency"] == ("y", 2)
        service.invoke(1, "answer")
        qtbot.waitUntil(lambda: answered == ["7"], timeout=3000)
        notifier.on_event(_call("Finished", call_id="7"))  # not answered on the engine side
        assert service.closed == [1]
        assert service.notified[-1][3] == "Missed call" and service.notified[-1][5] == []
