"""First start with no account: the display says how to add one (Yealink's "No Service" stays
in the status bar) and its Accounts soft key opens the settings on the Accounts tab."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.sipnet import HOST
from ui.app import DeskPhoneApp, UiOptions

pytestmark = pytest.mark.gui


def test_first_start_shows_how_to_add_an_account(
    qtbot: QtBot, config_dir: Path, screens_dir: Path
) -> None:
    app = DeskPhoneApp(
        UiOptions(config_dir=config_dir, control_path=config_dir / "ui.sock", sip_port=0, bind=HOST)
    )
    qtbot.addWidget(app.window)
    app.start()
    handset = app.window.handset
    try:
        qtbot.waitUntil(lambda: handset.screen_model().softkeys[2] == "Accounts", timeout=15000)
        screen = handset.screen_model()
        assert screen.name == "idle" and screen.status.registration == "No Service"
        assert screen.note == "No account yet: press Accounts to add one"
        assert screen.softkeys == ["History", "Directory", "Accounts", "Menu"]
        handset.set_blinking(False)
        app.window.grab().save(str(screens_dir / "first-start-no-account.png"))
        qtbot.keyClick(handset, Qt.Key.Key_F3)  # the Accounts soft key
        qtbot.waitUntil(lambda: app.settings.dialog is not None, timeout=5000)
        dialog = app.settings.dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        assert dialog.tab_widget.tabText(dialog.tab_widget.currentIndex()) == "Accounts"
        dialog.grab().save(str(screens_dir / "first-start-accounts-tab.png"))
        dialog.close()
    finally:
        app.shutdown()
