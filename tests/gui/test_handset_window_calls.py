"""More handset screens on the real phone core: call waiting, two calls, conference, transfers,
the IME mode, the DND form, every History list, a text message and a failed registration.

As in test_handset_window.py each step asserts soft keys, state text and LEDs and saves a
screenshot per skin; the core's commands to the (scripted) SIP side are checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.handset.flags import HistoryItem
from app.phone.messages import (
    AnswerCall,
    ConferenceCalls,
    HangupCall,
    HoldCall,
    RegistrationChanged,
    TransferCall,
)
from tests.gui.conftest import IDLE, assert_led
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui

RINGING = ["Answer", "Forward", "Silence", "Reject"]
TWO_CALLS = ["Transfer", "Hold", "Conference", "End Call"]  # no Swap (docs/yealink.md §3)
HOLD = ["Transfer", "Resume", "New Call", "End Call"]


def _talk_to_1002(h: Harness) -> None:
    h.press("1", "0", "0", "2", "OK")
    h.far_rings()
    h.far_answers()
    h.expect("talking", ["Transfer", "Hold", "Conference", "End Call"], "Talking")


def test_call_waiting_two_calls_and_conference(harness: Harness, screens_dir: Path) -> None:
    h = harness
    _talk_to_1002(h)
    h.ring_in("sip:1009@127.0.0.1", "Eve Adams")
    h.expect("incoming", RINGING, "Incoming call")
    assert h.screen.lines[0] == "Eve Adams" and h.screen.call_index == "2/2"
    assert_led(h, "L1", "green", "solid")
    assert_led(h, "L2", "green", "fast")
    h.shot(screens_dir, "29_call_waiting")
    h.press("F1")  # Answer: the call in conversation goes on hold first
    assert h.phone.commands[-2:] == [HoldCall("o1", True), AnswerCall("i1", 200)]
    h.expect("talking", TWO_CALLS, "Talking")
    assert h.screen.lines[0] == "Eve Adams"
    assert_led(h, "L1", "green", "slow")
    assert_led(h, "L2", "green", "solid")
    h.shot(screens_dir, "30_two_calls_answered")
    h.press("F3")  # Conference: both calls bridged, the held one resumed
    assert ConferenceCalls(("o1", "i1")) in h.phone.commands
    assert h.phone.last_command() == HoldCall("o1", False)
    h.expect("conference", ["Hold", "Manage", "Split", "End Call"], "Conference")
    assert_led(h, "L1", "green", "solid")
    assert_led(h, "L2", "green", "solid")
    h.shot(screens_dir, "31_conference")
    h.press("F4")  # End Call ends the whole conference
    assert {HangupCall("i1"), HangupCall("o1")} <= set(h.phone.commands)
    h.expect("idle", IDLE)


def test_blind_transfer_screens(harness: Harness, screens_dir: Path) -> None:
    h = harness
    _talk_to_1002(h)
    h.press("TRAN", "2", "0", "0", "7", "F1")  # B Transfer
    assert h.phone.last_command() == TransferCall("o1", target_uri="sip:2007@127.0.0.1")
    h.expect("hold", HOLD, "Hold")
    assert h.screen.detail == "Transferring"
    assert_led(h, "L1", "green", "slow")
    h.shot(screens_dir, "32_transferring")
    h.far_transfer_result(603, "Decline")  # the transferee's call to 2007 was declined
    assert h.screen.detail == "Transfer failed!"
    h.expect("hold", HOLD, "Hold")
    h.shot(screens_dir, "33_transfer_failed")
    h.press("F1", "2", "0", "0", "8", "F1")
    h.far_transfer_result(200)  # NOTIFY 200: the phone leaves the call
    assert h.phone.last_command() == HangupCall("o1")
    h.expect("finished", ["", "", "", "Cancel"], "Call Finish")
    assert_led(h, "L1", "off", "off")
    h.shot(screens_dir, "34_transferred")
    h.advance(4)
    h.expect("idle", IDLE)


def test_ime_dnd_history_lists_and_message(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.press("SPEAKER", "F2", "2", "2")  # IME 123 -> abc; 2-2 is "b"
    h.expect("dialing", ["Send", "IME", "Delete", "Cancel"], "Dial")
    assert (h.screen.ime, h.screen.input) == ("abc", "b")
    assert_led(h, "L1", "green", "solid")
    h.shot(screens_dir, "35_dialing_ime_abc")
    h.press("X", "F4", "2", "2")  # Menu -> Features -> DND
    h.expect("form", ["Back", "", "Switch", "Save"], "DND")  # no Delete: nothing to type
    h.press("F3")
    assert h.screen.values == ["Enabled"]
    h.shot(screens_dir, "36_dnd_form")
    h.press("OK")
    assert h.phone.settings.dnd.enabled
    h.press("X", "X")
    h.expect("idle", IDLE)
    assert "dnd" in h.screen.status.icons
    h.phone.display.history = [
        HistoryItem("Bob Jones", "1020", "missed", "11-21 14:01"),
        HistoryItem("Carol", "1003", "placed", "11-21 13:40"),
        HistoryItem("Dan", "1004", "received", "11-21 12:12"),
        HistoryItem("Erin → Fay", "1006", "forwarded", "11-21 11:05"),
    ]
    h.sync()
    h.press("F1")
    for n, (tab, who) in enumerate(
        [("Placed Calls", "Carol"), ("Received Calls", "Dan"), ("Forwarded Calls", "Erin → Fay")]
    ):
        h.press("RIGHT") if n else h.press("RIGHT", "RIGHT")
        h.expect("history", ["Send", "", "", "Back"], "History")
        assert h.screen.tabs[h.screen.tab] == tab and h.screen.items == [who]
        h.shot(screens_dir, f"37_history_{tab.split()[0].lower()}")
    h.press("X")
    h.phone.message_in("sip:1002@127.0.0.1", "Lunch at 1?")
    h.refresh()
    assert h.screen.popup is not None and h.screen.popup.kind == "message"
    assert "Lunch at 1?" in h.screen.popup.text
    h.shot(screens_dir, "38_message")
    h.press("X")
    assert h.screen.popup is None


def test_registration_failed_screen(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.phone.feed(RegistrationChanged(1, 403, "Forbidden", 0, False))
    h.sync()
    h.expect("idle", IDLE)
    assert h.screen.status.registration == "Register failed!"
    assert h.screen.line_keys[0].icon == "failed"
    assert_led(h, "L1", "off", "off")
    h.shot(screens_dir, "39_register_failed")
