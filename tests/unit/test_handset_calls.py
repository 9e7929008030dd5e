"""The call screens (app/phone/handset/call_keys.py): answer, reject, forward, hold, swap,
conference, transfers and the end of a call, on the real phone core (tests/gui/fake_phone)."""

from __future__ import annotations

from app.phone.intents import (
    Conference,
    ForwardCall,
    Hold,
    Reject,
    Resume,
    SendDtmf,
    Silence,
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


def test_two_calls_up_down_resume_and_conference() -> None:
    """With a call on hold the Talking keys stay Transfer/Hold/Conference/End Call (no Swap):
    Up/Down picks the held call and Resume holds the other one (docs/yealink.md §3)."""
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1", "Bob")
    p.press("OK", "HOLD")
    p.press("F3")  # New Call
    assert p.handset.screen().name == "dialing"
    p.press("1", "0", "0", "3", "OK")
    p.far(CallState.TALKING)
    s = p.handset.screen()
    assert s.softkeys == ["Transfer", "Hold", "Conference", "End Call"]
    assert s.call_index == "2/2" and len(s.items) == 2
    assert s.led("L1") == ("green", "slow") and s.led("L2") == ("green", "solid")
    p.press("UP")  # Bob, on hold
    s = p.handset.screen()
    assert (s.name, s.lines[0]) == ("hold", "Bob")
    assert s.softkeys == ["Transfer", "Resume", "New Call", "End Call"]
    assert p.press("F2") == [Resume("i1")]  # Bob back, 1003 held
    assert p.call("i1").state == CallState.TALKING and p.call("o1").state == CallState.HOLD
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


def test_call_waiting_shows_the_new_call() -> None:
    p = FakePhone()
    p.press("1", "0", "0", "2", "OK")
    p.far(CallState.TALKING)
    p.ring_in("sip:1009@127.0.0.1", "Eve")
    s = p.handset.screen()
    assert (s.name, s.lines[0]) == ("incoming", "Eve")
    assert s.led("L1") == ("green", "solid") and s.led("L2") == ("green", "fast")
