"""Screenshots of the real app during calls: talking, hold, two calls, transferring,
held. Keys go to the handset widget; SIPp callers reach the app through Kamailio."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.integration.calls_util import caller, requests, uac
from tests.sipnet import Kamailio
from ui.app import DeskPhoneApp

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def shows(app: DeskPhoneApp, name: str, check: Callable[[object], bool] | None = None) -> bool:
    model = app.window.handset.screen_model()
    return bool(model.name == name and (check is None or check(model)))


def test_screens_talking_hold_two_calls_transferring(
    qtbot: QtBot, tmp_path: Path, app: DeskPhoneApp, kam: Kamailio, screens_dir: Path
) -> None:
    handset = app.window.handset
    first = caller(tmp_path, kam.domain, service="alice", pai_name="Bob", pai_user="2001")
    first.start()
    qtbot.waitUntil(lambda: shows(app, "incoming"), timeout=10000)
    qtbot.keyClick(handset, Qt.Key.Key_F1)  # Answer
    qtbot.waitUntil(lambda: shows(app, "talking"), timeout=5000)
    model = handset.screen_model()
    assert model.title == "Talking" and model.lines[0] == "Bob"
    app.window.grab().save(str(screens_dir / "calls-talking.png"))

    qtbot.keyClick(handset, Qt.Key.Key_F2)  # Hold
    qtbot.waitUntil(lambda: shows(app, "hold"), timeout=5000)
    assert handset.screen_model().softkeys == ["Transfer", "Resume", "New Call", "End Call"]
    assert handset.led("L1") == ("green", "slow")
    qtbot.waitUntil(lambda: len(requests(first, "INVITE")) == 1, timeout=5000)
    app.window.grab().save(str(screens_dir / "calls-hold.png"))

    second = caller(tmp_path, kam.domain, service="alice", pai_name="Carol", pai_user="2002")
    second.start()
    qtbot.waitUntil(lambda: shows(app, "incoming"), timeout=10000)
    app.window.grab().save(str(screens_dir / "calls-waiting.png"))
    qtbot.keyClick(handset, Qt.Key.Key_F1)  # Answer the waiting call
    qtbot.waitUntil(lambda: shows(app, "talking", lambda m: m.call_index == "2/2"), timeout=5000)
    model = handset.screen_model()
    assert model.lines[0] == "Carol" and model.softkeys[1] == "Hold"  # no Swap
    assert any("Bob" in item and "Hold" in item for item in model.items)
    app.window.grab().save(str(screens_dir / "calls-two-calls.png"))

    qtbot.keyClick(handset, Qt.Key.Key_F1)  # Transfer Carol: hold her, dial the target
    qtbot.waitUntil(lambda: shows(app, "dialing"), timeout=5000)
    qtbot.waitUntil(lambda: len(requests(second, "INVITE")) == 1, timeout=5000)
    qtbot.keyClicks(handset, "2005")
    qtbot.keyClick(handset, Qt.Key.Key_F1)  # B Transfer
    qtbot.waitUntil(lambda: handset.screen_model().detail == "Transferring", timeout=5000)
    app.window.grab().save(str(screens_dir / "calls-transferring.png"))
    assert second.wait(15) == 0
    refer = requests(second, "REFER")
    assert refer and f"sip:2005@{kam.domain}" in refer[0]
    qtbot.waitUntil(lambda: shows(app, "hold"), timeout=5000)  # Bob is still on hold
    qtbot.keyClick(handset, Qt.Key.Key_F4)  # End Call
    assert first.wait(15) == 0


def test_screen_held_by_the_peer(
    qtbot: QtBot, tmp_path: Path, app: DeskPhoneApp, kam: Kamailio, screens_dir: Path
) -> None:
    handset = app.window.handset
    peer = uac(
        tmp_path, "calls/uac-holds-callee.xml", kam.domain, service="alice", timeout=30
    ).start()
    qtbot.waitUntil(lambda: shows(app, "incoming"), timeout=10000)
    qtbot.keyClick(handset, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: shows(app, "held"), timeout=8000)
    assert handset.screen_model().title == "Held"
    app.window.grab().save(str(screens_dir / "calls-held.png"))
    qtbot.waitUntil(lambda: shows(app, "talking"), timeout=8000)
    assert peer.wait(15) == 0
