"""The handset driven through its keys, on the real phone core with a scripted SIP side
(tests/gui/fake_phone)."""

from __future__ import annotations

from app.phone.handset.flags import HistoryItem
from app.phone.intents import (
    Conference,
    ForwardCall,
    Hold,
    OffHook,
    Reject,
    Resume,
    SendDtmf,
    SetDnd,
    SetForward,
    Silence,
    Swap,
    Transfer,
)
from app.phone.messages import (
    Answer,
    AnswerCall,
    ConferenceCalls,
    Dial,
    Hangup,
    HangupCall,
    HoldCall,
    PlaceCall,
    SendDtmfCall,
    TransferCall,
)
from app.phone.model import CallState
from tests.gui.fake_phone import FakePhone

SOFT_IDLE = ["History", "Directory", "DND", "Menu"]


def test_idle_screen_shows_account_registration_and_default_soft_keys() -> None:
    p = FakePhone()
    s = p.handset.screen()
    assert s.name == "idle"
    assert s.softkeys == SOFT_IDLE
    assert (s.status.account, s.status.registration) == ("1001", "Registered")
    assert (s.status.time, s.status.date) == ("14:05", "Sat Nov 21")
    assert s.line_keys[0].label == "1001" and s.line_keys[0].icon == "registered"
    assert s.led("L1") == ("off", "off")
    assert len(s.line_keys) == 10


def test_status_icons_follow_flags() -> None:
    p = FakePhone()
    p.apply([SetDnd(True), SetForward("always", True, "2009")])
    p.display.missed = 3
    p.settings.accounts[0].auto_answer = True
    p.settings_changed()
    p.sync()
    assert p.handset.screen().status.icons == ["dnd", "forward", "missed", "auto_answer"]


def test_digits_open_dial_screen_and_send_dials() -> None:
    p = FakePhone()
    out = p.press("1", "0", "0", "3")
    assert out == [OffHook()]
    s = p.handset.screen()
    assert (s.name, s.title, s.input, s.cursor) == ("dialing", "Dial", "1003", 4)
    assert s.led("L1") == ("green", "solid")  # off hook: the line is seized
    assert s.softkeys == ["Send", "IME", "Delete", "Cancel"]
    assert p.press("F1") == [Dial("1003")]
    s = p.handset.screen()
    assert (s.name, s.title) == ("calling", "Connecting...")
    assert s.softkeys == ["", "", "", "End Call"]
    assert s.led("L1") == ("green", "solid")


def test_pound_is_send_and_delete_edits() -> None:
    p = FakePhone()
    p.press("1", "2", "3", "DELETE", "LEFT", "9")
    assert p.handset.screen().input == "192"
    assert p.press("#") == [Dial("192")]


def test_inter_digit_timeout_dials() -> None:
    p = FakePhone()
    p.press("5", "5")
    p.advance(1.0)
    assert not any(isinstance(i, Dial) for i in p.intents)
    p.advance(4.0)
    assert Dial("55") in p.intents
    assert p.handset.screen().name == "calling"


def test_cancel_returns_to_idle() -> None:
    p = FakePhone()
    p.press("7")
    p.press("F4")
    assert p.handset.screen().name == "idle"


def test_ime_multitap_and_typed_uri() -> None:
    p = FakePhone()
    p.press("SPEAKER", "F2")  # 123 -> abc
    assert p.handset.screen().ime == "abc"
    p.press("2", "2", "2")  # a -> b -> c within the multi-tap time
    assert p.handset.screen().input == "c"
    p.type("@127.0.0.1")
    assert p.handset.screen().input == "c@127.0.0.1"
    assert p.press("OK") == [Dial("c@127.0.0.1")]


def test_typing_in_idle_opens_dialing() -> None:
    p = FakePhone()
    assert p.type("sip:bob@127.0.0.1") == [OffHook()]
    assert p.handset.screen().input == "sip:bob@127.0.0.1"


def test_matches_from_history_and_directory() -> None:
    p = FakePhone()
    p.display.directory = [("Alice", "2001"), ("Bob", "2002")]
    p.display.history = [HistoryItem("Carol", "3001", "placed")]
    p.sync()
    p.press("2", "0")
    s = p.handset.screen()
    assert s.items == ["Alice", "Bob"] and s.values == ["2001", "2002"]
    p.press("DOWN", "DOWN")
    assert p.handset.screen().selected == 1
    assert p.press("OK") == [Dial("2002")]
    # T9: 2-2-7 spells "Car"
    q = FakePhone()
    q.display.history = p.display.history
    q.sync()
    q.press("2", "2", "7")
    assert q.handset.screen().items == ["Carol"]


def test_outgoing_call_ringback_talking_timer_and_end() -> None:
    p = FakePhone()
    p.press("1", "0", "0", "2", "OK")
    p.far(CallState.RINGBACK, 180)
    s = p.handset.screen()
    assert (s.name, s.title, s.lines[0]) == ("ringback", "Ringing", "1002")
    p.far(CallState.TALKING, 200)
    p.advance(65)
    s = p.handset.screen()
    assert (s.name, s.title, s.timer) == ("talking", "Talking", "01:05")
    assert s.softkeys == ["Transfer", "Hold", "Conference", "End Call"]
    assert s.led("L1") == ("green", "solid")
    assert p.press("5") == [SendDtmf("5", "o1")]
    assert PlaceCall("o1", 1, "sip:1002@127.0.0.1") in p.commands
    assert SendDtmfCall("o1", "5") in p.commands
    assert p.press("F4") == [Hangup("o1")]
    assert p.last_command() == HangupCall("o1")
    assert p.handset.screen().name == "idle"  # the user hung up: no "Call Finish"


def test_incoming_call_keys_led_and_forward_party() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1", "Bob", diverted_by="sip:1005@127.0.0.1")
    s = p.handset.screen()
    assert (s.name, s.title) == ("incoming", "Incoming call")
    assert s.lines == ["Bob", "1002@127.0.0.1", "From FWD 1005@127.0.0.1"]
    assert s.softkeys == ["Answer", "Forward", "Silence", "Reject"]
    assert s.led("L1") == ("green", "fast")
    assert p.press("F3") == [Silence("i1")]
    assert p.handset.screen().softkeys == ["Answer", "Forward", "", "Reject"]
    assert p.press("OK") == [Answer("i1")]
    assert p.handset.screen().name == "talking"


def test_reject_and_x_on_ringing() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    assert p.press("X") == [Reject("i1")]
    assert p.last_command() == HangupCall("i1", 486)  # features.normal_refuse_code
    assert p.handset.screen().name == "idle"


def test_forward_a_ringing_call() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("F2")
    s = p.handset.screen()
    assert (s.name, s.title) == ("dialing", "Forward to")
    p.press("2", "0", "0", "9")
    assert p.press("F1") == [ForwardCall("i1", "2009")]
    answer = p.last_command()
    assert isinstance(answer, AnswerCall) and (answer.call, answer.code) == ("i1", 302)
    assert ("Contact", "<sip:2009@127.0.0.1>") in answer.headers
    assert p.handset.screen().name == "idle"


def test_hold_resume_and_held() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("OK")
    assert p.press("HOLD") == [Hold("i1")]
    s = p.handset.screen()
    assert (s.name, s.title) == ("hold", "Hold")
    assert s.softkeys == ["Transfer", "Resume", "New Call", "End Call"]
    assert s.led("L1") == ("green", "slow")
    assert p.last_command() == HoldCall("i1", True)
    assert p.press("F2") == [Resume("i1")]
    assert p.last_command() == HoldCall("i1", False)
    p.far_holds()
    s = p.handset.screen()
    assert (s.name, s.title, s.led("L1")) == ("held", "Held", ("green", "slow"))


def test_two_calls_swap_new_call_and_conference() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1", "Bob")
    p.press("OK", "HOLD")
    p.press("F3")  # New Call
    assert p.handset.screen().name == "dialing"
    p.press("1", "0", "0", "3", "OK")
    p.far(CallState.TALKING)
    s = p.handset.screen()
    assert s.softkeys == ["Transfer", "Swap", "Conference", "End Call"]
    assert s.call_index == "2/2" and len(s.items) == 2
    assert s.led("L1") == ("green", "slow") and s.led("L2") == ("green", "solid")
    assert p.press("F2") == [Swap("i1")]
    s = p.handset.screen()
    assert (s.name, s.lines[0]) == ("talking", "Bob")
    p.press("HOLD")
    assert p.handset.screen().softkeys == ["Swap", "New Call", "Resume", "End Call"]
    p.press("F3")  # Resume Bob
    assert p.press("F3") == [Conference(("o1", "i1"))]
    assert ConferenceCalls(("o1", "i1")) in p.commands


def test_blind_transfer() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("OK")
    assert p.press("F1") == [Hold("i1")]
    s = p.handset.screen()
    assert (s.name, s.title) == ("dialing", "Transfer")
    assert s.softkeys == ["B Transfer", "IME", "Delete", "Cancel"]
    p.press("2", "0", "0", "7")
    assert p.press("F1") == [Transfer("i1", "2007", attended=False)]


def test_attended_transfer_and_cancel_resumes() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("OK", "F1", "2", "0", "0", "7")
    assert p.press("OK") == [Dial("2007")]
    p.far(CallState.RINGBACK)
    assert p.handset.screen().softkeys[0] == "Transfer"  # semi-attended
    p.far(CallState.TALKING)
    assert p.press("F1") == [Transfer("i1", "o1", attended=True)]
    assert TransferCall("i1", replaces="o1") in p.commands
    p.far_transfer_result(200, call="i1")  # the NOTIFY: both calls end here
    assert {HangupCall("i1"), HangupCall("o1")} <= set(p.commands)
    assert p.core.live_calls() == []
    q = FakePhone()
    q.ring_in("sip:1002@127.0.0.1")
    q.press("OK", "TRAN")
    assert q.press("X") == [Resume("i1")]


def test_failed_call_shows_reason_and_end_call_clears() -> None:
    p = FakePhone()
    p.press("1", "0", "0", "4", "OK")
    p.far(CallState.FAILED, 486, "Busy Here")
    s = p.handset.screen()
    assert (s.name, s.title, s.detail) == ("failed", "Call failed!", "Busy here!")
    assert s.softkeys == ["", "", "", "End Call"]
    assert p.press("F4") == [Hangup("o1")]
    assert p.handset.screen().name == "idle"


def test_far_hangup_shows_call_finish_then_idle() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("OK")
    p.advance(42)
    p.far_hangs_up()
    s = p.handset.screen()
    assert (s.name, s.title, s.timer) == ("finished", "Call Finish", "00:42")
    assert s.led("L1") == ("off", "off")
    p.advance(1)
    assert p.handset.screen().name == "finished"
    p.advance(3)
    assert p.handset.screen().name == "idle"


def test_the_handset_rests_only_when_nothing_but_the_clock_changes() -> None:
    """The engine waits longer between turns while resting (app/engine/runtime.py)."""
    p = FakePhone()
    assert p.handset.resting()
    p.press("1")
    assert not p.handset.resting()  # the dial screen auto-dials after the inter-digit wait
    p.press("X")
    assert p.handset.resting()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("OK")
    p.far_hangs_up()
    assert not p.handset.resting()  # "Call Finish" clears itself
    p.advance(4)
    assert p.handset.screen().name == "idle" and p.handset.resting()


def test_call_waiting_shows_the_new_call() -> None:
    p = FakePhone()
    p.press("1", "0", "0", "2", "OK")
    p.far(CallState.TALKING)
    p.ring_in("sip:1009@127.0.0.1", "Eve")
    s = p.handset.screen()
    assert (s.name, s.lines[0]) == ("incoming", "Eve")
    assert s.led("L1") == ("green", "solid") and s.led("L2") == ("green", "fast")


def test_line_key_answers_and_opens_dialing() -> None:
    p = FakePhone()
    assert p.press("L1") == [OffHook(1)]
    assert p.handset.screen().name == "dialing"
    p.press("X")
    p.ring_in("sip:1002@127.0.0.1")
    assert p.press("L1") == [Answer("i1")]
