"""The pure phone core: registration words, call states, dialing, answering, hanging up."""

from __future__ import annotations

from app.phone.core import ENDED_LINGER, LOCAL_ACCOUNT, PhoneCore
from app.phone.messages import (
    Answer,
    AnswerCall,
    CallProgress,
    Dial,
    Hangup,
    HangupAll,
    HangupCall,
    IncomingCall,
    PlaceCall,
    Publish,
    RegistrationChanged,
    Tick,
)
from app.phone.model import REG_TEXT, CallState, RegState
from app.phone.settings import AccountSettings, Settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_core(accounts: int = 1) -> tuple[PhoneCore, Clock]:
    settings = Settings(
        accounts=[
            AccountSettings(user=f"u{i}", server="pbx.example", port=5060, label=f"L{i}")
            for i in range(1, accounts + 1)
        ]
    )
    clock = Clock()
    return PhoneCore(settings, clock), clock


def published(outputs: list[object], kind: str) -> list[dict[str, object]]:
    return [o.data for o in outputs if isinstance(o, Publish) and o.kind == kind]


def test_configured_accounts_start_registering_and_follow_the_registrar() -> None:
    core, _ = make_core(2)
    assert [a.state for a in core.accounts.values()] == [RegState.REGISTERING] * 2
    out = core.handle(RegistrationChanged(1, 200, "OK", 3600, True))
    assert published(out, "account")[0]["state"] == RegState.REGISTERED
    out = core.handle(RegistrationChanged(2, 403, "Forbidden", 0, False))
    acc = published(out, "account")[0]
    assert acc["state"] == RegState.FAILED and acc["reason"] == "Forbidden"
    assert REG_TEXT[RegState.FAILED] == "Register failed!"
    out = core.handle(RegistrationChanged(1, 200, "OK", 0, False))
    assert published(out, "account")[0]["state"] == RegState.UNREGISTERED


def test_no_account_means_the_local_one_with_no_service() -> None:
    core = PhoneCore(Settings(), Clock())
    assert list(core.accounts) == [LOCAL_ACCOUNT]
    assert core.accounts[LOCAL_ACCOUNT].state == RegState.NO_SERVICE
    out = core.handle(Dial("sip:bob@203.0.113.5:5062"))
    assert isinstance(out[0], PlaceCall) and out[0].uri == "sip:bob@203.0.113.5:5062"
    out = core.handle(Dial("1234"))
    assert published(out, "error") == [{"text": "No account to dial a number: use sip:user@host"}]


def test_outgoing_call_walks_through_yealink_states() -> None:
    core, clock = make_core()
    core.handle(RegistrationChanged(1, 200, "OK", 3600, True))
    out = core.handle(Dial("2001"))
    place = out[0]
    assert isinstance(place, PlaceCall)
    assert place.uri == "sip:2001@pbx.example" and place.account == 1
    cid = place.call
    states = []
    for state, code in (("CALLING", 0), ("EARLY", 180), ("CONNECTING", 200), ("CONFIRMED", 200)):
        clock.now += 1
        out = core.handle(CallProgress(cid, state, code, ""))
        states.append(published(out, "call")[0]["state"])
    assert states == [
        CallState.CONNECTING,
        CallState.RINGBACK,
        CallState.RINGBACK,
        CallState.TALKING,
    ]
    assert core.calls[cid].answered == clock.now
    out = core.handle(Hangup())
    assert out == [HangupCall(cid)]
    out = core.handle(CallProgress(cid, "DISCONNECTED", 200, "Normal call clearing"))
    view = published(out, "call")[0]
    assert view["state"] == CallState.FINISHED and view["text"] == "Call Finish"
    clock.now += ENDED_LINGER + 0.1
    assert core.next_deadline() is not None
    out = core.handle(Tick(clock.now))
    assert published(out, "call_removed") == [{"id": cid}] and cid not in core.calls


def test_failed_call_shows_yealinks_reason() -> None:
    core, _ = make_core()
    cid = core.handle(Dial("2002"))[0].call  # type: ignore[union-attr]
    out = core.handle(CallProgress(cid, "DISCONNECTED", 486, "Busy Here"))
    view = published(out, "call")[0]
    assert view["state"] == CallState.FAILED and view["text"] == "Busy here!"
    cid = core.handle(Dial("2003"))[0].call  # type: ignore[union-attr]
    out = core.handle(CallProgress(cid, "DISCONNECTED", 499, "Odd Thing"))
    assert published(out, "call")[0]["text"] == "Odd Thing!"


def test_incoming_call_rings_then_answers_or_is_rejected_with_486() -> None:
    core, _ = make_core()
    out = core.handle(IncomingCall("i1", 1, '"Bob" <sip:bob@pbx>', "Bob"))
    assert out[0] == AnswerCall("i1", 180)
    assert core.calls["i1"].state == CallState.CALLIN
    assert core.handle(Answer()) == [AnswerCall("i1", 200)]
    core.handle(IncomingCall("i2", 1, "<sip:carol@pbx>", ""))
    assert core.handle(Hangup("i2")) == [HangupCall("i2", 486)]


def test_hangup_all_and_events_for_unknown_calls() -> None:
    core, _ = make_core()
    a = core.handle(Dial("1"))[0].call  # type: ignore[union-attr]
    core.handle(IncomingCall("i9", 1, "<sip:x@y>", ""))
    assert set(core.handle(HangupAll())) == {HangupCall(a), HangupCall("i9")}
    assert core.handle(CallProgress("nope", "CONFIRMED", 200, "OK")) == []
    assert core.handle(Answer("nope")) == []
