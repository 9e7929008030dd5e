"""New voice mail on the desktop: the tray icon's badge and tooltip, the notification, the
UI's count of it (from the engine's snapshot and voice_mail events)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from app.store.settings_file import SettingsFile
from ui.notify import CallNotifier, QtBackend, voice_mail_text
from ui.state import UiState
from ui.tray import RED, PhoneTray, TrayLook, draw_icon

pytestmark = pytest.mark.gui


def _box(account: int, new: int | None, old: int = 0, **extra: Any) -> dict[str, Any]:
    waiting = new is None or new > 0
    return {"ev": "voice_mail", "account": account, "label": f"Line {account}", "new": new,
            "old": old, "waiting": waiting, "shown": True, "notify": False, **extra}  # fmt: skip


def test_ui_counts_new_voice_mail_of_shown_accounts() -> None:
    state = UiState()
    state.apply({"ev": "snapshot", "accounts": [], "calls": [], "voice_mail": [_box(1, 2, 8)]})
    assert state.new_voice_mail() == 2
    state.apply(_box(2, 3, 1))
    state.apply(_box(3, 9, shown=False))  # display off: not counted
    assert state.new_voice_mail() == 5
    state.apply(_box(2, None))
    assert state.new_voice_mail() == -1  # waiting, count unknown
    state.apply(_box(1, 0, 10))
    state.apply(_box(2, 0, 4))
    assert state.new_voice_mail() == 0


def test_tray_badge_and_tooltip(qtbot: QtBot, config_dir: Path, screens_dir: Path) -> None:
    plain = draw_icon(TrayLook(True, False, False)).toImage()
    mail = draw_icon(TrayLook(True, False, False, 3)).toImage()
    n = plain.width()
    r = n * 0.17
    # the badge's red ring at the bottom left (left of the white envelope)
    x, y = int(r * 0.25) + 1, int(n - r - 1)
    assert QColor(mail.pixel(x, y)).name() == RED.lower()
    assert QColor(plain.pixel(x, y)).name() != RED.lower()
    assert TrayLook(True, False, False, 3).tooltip == "DeskPhone: Registered, 3 New Voice Mail"
    assert TrayLook(True, False, False, -1).tooltip == "DeskPhone: Registered, New Voice Mail"

    tray = PhoneTray(SettingsFile(config_dir))
    tray.set_registered(True)
    tray.set_voice_mail(2)
    assert tray.look.voice_mail == 2 and "2 New Voice Mail" in tray.icon.toolTip()
    tray.set_voice_mail(0)
    assert tray.look.voice_mail == 0 and "Voice Mail" not in tray.icon.toolTip()

    sheet = QImage(2 * 72 + 4, 72, QImage.Format.Format_RGB32)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    painter.drawPixmap(4, 4, draw_icon(TrayLook(True, False, False)))
    painter.drawPixmap(72 + 4, 4, draw_icon(TrayLook(True, False, False, 2)))
    painter.end()
    assert sheet.save(str(screens_dir / "voicemail-tray.png"))


def test_notification_on_arrival_closed_at_zero(qtbot: QtBot, screens_dir: Path) -> None:
    notifier = CallNotifier("qt")
    backend = notifier.backend
    assert isinstance(backend, QtBackend)
    notifier.on_event(_box(1, 2, 8))  # counts without `notify` (display off, pop-ups off)
    assert backend.popups == {}
    notifier.on_event(_box(1, 2, 8, notify=True))
    assert notifier.shown == [("New Voice Mail", "Line 1: 2 new, 8 old")]
    (popup,) = backend.popups.values()
    qtbot.waitExposed(popup)
    assert popup.grab().save(str(screens_dir / "voicemail-notification.png"))
    notifier.on_event(_box(1, 3, 8, notify=True))  # more: the notification is replaced
    assert len(backend.popups) == 1 and notifier.shown[-1][1] == "Line 1: 3 new, 8 old"
    notifier.on_event(_box(1, 1, 10))  # fewer: stays
    assert len(backend.popups) == 1
    notifier.on_event(_box(1, 0, 11))  # none left: closed
    assert backend.popups == {}


def test_notification_text() -> None:
    assert voice_mail_text(_box(2, None)) == "Line 2: new voice mail"
    assert voice_mail_text({"account": 4, "new": 1, "old": 0}) == "Account 4: 1 new, 0 old"
