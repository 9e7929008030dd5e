"""Keyboard, mouse, paste and the help overlay of the handset window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.phone.messages import Dial
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui


def test_keyboard_dials_and_reaches_call_screen(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.widget.setFocus()
    h.qtbot.keyClicks(h.widget, "1002")
    assert h.screen.name == "dialing" and h.screen.input == "1002"
    h.qtbot.keyClick(h.widget, Qt.Key.Key_Backspace)
    h.qtbot.keyClick(h.widget, Qt.Key.Key_3)
    h.qtbot.keyClick(h.widget, Qt.Key.Key_Return)
    assert Dial("1003") in h.phone.intents
    assert (h.screen.name, h.screen.title) == ("calling", "Connecting...")
    h.shot(screens_dir, "27_keyboard_dialed")
    h.qtbot.keyClick(h.widget, Qt.Key.Key_Escape)
    assert h.screen.name == "idle"


def test_mouse_dials_and_reaches_call_screen(harness: Harness, screens_dir: Path) -> None:
    h = harness
    for key in ("1", "0", "0", "2"):
        h.click(key)
    assert h.screen.input == "1002"
    h.click("OK")
    assert Dial("1002") in h.phone.intents
    assert h.screen.name == "calling"
    h.shot(screens_dir, "27_mouse_dialed")
    h.click("F4")  # End Call soft key under the display
    assert h.screen.name == "idle"
    h.click("F1")
    assert h.screen.name == "history"
    h.click("X")
    assert h.screen.name == "idle"


def test_nav_ring_hit_testing(harness: Harness) -> None:
    seen: list[str] = []
    harness.widget.keyPressed.connect(seen.append)
    for key in ("UP", "DOWN", "LEFT", "RIGHT", "OK", "L3", "L8", "MUTE", "VOL-"):
        harness.click(key)
    assert seen == ["UP", "DOWN", "LEFT", "RIGHT", "OK", "L3", "L8", "MUTE", "VOL-"]


def test_typed_and_pasted_uri(harness: Harness) -> None:
    h = harness
    h.widget.setFocus()
    h.qtbot.keyClicks(h.widget, "bob@127.0.0.1")
    assert h.screen.input == "bob@127.0.0.1"
    h.qtbot.keyClick(h.widget, Qt.Key.Key_Escape)
    QGuiApplication.clipboard().setText("sip:alice@127.0.0.1:5070")
    h.qtbot.keyClick(h.widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert h.screen.input == "sip:alice@127.0.0.1:5070"
    h.qtbot.keyClick(h.widget, Qt.Key.Key_Return)
    assert Dial("sip:alice@127.0.0.1:5070") in h.phone.intents


def test_shortcuts_emit_phone_keys(qtbot: QtBot, harness: Harness) -> None:
    seen: list[str] = []
    w = harness.widget
    w.keyPressed.connect(seen.append)
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(w, Qt.Key.Key_H, ctrl)
    qtbot.keyClick(w, Qt.Key.Key_M, ctrl)
    qtbot.keyClick(w, Qt.Key.Key_T, ctrl)
    qtbot.keyClick(w, Qt.Key.Key_R, ctrl)
    qtbot.keyClick(w, Qt.Key.Key_E, ctrl)
    qtbot.keyClick(w, Qt.Key.Key_2, ctrl)
    for key in (Qt.Key.Key_F1, Qt.Key.Key_F4, Qt.Key.Key_Up, Qt.Key.Key_End):
        qtbot.keyClick(w, key)
    qtbot.keyClick(w, Qt.Key.Key_Asterisk)
    qtbot.keyClick(w, Qt.Key.Key_NumberSign)
    assert seen[:10] == [
        "HOLD",
        "MUTE",
        "TRAN",
        "REDIAL",
        "CALLEND",
        "L2",
        "F1",
        "F4",
        "UP",
        "CALLEND",
    ]
    assert seen[10] == "*"


def test_help_overlay(harness: Harness, screens_dir: Path) -> None:
    h = harness
    seen: list[str] = []
    h.widget.keyPressed.connect(seen.append)
    before = h.widget.grab().toImage()
    h.qtbot.keyClick(h.widget, Qt.Key.Key_F12)
    assert h.widget.help_visible()
    assert h.widget.grab().toImage() != before
    h.shot(screens_dir, "28_help")
    h.qtbot.keyClick(h.widget, Qt.Key.Key_Escape)
    assert not h.widget.help_visible() and seen == []
    h.qtbot.keyClicks(h.widget, "?")
    assert h.widget.help_visible()
