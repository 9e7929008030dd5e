"""A redirect on screen: the real window follows a 302 (docs/callflows.md §2), history keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.conftest import start_alice_app
from tests.sipnet import Kamailio, Sipp, free_port, start_registered
from ui.app import DeskPhoneApp

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def test_redirect_on_screen_and_in_history(
    qtbot: QtBot, tmp_path: Path, config_dir: Path, kam: Kamailio, screens_dir: Path
) -> None:
    work = tmp_path / "sipp"
    carol = Sipp("uas-180-200-rtp.xml", free_port(), work, timeout=40)
    bob = Sipp(
        "uas-180-302.xml",
        free_port(),
        work,
        timeout=40,
        service="bob",
        keys={"redir_target": f"sip:carol@{kam.domain}"},
    )
    start_registered(kam, "carol", carol)
    start_registered(kam, "bob", bob)
    app = start_alice_app(qtbot, config_dir, kam)
    handset = app.window.handset
    try:
        qtbot.waitUntil(lambda: app.window.registration_text() == "Registered", timeout=10000)
        qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=5000)
        app.bridge.send("text", text=f"sip:bob@{kam.domain}")
        qtbot.keyClick(handset, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "Forward to: carol" in _screen_text(app), timeout=10000)
        app.window.grab().save(str(screens_dir / "app-redirect-forward-to-carol.png"))
        qtbot.waitUntil(lambda: handset.screen_model().name == "talking", timeout=10000)
        app.window.grab().save(str(screens_dir / "app-redirect-talking-to-carol.png"))
        qtbot.keyClick(handset, Qt.Key.Key_F4)  # End Call
        assert carol.wait(15) == 0 and bob.wait(15) == 0
        qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=8000)
        qtbot.keyClick(handset, Qt.Key.Key_F1)  # History
        qtbot.waitUntil(lambda: handset.screen_model().name == "history", timeout=3000)
        items = handset.screen_model().items
        assert items and items[0] == "bob → carol"
        app.window.grab().save(str(screens_dir / "app-redirect-history.png"))
    finally:
        app.shutdown()
    from app.store.history import CallHistory, CallResult

    with CallHistory(config_dir) as history:
        row = history.calls()[0]
    assert row.result == CallResult.REDIRECTED
    assert row.redirect_chain[-1].startswith("sip:carol@")
    assert row.answered is not None


def _screen_text(app: DeskPhoneApp) -> str:
    model = app.window.handset.screen_model()
    return " ".join([model.title, model.detail, *model.lines])
