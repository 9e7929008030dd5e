"""The whole product: keys on the faceplate → engine → Kamailio → SIPp, screens back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.conftest import start_alice_app
from tests.sipnet import HOST, Kamailio, Sipp, free_port, start_registered
from ui.app import DeskPhoneApp, UiOptions

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def screen_name(app: DeskPhoneApp) -> str:
    return str(app.window.handset.screen_model().name)


def test_keypad_dials_a_number_and_end_call_hangs_up(
    qtbot: QtBot, tmp_path: Path, config_dir: Path, kam: Kamailio, screens_dir: Path
) -> None:
    callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=40)
    start_registered(kam, "2001", callee)
    app = start_alice_app(qtbot, config_dir, kam)
    try:
        qtbot.waitUntil(lambda: app.window.registration_text() == "Registered", timeout=10000)
        qtbot.waitUntil(lambda: screen_name(app) == "idle", timeout=5000)
        handset = app.window.handset
        qtbot.keyClicks(handset, "2001")
        qtbot.waitUntil(lambda: screen_name(app) == "dialing", timeout=3000)
        qtbot.waitUntil(lambda: handset.screen_model().input == "2001", timeout=3000)
        app.window.grab().save(str(screens_dir / "app-dialing-2001.png"))
        qtbot.keyClick(handset, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: screen_name(app) == "talking", timeout=10000)
        model = handset.screen_model()
        assert model.title == "Talking"
        assert model.softkeys == ["Transfer", "Hold", "Conference", "End Call"]
        assert handset.led("L1") == ("green", "solid")
        app.window.grab().save(str(screens_dir / "app-talking-2001.png"))
        qtbot.keyClick(handset, Qt.Key.Key_F4)  # End Call
        qtbot.waitUntil(lambda: screen_name(app) in ("finished", "idle"), timeout=5000)
        assert callee.wait(15) == 0
        assert "BYE sip:" in callee.messages()
    finally:
        app.shutdown()


def test_idle_screen_shows_the_forward_icon_when_a_forward_is_on(
    qtbot: QtBot, config_dir: Path, screens_dir: Path
) -> None:
    from app.phone.settings import ForwardRule, Settings
    from app.store.settings import save_settings

    settings = Settings()
    settings.forward.phone.always = ForwardRule(True, "sip:voicemail@127.0.0.1")
    save_settings(config_dir, settings)
    app = DeskPhoneApp(
        UiOptions(config_dir=config_dir, control_path=config_dir / "ui.sock", sip_port=0, bind=HOST)
    )
    qtbot.addWidget(app.window)
    app.start()
    try:
        handset = app.window.handset
        qtbot.waitUntil(
            lambda: screen_name(app) == "idle" and "forward" in handset.screen_model().status.icons,
            timeout=10000,
        )
        app.window.grab().save(str(screens_dir / "app-idle-forward-icon.png"))
    finally:
        app.shutdown()
