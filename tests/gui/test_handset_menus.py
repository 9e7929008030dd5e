"""The menu tree and the forms in the window, per skin: the T46G's top level with Message,
Basic and Advanced (docs/yealink.md §15), the No Answer Forward form with its ring time chosen
from a list and its codes (§7), and the DND form without a Delete key."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.intents import SetDnd, SetForward
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui

TOP = ["Status", "Features", "Directory", "History", "Message", "Basic", "Advanced"]


def test_top_level_and_message_menu(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.click("F4")  # Menu
    h.expect("menu", ["Back", "", "", "Enter"], "Menu")
    assert h.screen.items == TOP
    h.press("5")  # Message
    h.expect("menu", ["Back", "", "", "Enter"], "Message")
    assert h.screen.items == ["Voice Mail", "Text Message"]
    h.press("2")  # Text Message: the SIP MESSAGE texts
    h.expect("messages", ["Back", "", "", ""], "Text Message")
    assert h.screen.items == ["None"]
    h.phone.message_in("sip:1002@127.0.0.1", "Lunch at 1?")
    h.refresh()
    h.press("X")  # the new message's pop-up: read
    assert h.screen.items == ["1002@127.0.0.1"] and h.screen.values == ["Lunch at 1?"]
    h.shot(screens_dir, "70_text_message_list")
    h.press("OK")  # shows it again
    assert h.screen.popup is not None and "Lunch at 1?" in h.screen.popup.text
    h.press("X", "X", "X", "7")  # back up to the top, then Advanced
    h.expect("menu", ["Back", "", "", "Enter"], "Advanced")
    assert h.screen.items == ["Accounts", "Network", "Action URI"]
    h.shot(screens_dir, "71_advanced")


def test_no_answer_forward_form(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.click("F4")
    h.press("2", "1", "3")  # Features -> Call Forward -> No Answer Forward
    h.expect("form", ["Back", "", "Switch", "Save"], "No Answer Forward")
    labels = ["No Answer Forward", "Forward to", "After Ring Time", "On Code", "Off Code"]
    assert h.screen.items == labels
    assert h.screen.values == ["Disabled", "", "12s", "", ""]
    h.press("RIGHT", "DOWN")
    h.widget.textTyped.emit("2010")
    h.press("DOWN")
    h.expect("form", ["Back", "", "Switch", "Save"], "No Answer Forward")  # a list row
    h.press("RIGHT", "RIGHT")
    h.click("F3")  # Switch: the next ring time
    h.press("DOWN", "*", "9", "0", "DOWN", "*", "9", "1")
    assert h.screen.values == ["Enabled", "2010", "30s", "*90", "*91"]
    assert h.screen.switches == [0, 2]
    h.shot(screens_dir, "72_no_answer_forward")
    h.click("F4")  # Save
    assert h.phone.intents[-1] == SetForward("no_answer", True, "2010", 30, "*90", "*91")
    rules = h.phone.settings.forward.phone
    assert rules.no_answer_rings == 5 and rules.no_answer.off_code == "*91"


def test_dnd_form(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.click("F4")
    h.press("2", "2")  # Features -> DND
    h.expect("form", ["Back", "", "Switch", "Save"], "DND")
    assert (h.screen.items, h.screen.values) == (["DND Status"], ["Disabled"])
    h.click("F3")
    assert h.screen.values == ["Enabled"]
    h.shot(screens_dir, "73_dnd_form")
    h.click("F4")
    assert h.phone.intents[-1] == SetDnd(True) and h.phone.settings.dnd.enabled
