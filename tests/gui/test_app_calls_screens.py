"""Screenshots of the real app during calls (issue 4): talking, hold, two calls, transferring,
held. Keys go to the handset widget; SIPp callers reach the app through Kamailio."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.engine_harness import write_account
from tests.integration.calls_util import caller, requests
from tests.sipnet import HOST, Kamailio, Sipp, free_port, kamailio
from ui.app import DeskPhoneApp, UiOptions

pytestmark = [pytest.mark.gui, pytest.mark.sip]


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[Kamailio]:
    with kamailio(tmp_path / "kam") as k:
        yield k


@pytest.fixture
def app(qtbot: QtBot, config_dir: Path, kam: Kamailio) -> Iterator[DeskPhoneApp]:
    write_account(config_dir, "alice", HOST, kam.port, label="Alice")
    options = UiOptions(
        config_dir=config_dir, control_path=config_dir / "ui.sock", sip_port=0, bind=HOST
    )
    phone = DeskPhoneApp(options)
    qtbot.addWidget(phone.window)
    phone.start()
    try:
        qtbot.waitUntil(lambda: phone.window.registration_text() == "Registered", timeout=10000)
        yield phone
    finally:
        phone.shutdown()


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
    assert model.lines[0] == "Carol" and model.softkeys[1] == "Swap"
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
    peer = Sipp(
        "calls/uac-holds-callee.xml",
        free_port(),
        tmp_path / "sipp",
        target=kam.domain,
        service="alice",
        timeout=30,
    ).start()
    qtbot.waitUntil(lambda: shows(app, "incoming"), timeout=10000)
    qtbot.keyClick(handset, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: shows(app, "held"), timeout=8000)
    assert handset.screen_model().title == "Held"
    app.window.grab().save(str(screens_dir / "calls-held.png"))
    qtbot.waitUntil(lambda: shows(app, "talking"), timeout=8000)
    assert peer.wait(15) == 0
