"""The pure core's call control: hold, held, call waiting, swap, DTMF, transfer, conference."""

from __future__ import annotations

from collections.abc import Sequence

from app.phone.call_control import TRANSFER_FAILED, caller_id
from app.phone.core import PhoneCore
from app.phone.intents import (
    Conference,
    Hold,
    Mute,
    NewCall,
    Redial,
    Resume,
    SendDtmf,
    Silence,
    Swap,
    Transfer,
)
from app.phone.messages import (
    Answer,
    AnswerCall,
    CallMediaChanged,
    CallProgress,
    ConferenceCalls,
    Dial,
    HangupCall,
    HoldCall,
    IncomingCall,
    PlaceCall,
    Publish,
    RegistrationChanged,
    SendDtmfCall,
    Tick,
    TransferCall,
    TransferStatus,
)
from app.phone.model import CallState
from app.phone.settings import AccountSettings, Settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_core(**account: object) -> tuple[PhoneCore, Clock]:
    acc = AccountSettings(user="alice", server="pbx.example", **account)  # type: ignore[arg-type]
    clock = Clock()
    core = PhoneCore(Settings(accounts=[acc]), clock)
    core.handle(RegistrationChanged(1, 200, "OK", 3600, True))
    return core, clock


def talking_in(core: PhoneCore, call: str = "i1", who: str = "sip:bob@pbx.example") -> None:
    core.handle(IncomingCall(call, 1, who, ""))
    core.handle(Answer(call))
    core.handle(CallProgress(call, "CONFIRMED", 200, "OK"))


def held_and_second_call(core: PhoneCore) -> PlaceCall:
    """i1 talking, then held, and a second call to 2003 placed and confirmed."""
    talking_in(core)
    core.handle(Hold("i1"))
    place = cmds(core.handle(Dial("2003")), PlaceCall)[0]
    assert isinstance(place, PlaceCall)
    core.handle(CallProgress(place.call, "CONFIRMED", 200, "OK"))
    return place


def cmds(out: Sequence[object], kind: type) -> list[object]:
    return [o for o in out if isinstance(o, kind)]


def state(core: PhoneCore, call: str) -> CallState:
    return core.calls[call].state


def test_hold_shows_hold_at_once_and_media_status_is_the_truth() -> None:
    core, _ = make_core()
    talking_in(core)
    out = core.handle(Hold("i1"))
    assert cmds(out, HoldCall) == [HoldCall("i1", True)]
    assert state(core, "i1") == CallState.HOLD
    core.handle(CallMediaChanged("i1", "local_hold"))
    assert state(core, "i1") == CallState.HOLD
    out = core.handle(Resume("i1"))
    assert cmds(out, HoldCall) == [HoldCall("i1", False)]
    assert state(core, "i1") == CallState.TALKING
    # a hold that failed: pjsua2 says the media is still active
    core.handle(Hold("i1"))
    core.handle(CallMediaChanged("i1", "active"))
    assert state(core, "i1") == CallState.TALKING


def test_the_peers_hold_shows_held_and_its_resume_talking() -> None:
    core, _ = make_core()
    talking_in(core)
    out = core.handle(CallMediaChanged("i1", "remote_hold"))
    assert state(core, "i1") == CallState.HELD
    assert [o.data["state"] for o in out if isinstance(o, Publish)] == ["Held"]
    core.handle(CallMediaChanged("i1", "active"))
    assert state(core, "i1") == CallState.TALKING
    # media facts about a call that is not connected change nothing
    core.handle(IncomingCall("i2", 1, "sip:c@pbx.example", ""))
    assert core.handle(CallMediaChanged("i2", "remote_hold")) == []
    assert state(core, "i2") == CallState.CALLIN


def test_call_waiting_answer_holds_the_first_and_swap_swaps() -> None:
    core, _ = make_core()
    talking_in(core)
    core.handle(IncomingCall("i2", 1, "sip:carol@pbx.example", ""))
    assert state(core, "i2") == CallState.CALLIN  # call waiting: it rings
    out = core.handle(Answer("i2"))
    assert out[0] == HoldCall("i1", True)
    assert cmds(out, AnswerCall) == [AnswerCall("i2", 200)]
    core.handle(CallProgress("i2", "CONFIRMED", 200, "OK"))
    assert (state(core, "i1"), state(core, "i2")) == (CallState.HOLD, CallState.TALKING)
    out = core.handle(Swap("i1"))
    assert cmds(out, HoldCall) == [HoldCall("i2", True), HoldCall("i1", False)]
    assert (state(core, "i1"), state(core, "i2")) == (CallState.TALKING, CallState.HOLD)


def test_call_waiting_off_refuses_the_second_call_with_486() -> None:
    core, _ = make_core()
    core.settings.features.call_waiting = False
    talking_in(core)
    out = core.handle(IncomingCall("i2", 1, "sip:carol@pbx.example", ""))
    assert cmds(out, AnswerCall) == [AnswerCall("i2", 486, "Busy Here")]


def test_new_call_holds_the_active_one_and_resume_holds_the_other() -> None:
    core, _ = make_core()
    talking_in(core)
    assert cmds(core.handle(NewCall()), HoldCall) == [HoldCall("i1", True)]
    place = cmds(core.handle(Dial("2002")), PlaceCall)[0]
    assert isinstance(place, PlaceCall)
    core.handle(CallProgress(place.call, "CONFIRMED", 200, "OK"))
    out = core.handle(Resume("i1"))
    assert cmds(out, HoldCall) == [HoldCall(place.call, True), HoldCall("i1", False)]


def test_dtmf_goes_as_rfc2833_by_default_and_as_info_when_set() -> None:
    core, _ = make_core()
    talking_in(core)
    assert cmds(core.handle(SendDtmf("5", "i1")), SendDtmfCall) == [
        SendDtmfCall("i1", "5", "rfc2833")
    ]
    assert core.handle(SendDtmf("x", "i1")) == []
    core, _ = make_core(dtmf="info")
    talking_in(core)
    assert cmds(core.handle(SendDtmf("#", None)), SendDtmfCall) == [SendDtmfCall("i1", "#", "info")]
    core.handle(Hold("i1"))
    assert core.handle(SendDtmf("1", "i1")) == []  # no DTMF into a held call


def test_blind_transfer_refers_to_the_number_on_the_accounts_domain_and_ends_on_200() -> None:
    core, _ = make_core()
    talking_in(core)
    out = core.handle(Transfer("i1", "2003"))
    assert cmds(out, TransferCall) == [TransferCall("i1", target_uri="sip:2003@pbx.example")]
    assert core.calls["i1"].text == "Transferring"
    assert core.handle(TransferStatus("i1", 100, "Trying", False)) == []
    out = core.handle(TransferStatus("i1", 200, "OK", True))
    assert out == [HangupCall("i1")]
    assert core.calls["i1"].extra["transferred"] == "1"


def test_a_refused_transfer_shows_transfer_failed_and_keeps_the_call() -> None:
    core, _ = make_core()
    talking_in(core)
    core.handle(Transfer("i1", "sip:x@pbx.example"))
    out = core.handle(TransferStatus("i1", 603, "Decline", True))
    assert core.calls["i1"].text == TRANSFER_FAILED
    assert not cmds(out, HangupCall)
    assert state(core, "i1") == CallState.TALKING


def test_attended_transfer_refers_with_the_consultation_call_and_leaves_both() -> None:
    core, _ = make_core()
    place = held_and_second_call(core)
    out = core.handle(Transfer("i1", place.call, attended=True))
    assert cmds(out, TransferCall) == [TransferCall("i1", replaces=place.call)]
    out = core.handle(TransferStatus("i1", 200, "OK", True))
    assert out == [HangupCall("i1"), HangupCall(place.call)]


def test_conference_resumes_the_held_call_and_bridges_both() -> None:
    core, _ = make_core()
    place = held_and_second_call(core)
    out = core.handle(Conference(("i1", place.call)))
    assert out[0] == ConferenceCalls(("i1", place.call))
    assert HoldCall("i1", False) in out
    assert state(core, "i1") == state(core, place.call) == CallState.TALKING
    # a third party joining later does not hold the conference members
    core.handle(IncomingCall("i3", 1, "sip:z@pbx.example", ""))
    out = core.handle(Answer("i3"))
    assert cmds(out, HoldCall) == [HoldCall("i1", True), HoldCall(place.call, True)]


def test_mute_silence_and_redial() -> None:
    core, _ = make_core()
    assert core.handle(Mute(True)) == [Publish("mute", {"on": True})] and core.muted
    assert core.handle(Redial())[0] == Publish("error", {"text": "No number to redial"})
    core.handle(Dial("2001"))
    redial = cmds(core.handle(Redial()), PlaceCall)
    assert [p.uri for p in redial if isinstance(p, PlaceCall)] == ["sip:2001@pbx.example"]
    core.handle(IncomingCall("i9", 1, "sip:x@pbx.example", ""))
    assert core.handle(Silence(None)) == [Publish("silence", {"call": "i9", "on": True})]
    assert "i9" in core.silenced and state(core, "i9") == CallState.CALLIN


def test_auto_answer_after_the_delay_only_on_its_account_and_when_idle() -> None:
    core, clock = make_core(auto_answer=True)
    core.settings.features.auto_answer_delay = 3
    core.handle(IncomingCall("i1", 1, "sip:bob@pbx.example", ""))
    clock.now += 2.9
    assert not cmds(core.handle(Tick(clock.now)), AnswerCall)
    clock.now += 0.2
    assert cmds(core.handle(Tick(clock.now)), AnswerCall) == [AnswerCall("i1", 200)]
    core.handle(CallProgress("i1", "CONFIRMED", 200, "OK"))
    core.handle(IncomingCall("i2", 1, "sip:c@pbx.example", ""))
    clock.now += 10
    assert not cmds(core.handle(Tick(clock.now)), AnswerCall)  # busy: the second call rings
    plain, clock2 = make_core()
    plain.handle(IncomingCall("i1", 1, "sip:bob@pbx.example", ""))
    clock2.now += 10
    assert not cmds(plain.handle(Tick(clock2.now)), AnswerCall)


def test_caller_id_prefers_p_asserted_identity() -> None:
    pai = (("P-Asserted-Identity", '"Boss" <sip:5551234@pbx.example>'),)
    assert caller_id("sip:anon@x", "Anon", pai) == ("sip:5551234@pbx.example", "Boss")
    tel = (("P-Asserted-Identity", "<tel:+15551234>"),)
    assert caller_id("sip:anon@x", "Anon", tel) == ("tel:+15551234", "Anon")
    assert caller_id("sip:anon@x", "Anon", ()) == ("sip:anon@x", "Anon")
    core, _ = make_core()
    core.handle(IncomingCall("i1", 1, "sip:anon@x", "Anon", pai))
    assert core.calls["i1"].remote_name == "Boss"
    assert core.calls["i1"].remote_uri == "sip:5551234@pbx.example"


def test_dnd_per_account_refuses_only_that_accounts_calls() -> None:
    settings = Settings(
        accounts=[
            AccountSettings(user="a", server="pbx.example", dnd=True),
            AccountSettings(user="b", server="pbx.example"),
        ]
    )
    settings.dnd.per_account = True
    core = PhoneCore(settings, Clock())
    out = core.handle(IncomingCall("i1", 1, "sip:x@pbx.example", ""))
    assert cmds(out, AnswerCall) == [AnswerCall("i1", 480, "Do Not Disturb")]
    out = core.handle(IncomingCall("i2", 2, "sip:x@pbx.example", ""))
    assert cmds(out, AnswerCall) == [AnswerCall("i2", 180)]
