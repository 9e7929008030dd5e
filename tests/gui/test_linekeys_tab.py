"""The settings dialog's "Line Keys" tab driven like a user with pytest-qt: configured keys and
an imported unknown type shown, a key made a Speed Dial, one a Voice Mail key, a too long
value shown in red and nothing saved, then the keys applied. Screenshot: linekeys-tab.png in
the screens directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from app.phone.settings import AccountSettings, LineKeySettings, Settings
from ui.settings.dialog import SettingsDialog
from ui.settings.linekeys_tab import LineKeysTab

pytestmark = pytest.mark.gui


def combo(tab: LineKeysTab, row: int, col: int) -> QComboBox:
    widget = tab.table.cellWidget(row, col)
    assert isinstance(widget, QComboBox)
    return widget


def set_cell(tab: LineKeysTab, row: int, col: int, text: str) -> None:
    item = tab.table.item(row, col)
    assert item is not None
    item.setText(text)  # as a finished cell edit: itemChanged


def test_line_keys_tab(qtbot: QtBot, screens_dir: Path) -> None:
    settings = Settings(
        accounts=[AccountSettings(user="alice", server="127.0.0.1")],
        line_keys={
            2: LineKeySettings(16, 1, "1005", "Bob", "*8"),
            3: LineKeySettings(39, 1, "list"),  # BLF List: imported, not supported
        },
    )
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    applied: list[Settings] = []
    dialog.applied.connect(applied.append)
    dialog.resize(1000, 900)
    dialog.show()
    qtbot.waitExposed(dialog)
    tab = dialog.tab("Line Keys")
    assert isinstance(tab, LineKeysTab)
    assert combo(tab, 0, 0).currentText() == "Default"
    assert (combo(tab, 1, 0).currentText(), combo(tab, 1, 0).currentData()) == ("BLF", 16)
    assert combo(tab, 2, 0).currentText() == "Unknown (39)"
    combo(tab, 3, 0).setCurrentIndex(combo(tab, 3, 0).findText("Speed Dial"))
    set_cell(tab, 3, 2, "5551234")
    set_cell(tab, 3, 3, "x" * 100)  # a label of 100 characters: refused
    assert "line_keys.4.label" in tab.errors()
    assert "at most 99 characters" in tab.other_errors.text()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert applied == []  # nothing saved while a value is wrong
    set_cell(tab, 3, 3, "Taxi")
    combo(tab, 4, 0).setCurrentIndex(combo(tab, 4, 0).findText("Voice Mail"))
    assert tab.errors() == {}
    dialog.grab().save(str(screens_dir / "linekeys-tab.png"))
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert len(applied) == 1
    keys = applied[0].line_keys
    assert keys[2] == LineKeySettings(16, 1, "1005", "Bob", "*8")
    assert keys[3] == LineKeySettings(39, 1, "list")  # kept as it was
    assert keys[4] == LineKeySettings(13, 1, "5551234", "Taxi")
    assert keys[5] == LineKeySettings(12, 1)  # Voice Mail: the account's number
    assert 1 not in keys  # "Default": not configured
