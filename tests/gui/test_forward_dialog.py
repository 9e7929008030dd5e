"""The settings dialog and its Call Forward tab, driven like a user with pytest-qt."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.phone.forward import decide_incoming
from app.phone.settings import AccountSettings, ForwardRule, Settings
from ui.settings.dialog import SettingsDialog
from ui.settings.forward_tab import ForwardTab

pytestmark = pytest.mark.gui


def make_settings() -> Settings:
    settings = Settings(
        accounts=[
            AccountSettings(label="Office", user="bob", server="127.0.0.1"),
            AccountSettings(label="Home", user="bob2", server="127.0.0.1", port=5070),
        ]
    )
    settings.forward.phone.busy = ForwardRule(True, "sip:carol@127.0.0.1:5080", "*90", "*91")
    settings.forward.never_forward = ["112"]
    return settings


class Opened:
    def __init__(self, qtbot: QtBot, settings: Settings) -> None:
        self.qtbot = qtbot
        self.original = copy.deepcopy(settings)
        self.dialog = SettingsDialog(settings)
        qtbot.addWidget(self.dialog)
        self.emitted: list[Settings] = []
        self.dialog.applied.connect(self.emitted.append)
        self.dialog.show()
        qtbot.waitExposed(self.dialog)
        tab = self.dialog.tab("Call Forward")
        assert isinstance(tab, ForwardTab)
        self.tab = tab

    def type_into(self, edit: QLineEdit, text: str) -> None:
        edit.clear()
        self.qtbot.keyClicks(edit, text)  # type: ignore[no-untyped-call]

    def click(self, widget: QWidget) -> None:
        # a check box only reacts on its box and text, not anywhere in its (wide) row
        if isinstance(widget, QCheckBox):
            pos = QPoint(8, widget.height() // 2)
        else:
            pos = widget.rect().center()
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)  # type: ignore[no-untyped-call]

    def shot(self, folder: Path, name: str) -> None:
        self.qtbot.wait(50)  # let the style sheets repaint
        assert self.dialog.grab().save(str(folder / name))


@pytest.fixture
def opened(qtbot: QtBot) -> Opened:
    return Opened(qtbot, make_settings())


def visible_error(opened: Opened, field_name: str) -> str:
    label = opened.dialog.findChild(QLabel, f"{field_name}.error")
    assert label is not None, field_name
    return label.text() if label.isVisibleTo(opened.dialog) else ""


def test_loads_the_current_settings(opened: Opened) -> None:
    busy = opened.tab.boxes["busy"]
    assert busy.enabled.isChecked()
    assert busy.target.edit.text() == "sip:carol@127.0.0.1:5080"
    assert (busy.on_code.edit.text(), busy.off_code.edit.text()) == ("*90", "*91")
    assert opened.tab.boxes["no_answer"].seconds.text() == "2 rings = 12 s"
    assert opened.tab.never_forward.toPlainText() == "112"
    assert opened.tab.international.isChecked()
    assert opened.tab.mode.currentText() == "Phone"
    assert not opened.tab.account.isEnabled()
    assert opened.dialog.errors() == {}
    assert not opened.dialog.apply_button.isEnabled()


def test_enabled_forward_without_target_is_refused(opened: Opened, screens_dir: Path) -> None:
    opened.click(opened.tab.boxes["always"].enabled)
    assert opened.tab.boxes["always"].enabled.isChecked()
    assert "Enter the number" in visible_error(opened, "forward.always.target")
    opened.click(opened.dialog.ok_button)
    assert opened.dialog.isVisible()
    assert opened.emitted == []
    assert opened.dialog.status.isVisibleTo(opened.dialog)
    assert "Nothing saved" in opened.dialog.status.text()
    opened.type_into(opened.tab.boxes["always"].target.edit, "3603")
    assert visible_error(opened, "forward.always.target") == ""
    assert not opened.dialog.status.isVisibleTo(opened.dialog)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("call me", "Not a number or SIP URI"),
        ("sip:carol@", "Not a number or SIP URI"),
        ("1" * 33, "At most 32 characters"),
    ],
)
def test_bad_targets_are_shown(opened: Opened, target: str, message: str) -> None:
    opened.type_into(opened.tab.boxes["busy"].target.edit, target)
    assert visible_error(opened, "forward.busy.target") == message
    assert opened.dialog.errors() == {"forward.phone.busy.target": message}
    opened.click(opened.dialog.apply_button)
    assert opened.emitted == []


@pytest.mark.parametrize("rings", ["21", "99", "x", ""])
def test_ring_time_out_of_range_is_shown(opened: Opened, rings: str) -> None:
    box = opened.tab.boxes["no_answer"]
    assert box.rings is not None
    opened.type_into(box.rings.edit, rings)
    assert visible_error(opened, "forward.no_answer_rings") == "Ring time must be 0 to 20 rings"
    assert box.seconds.text() == ""
    opened.click(opened.dialog.ok_button)
    assert opened.emitted == []
    assert opened.dialog.isVisible()
    opened.type_into(box.rings.edit, "20")
    assert visible_error(opened, "forward.no_answer_rings") == ""
    assert box.seconds.text() == "20 rings = 120 s"


def test_bad_codes_and_never_forward_entries_are_shown(opened: Opened) -> None:
    opened.type_into(opened.tab.boxes["always"].on_code.edit, "*7a")
    assert visible_error(opened, "forward.always.on_code") == "On code: Use digits, * and # only"
    opened.tab.never_forward.setPlainText("112\nnot a number")
    assert "'not a number' is not a number or SIP URI" in visible_error(
        opened, "forward.never_forward"
    )
    assert set(opened.dialog.errors()) == {
        "forward.phone.always.on_code",
        "forward.never_forward.1",
    }


def test_valid_change_is_emitted_on_ok(opened: Opened, screens_dir: Path) -> None:
    always = opened.tab.boxes["always"]
    opened.click(always.enabled)
    opened.type_into(always.target.edit, "3603")
    opened.type_into(always.on_code.edit, "*72")
    no_answer = opened.tab.boxes["no_answer"]
    opened.click(no_answer.enabled)
    opened.type_into(no_answer.target.edit, "sip:dave@127.0.0.1:5090")
    assert no_answer.rings is not None
    opened.type_into(no_answer.rings.edit, "1")
    assert no_answer.seconds.text() == "1 ring = 6 s"
    opened.click(opened.tab.international)
    opened.tab.never_forward.setPlainText("112\n\n 911 ")
    assert opened.dialog.apply_button.isEnabled()
    opened.shot(screens_dir, "settings-forward-valid.png")

    opened.click(opened.dialog.ok_button)
    assert len(opened.emitted) == 1
    fwd = opened.emitted[0].forward
    assert fwd.phone.always == ForwardRule(True, "3603", "*72", "")
    assert fwd.phone.busy == ForwardRule(True, "sip:carol@127.0.0.1:5080", "*90", "*91")
    assert fwd.phone.no_answer == ForwardRule(True, "sip:dave@127.0.0.1:5090", "", "")
    assert fwd.phone.no_answer_rings == 1
    assert fwd.international is False
    assert fwd.never_forward == ["112", "911"]
    assert fwd.per_account is False
    assert opened.emitted[0].accounts == opened.original.accounts  # other tabs' data kept
    # in effect for the next call: the engine asks the rules with the new settings
    account = opened.emitted[0].accounts[0]
    decision = decide_incoming(fwd, False, 1, account, "sip:alice@127.0.0.1", False)
    assert (decision.kind, decision.contact) == ("now", "<sip:3603@127.0.0.1>")
    assert opened.dialog.result() == QDialog.DialogCode.Accepted
    assert not opened.dialog.isVisible()


def test_cancel_discards(opened: Opened) -> None:
    opened.click(opened.tab.boxes["busy"].enabled)
    opened.type_into(opened.tab.boxes["busy"].target.edit, "555")
    opened.click(opened.dialog.cancel_button)
    assert opened.emitted == []
    assert opened.dialog.result() == QDialog.DialogCode.Rejected
    assert not opened.dialog.isVisible()
    assert opened.dialog.settings() == opened.original


def test_apply_keeps_the_dialog_open(opened: Opened) -> None:
    opened.type_into(opened.tab.boxes["busy"].target.edit, "555")
    opened.click(opened.dialog.apply_button)
    assert opened.dialog.isVisible()
    assert [s.forward.phone.busy.target for s in opened.emitted] == ["555"]
    assert not opened.dialog.apply_button.isEnabled()
    assert opened.dialog.settings().forward.phone.busy.target == "555"
    # OK without further edits closes without saving the same thing twice
    opened.click(opened.dialog.ok_button)
    assert len(opened.emitted) == 1
    assert not opened.dialog.isVisible()


def test_per_account_mode(opened: Opened, screens_dir: Path) -> None:
    tab = opened.tab
    tab.mode.setCurrentIndex(1)
    assert tab.account.isEnabled()
    assert [tab.account.itemText(i) for i in range(tab.account.count())] == [
        "1: Office",
        "2: Home",
    ]
    assert not tab.boxes["busy"].enabled.isChecked()  # accounts start with nothing on
    tab.account.setCurrentIndex(1)
    opened.click(tab.boxes["always"].enabled)
    opened.type_into(tab.boxes["always"].target.edit, "bad target")
    tab.account.setCurrentIndex(0)  # the error of account 2 stays listed while account 1 shows
    assert tab.other_errors.isVisibleTo(opened.dialog)
    assert "2: Home" in tab.other_errors.text()
    opened.shot(screens_dir, "settings-forward-per-account-errors.png")
    opened.click(opened.dialog.ok_button)
    assert opened.emitted == []
    tab.account.setCurrentIndex(1)
    assert tab.boxes["always"].target.edit.text() == "bad target"
    opened.type_into(tab.boxes["always"].target.edit, "700")
    assert not tab.other_errors.isVisibleTo(opened.dialog)
    opened.click(opened.dialog.ok_button)
    fwd = opened.emitted[0].forward
    assert fwd.per_account is True
    # keys are 1-based like account.X; looking at account 1 did not give it a set
    assert set(fwd.accounts) == {2}
    assert fwd.accounts[2].always == ForwardRule(True, "700")
    assert fwd.phone == opened.original.forward.phone  # the phone set is kept for later


def test_screenshot_with_errors(opened: Opened, screens_dir: Path) -> None:
    opened.click(opened.tab.boxes["always"].enabled)
    opened.type_into(opened.tab.boxes["busy"].target.edit, "not valid!")
    opened.type_into(opened.tab.boxes["busy"].off_code.edit, "#x")
    no_answer = opened.tab.boxes["no_answer"]
    assert no_answer.rings is not None
    opened.type_into(no_answer.rings.edit, "25")
    opened.click(opened.dialog.ok_button)
    assert len(opened.dialog.errors()) == 4
    opened.shot(screens_dir, "settings-forward-errors.png")


def test_invalid_loaded_settings_are_shown_at_once(qtbot: QtBot) -> None:
    settings = make_settings()
    settings.forward.phone.always = ForwardRule(True, "")
    settings.forward.phone.no_answer_rings = 40
    opened = Opened(qtbot, settings)
    assert "Enter the number" in visible_error(opened, "forward.always.target")
    assert visible_error(opened, "forward.no_answer_rings") == "Ring time must be 0 to 20 rings"
    opened.type_into(opened.tab.boxes["always"].target.edit, "12")
    opened.click(opened.dialog.ok_button)
    assert opened.emitted == []  # the ring time is still wrong
    assert opened.dialog.isVisible()
