"""The settings dialog's "Remote control" tab, driven like a user with pytest-qt."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.phone.settings import RemoteSettings, Settings
from app.store.validate import validate_settings
from ui.settings.dialog import SettingsDialog
from ui.settings.remote_tab import RemoteTab

pytestmark = pytest.mark.gui


def opened(qtbot: QtBot, settings: Settings) -> tuple[SettingsDialog, RemoteTab, list[Settings]]:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    emitted: list[Settings] = []
    dialog.applied.connect(emitted.append)
    tab = dialog.tab("Remote control")
    assert isinstance(tab, RemoteTab)
    dialog.tab_widget.setCurrentWidget(tab)
    dialog.resize(640, 760)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, tab, emitted


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)  # type: ignore[no-untyped-call]


def click_box(qtbot: QtBot, box: QCheckBox) -> None:
    pos = QPoint(8, box.height() // 2)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=pos)  # type: ignore[no-untyped-call]


def test_edit_validate_and_apply(qtbot: QtBot, screens_dir: Path) -> None:
    start = Settings(
        remote=RemoteSettings(action_urls={"incoming_call": "http://crm.local/in?n=$remote"})
    )
    dialog, tab, emitted = opened(qtbot, start)
    assert not tab.enabled.isChecked() and not tab.port.edit.isEnabled()
    assert tab.port.edit.text() == "8765" and tab.allow.edit.text() == "127.0.0.1"
    assert tab.url_of("incoming_call") == "http://crm.local/in?n=$remote"

    click_box(qtbot, tab.enabled)
    assert tab.enabled.isChecked() and tab.port.edit.isEnabled()
    type_into(qtbot, tab.port.edit, "70000")
    type_into(qtbot, tab.allow.edit, "127.0.0.1, 300.1.*.*")
    tab.set_url("call_established", "crm.local/up")
    assert tab.port.error.isVisible() and "1 to 65535" in tab.port.error.text()
    assert tab.allow.error.isVisible() and "300.1.*.*" in tab.allow.error.text()
    assert tab.url_errors.isVisible()
    assert "call_established: not an http:// or https:// URL" in tab.url_errors.text()
    assert set(tab.errors()) == {
        "remote.action_uri_port",
        "remote.action_uri_allow",
        "remote.action_urls.call_established",
    }
    qtbot.wait(50)
    dialog.grab().save(str(screens_dir / "settings-remote-errors.png"))
    assert not dialog.apply() and emitted == []

    type_into(qtbot, tab.port.edit, "9876")
    type_into(qtbot, tab.allow.edit, "127.0.0.1, 198.51.100.*")
    tab.set_url("call_established", "http://crm.local/up?id=$call_id")
    type_into(qtbot, tab.user, "crm")
    type_into(qtbot, tab.password, "s3cret")
    assert tab.prompt.isChecked()  # "Allow remote control?" is on by default, as on a Yealink
    assert tab.errors() == {} and not tab.url_errors.isVisible()
    qtbot.wait(50)
    dialog.grab().save(str(screens_dir / "settings-remote-valid.png"))
    assert dialog.apply()
    remote = emitted[-1].remote
    assert remote == RemoteSettings(
        action_uri_enabled=True,
        action_uri_port=9876,
        action_uri_bind_any=False,
        action_uri_allow=["127.0.0.1", "198.51.100.*"],
        action_uri_user="crm",
        action_uri_password="s3cret",
        action_uri_prompt=True,
        action_urls={
            "incoming_call": "http://crm.local/in?n=$remote",
            "call_established": "http://crm.local/up?id=$call_id",
        },
    )
    assert validate_settings(emitted[-1]) == {}  # what the tab accepts, the store accepts

    # Clearing a URL removes the event.
    tab.set_url("incoming_call", "")
    assert dialog.apply()
    assert emitted[-1].remote.action_urls == {"call_established": "http://crm.local/up?id=$call_id"}
