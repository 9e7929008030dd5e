"""The Conference screen in the window, per skin: Hold, Manage (far mute, remove), Split and
End Call, with the LEDs and the bridge commands the SIP side gets (docs/yealink.md §14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.messages import ConferenceCalls, HangupCall, HoldCall
from app.phone.model import CallState
from tests.gui.conftest import IDLE, assert_led
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui

CONFERENCE = ["Hold", "Manage", "Split", "End Call"]
MANAGE = ["Far Mute", "Remove", "", "Back"]


def _conference(h: Harness) -> None:
    """Bob rings in and is answered; Conference dials 1003, who answers; Conference joins."""
    h.ring_in("sip:1002@127.0.0.1", "Bob")
    h.click("F1")  # Answer
    h.click("F3")  # Conference: Bob held, the dial screen
    h.expect("dialing", ["Send", "IME", "Delete", "Cancel"], "Conference")
    h.press("1", "0", "0", "3", "OK")
    h.far_answers()
    h.click("F3")  # Conference: both joined
    assert ConferenceCalls(("i1", "o1")) in h.phone.commands


def test_conference_screen_hold_and_end_call(harness: Harness, screens_dir: Path) -> None:
    h = harness
    _conference(h)
    h.expect("conference", CONFERENCE, "Conference")
    assert h.screen.items == ["Bob", "1003"] and h.screen.detail == ""
    assert "Talking" not in h.drawn_texts()  # the Conference screen, not a Talking one
    assert_led(h, "L1", "green", "solid")
    assert_led(h, "L2", "green", "solid")
    h.shot(screens_dir, "50_conference")
    h.click("F1")  # Hold: the whole conference
    assert h.phone.commands[-2:] == [HoldCall("i1", True), HoldCall("o1", True)]
    h.expect("conference", ["Resume", "Manage", "Split", "End Call"], "Conference")
    assert h.screen.detail == "Hold"
    assert_led(h, "L1", "green", "slow")
    assert_led(h, "L2", "green", "slow")
    h.shot(screens_dir, "51_conference_held")
    h.click("F1")  # Resume
    h.expect("conference", CONFERENCE, "Conference")
    h.click("F4")  # End Call: the other parties drop the call
    assert {HangupCall("i1"), HangupCall("o1")} <= set(h.phone.commands)
    h.expect("idle", IDLE)


def test_manage_far_mute_and_remove(harness: Harness, screens_dir: Path) -> None:
    h = harness
    _conference(h)
    h.click("F2")  # Manage
    h.expect("manage", MANAGE, "Conference")
    assert h.screen.selected == 0
    h.press("DOWN")
    h.click("F1")  # Far Mute 1003
    assert h.phone.last_command() == ConferenceCalls(("i1", "o1"), ("o1",))
    assert h.screen.values == ["", "Far Mute"] and h.screen.selected == 1
    assert h.drawn_texts().count("Far Mute") == 2  # the soft key and the row's mark
    h.shot(screens_dir, "52_conference_manage_far_mute")
    h.click("F2")  # Remove 1003: its call is hung up
    assert HangupCall("o1") in h.phone.commands
    assert h.phone.last_command() == ConferenceCalls((), ())
    h.expect("talking", ["Transfer", "Hold", "Conference", "End Call"], "Talking")
    assert h.screen.lines[0] == "Bob" and h.screen.detail == ""
    assert_led(h, "L1", "green", "solid")
    assert_led(h, "L2", "off", "off")
    h.shot(screens_dir, "53_conference_party_removed")


def test_split_leaves_two_held_calls(harness: Harness, screens_dir: Path) -> None:
    h = harness
    _conference(h)
    h.click("F3")  # Split
    assert h.phone.commands[-3:] == [
        ConferenceCalls((), ()),
        HoldCall("i1", True),
        HoldCall("o1", True),
    ]
    h.expect("hold", ["Transfer", "Resume", "New Call", "End Call"], "Hold")
    assert len(h.screen.items) == 2 and h.screen.call_index
    assert {h.phone.call(c).state for c in ("i1", "o1")} == {CallState.HOLD}
    assert_led(h, "L1", "green", "slow")
    assert_led(h, "L2", "green", "slow")
    h.shot(screens_dir, "54_conference_split")
