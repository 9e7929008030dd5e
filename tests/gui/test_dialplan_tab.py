"""The settings dialog's "Dial Plan" tab driven like a user with pytest-qt: rules typed into the
tables, a malformed pattern shown in red and nothing saved, then a valid plan applied.
Screenshots: dialplan-tab-error.png and dialplan-tab.png in the screens directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.phone.settings import (
    AccountSettings,
    AreaCode,
    BlockOutRule,
    DialNowRule,
    DialPlanSettings,
    ReplaceRule,
    Settings,
)
from app.store.yealink_cfg import import_cfg
from ui.settings.dialog import SettingsDialog
from ui.settings.dialplan_tab import DialPlanTab

pytestmark = pytest.mark.gui


def open_dialog(
    qtbot: QtBot, settings: Settings
) -> tuple[SettingsDialog, DialPlanTab, list[Settings]]:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    emitted: list[Settings] = []
    dialog.applied.connect(emitted.append)
    dialog.resize(1100, 760)
    dialog.show()
    qtbot.waitExposed(dialog)
    tab = dialog.tab("Dial Plan")
    assert isinstance(tab, DialPlanTab)
    return dialog, tab, emitted


def cell_editor(tab: DialPlanTab, section: str) -> QLineEdit:
    """The open cell editor of a table (found as a child: the test window may lack focus)."""
    table = tab.table(section)
    QApplication.processEvents()
    found = [e for e in table.findChildren(QLineEdit) if e.isVisible()]
    assert len(found) == 1, f"{len(found)} cell editors open"
    return found[0]


def type_row(qtbot: QtBot, tab: DialPlanTab, section: str, *cells: str) -> None:
    """Add, then type each cell and Tab to the next, as a user does; Enter ends the row."""
    qtbot.mouseClick(tab.tables[section].add, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    for i, text in enumerate(cells):
        editor = cell_editor(tab, section)
        qtbot.keyClicks(editor, text)  # type: ignore[no-untyped-call]
        key = Qt.Key.Key_Tab if i < len(cells) - 1 else Qt.Key.Key_Return
        qtbot.keyClick(editor, key)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: tab.table(section).state() != QAbstractItemView.State.EditingState)


def cell(tab: DialPlanTab, section: str, row: int, col: int) -> str:
    item = tab.table(section).item(row, col)
    return item.text() if item is not None else ""


def test_rules_typed_checked_and_applied(qtbot: QtBot, screens_dir: Path) -> None:
    settings = Settings(
        accounts=[AccountSettings(label="Office", user="alice", server="127.0.0.1")]
    )
    dialog, tab, emitted = open_dialog(qtbot, settings)

    type_row(qtbot, tab, "replace", "001(xxx)45(xx)", "9001$145$2", "")
    type_row(qtbot, tab, "replace", "9([5-7](.)", "5$2", "1")
    assert [cell(tab, "replace", 0, c) for c in range(3)] == ["001(xxx)45(xx)", "9001$145$2", ""]
    errors = tab.errors()
    assert set(errors) == {"dialplan.replace.2.prefix"}
    assert "not closed" in errors["dialplan.replace.2.prefix"]
    shown = tab.tables["replace"].error
    assert shown.isVisible() and "Rule 2, Prefix: a '(' is not closed" in shown.text()
    bad = tab.table("replace").item(1, 0)
    assert bad is not None and bad.background().color().name() == "#ffd6d6"

    type_row(qtbot, tab, "dialnow", "1xxx", "7")  # account 7: there is no such account, allowed
    type_row(qtbot, tab, "block_out", "4321", "0,1")
    delay = tab.findChild(QSpinBox, "dialplan.dialnow_delay")
    assert delay is not None
    delay.setValue(3)
    qtbot.keyClicks(tab.area_code, "011")  # type: ignore[no-untyped-call]
    tab.area_min.setValue(4)
    tab.area_max.setValue(11)

    assert not dialog.apply()  # the malformed pattern: nothing saved
    assert emitted == []
    assert dialog.status.isVisible() and "Nothing saved" in dialog.status.text()
    assert dialog.tab_widget.currentWidget() is tab
    assert dialog.grab().save(str(screens_dir / "dialplan-tab-error.png"))

    qtbot.waitUntil(lambda: tab.table("replace").state() != QAbstractItemView.State.EditingState)
    bad = tab.table("replace").item(1, 0)
    assert bad is not None
    tab.table("replace").editItem(bad)
    editor = cell_editor(tab, "replace")
    editor.selectAll()
    qtbot.keyClicks(editor, "9([5-7])(.)")  # type: ignore[no-untyped-call]
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: cell(tab, "replace", 1, 0) == "9([5-7])(.)")  # Return commits queued
    assert tab.errors() == {}
    assert not shown.isVisible()

    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert len(emitted) == 1
    assert emitted[0].dialplan == DialPlanSettings(
        replace={
            1: ReplaceRule("001(xxx)45(xx)", "9001$145$2"),
            2: ReplaceRule("9([5-7])(.)", "5$2", [1]),
        },
        dialnow={1: DialNowRule("1xxx", [7])},
        block_out={1: BlockOutRule("4321")},  # "0,1": 0 means every account
        area_code=AreaCode("011", 4, 11),
        dialnow_delay=3,
    )
    assert dialog.grab().save(str(screens_dir / "dialplan-tab.png"))


def test_remove_empty_rows_and_bad_accounts(qtbot: QtBot) -> None:
    plan = DialPlanSettings(replace={5: ReplaceRule("1", "104"), 9: ReplaceRule("2", "204")})
    dialog, tab, emitted = open_dialog(qtbot, Settings(dialplan=plan))
    table = tab.table("replace")
    headers = [table.verticalHeaderItem(r) for r in range(table.rowCount())]
    assert [h.text() for h in headers if h is not None] == ["5", "9"]  # Yealink slots kept

    qtbot.mouseClick(tab.tables["replace"].add, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    editor = cell_editor(tab, "replace")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
    assert "dialplan.replace.10.prefix" in tab.errors()  # an empty row must be filled or removed
    assert not dialog.apply()

    table.selectRow(2)
    qtbot.mouseClick(tab.tables["replace"].remove, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert tab.errors() == {}

    tab.area_lines.setFocus()
    qtbot.keyClicks(tab.area_lines, "1;2")  # type: ignore[no-untyped-call]
    assert "dialplan.area_code.line_id" in tab.errors()
    assert tab.area_error.isVisible()
    tab.area_lines.clear()
    qtbot.keyClicks(tab.area_lines, "2")  # type: ignore[no-untyped-call]
    table.selectRow(0)
    qtbot.mouseClick(tab.tables["replace"].remove, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert dialog.apply()
    assert emitted[-1].dialplan.replace == {9: ReplaceRule("2", "204")}
    assert emitted[-1].dialplan.area_code.line_id == [2]


def test_an_imported_cfg_shows_in_the_tab(qtbot: QtBot) -> None:
    imported, report = import_cfg(
        "#!version:1.0.0.1\n"
        "dialplan.replace.prefix.3 = 9([5-7])(.)\n"
        "dialplan.replace.replace.3 = 5$2\n"
        "dialplan.replace.line_id.3 = 2,1\n"
        "phone_setting.dialnow_delay = 0\n"
    )
    dialog, tab, _ = open_dialog(qtbot, Settings())
    dialog.take_imported(imported, report.text())
    assert [cell(tab, "replace", 0, c) for c in range(3)] == ["9([5-7])(.)", "5$2", "1,2"]
    assert tab.delay.value() == 0
    dialog.report_box.close()
