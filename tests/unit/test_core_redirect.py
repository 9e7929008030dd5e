"""The phone core following 3xx as the caller, fed the way the SIP adapter feeds it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from app.engine.ops import to_input
from app.phone.core import PhoneCore
from app.phone.messages import (
    CallProgress,
    CallRedirected,
    Dial,
    Hangup,
    HangupCall,
    PlaceCall,
    Publish,
    RedirectConfirm,
    Then,
    Tick,
)
from app.phone.model import CallState
from app.phone.redirect_calls import ASK_TIMEOUT
from app.phone.settings import AccountSettings, Settings
from app.phone.sipuri import Diversion, parse_contacts

PBX = "pbx.example"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_core(mode: str = "auto", **acc: Any) -> tuple[PhoneCore, Clock]:
    settings = Settings(accounts=[AccountSettings(user="alice", server=PBX, **acc)])
    settings.features.redirect.mode = mode
    clock = Clock()
    return PhoneCore(settings, clock), clock


def dial(core: PhoneCore, target: str = "bob") -> str:
    out = core.handle(Dial(target))
    place = next(o for o in out if isinstance(o, PlaceCall))
    core.handle(CallProgress(place.call, "EARLY", 180, "Ringing"))
    return place.call


def run(core: PhoneCore, msg: Any) -> list[Any]:
    """Handle `msg` and its Then follow-ups in order, as the engine does."""
    out: list[Any] = []
    for o in core.handle(msg):
        out += run(core, o.input) if isinstance(o, Then) else [o]
    return out


def redirect(core: PhoneCore, call: str, contacts: str, code: int = 302, **kw: Any) -> list[Any]:
    return run(core, CallRedirected(call, code, "Moved", tuple(parse_contacts(contacts)), **kw))


def places(out: list[Any]) -> list[PlaceCall]:
    return [o for o in out if isinstance(o, PlaceCall)]


def events(out: list[Any], kind: str) -> list[dict[str, Any]]:
    return [o.data for o in out if isinstance(o, Publish) and o.kind == kind]


def test_follow_keeps_one_call_and_places_the_target_under_its_id() -> None:
    core, _ = make_core()
    call = dial(core)
    out = redirect(
        core, call, f"<sip:carol@{PBX}>", diversion=Diversion(f"sip:bob@{PBX}", "no-answer")
    )
    assert places(out) == [PlaceCall(call, 1, f"sip:carol@{PBX}")]  # same host: no Route
    view = core.calls[call]
    assert view.state == CallState.RINGBACK and view.text == "Forward to: carol"
    assert list(core.calls) == [call]
    assert events(out, "redirect") == [
        {"call": call, "target": f"sip:carol@{PBX}", "text": "Forward to: carol"}
    ]
    # the old leg's DISCONNECTED never reaches the core; the new leg's progress does
    core.handle(CallProgress(call, "EARLY", 180, "Ringing"))
    core.handle(CallProgress(call, "CONFIRMED", 200, "OK"))
    view = core.calls[call]
    assert view.state == CallState.TALKING and view.remote_uri == f"sip:carol@{PBX}"
    assert view.text == ""  # "Forward to: carol" was for while it was set up, not the Talking
    hops = json.loads(view.extra["redirect_chain"])
    assert [(h["target"], h["code"], h["diversion_reason"]) for h in hops] == [
        (f"sip:bob@{PBX}", 302, "no-answer"),
        (f"sip:carol@{PBX}", 200, ""),
    ]
    assert view.extra["original_uri"] == f"sip:bob@{PBX}"


def test_diversion_as_the_adapter_sends_it_is_read_after_the_new_invite() -> None:
    """The adapter passes the Diversion header unparsed: the PlaceCall comes first, then the
    chain (in RedirectFollowed's turn) carries its reason; a refused 3xx's chain has it too."""
    core, _ = make_core()
    call = dial(core)
    values = (f'"Bob" <sip:bob@{PBX}>;reason=unconditional;counter=1, <sip:x@{PBX}>',)
    msg = CallRedirected(call, 302, "Moved", tuple(parse_contacts(f"<sip:carol@{PBX}>")))
    first = core.handle(replace(msg, diversion_values=values))
    assert isinstance(first[0], PlaceCall) and isinstance(first[-1], Then)
    assert first[-1].input.diversion_values == values
    out = run(core, first[-1].input)
    (published,) = [e for e in events(out, "call") if "redirect_chain" in e["extra"]]
    hops = json.loads(published["extra"]["redirect_chain"])
    assert [(h["target"], h["diversion_reason"]) for h in hops] == [
        (f"sip:bob@{PBX}", "unconditional"),
        (f"sip:carol@{PBX}", ""),
    ]
    refused, _ = make_core(mode="never")
    call = dial(refused)
    out = run(refused, CallRedirected(call, 302, "Moved", (), diversion_values=values))
    (ended,) = [e for e in events(out, "call") if e.get("state") == "CallFailed"]
    hops = json.loads(ended["extra"]["redirect_chain"])
    assert hops[0]["diversion_reason"] == "unconditional"


def test_a_target_on_another_host_is_routed_through_the_registrar() -> None:
    core, _ = make_core(port=5070)
    call = dial(core)
    out = redirect(core, call, "<sip:carol@203.0.113.7:5072>")
    assert places(out)[0].headers == (("Route", f"<sip:{PBX}:5070;lr>"),)


def test_an_outbound_proxy_already_routes_it() -> None:
    core, _ = make_core(outbound_proxy="proxy.example")
    call = dial(core)
    assert places(redirect(core, call, "<sip:carol@203.0.113.7>"))[0].headers == ()


def test_busy_target_moves_on_in_q_order_then_six_hundred_stops() -> None:
    core, _ = make_core()
    call = dial(core)
    contacts = f"<sip:c@{PBX}>;q=0.2, <sip:d@{PBX}>;q=0.9, <sip:e@{PBX}>;q=0.5"
    assert places(redirect(core, call, contacts))[0].uri == f"sip:d@{PBX}"
    out = run(core, CallProgress(call, "DISCONNECTED", 486, "Busy Here"))
    assert places(out)[0].uri == f"sip:e@{PBX}" and core.calls[call].state == CallState.RINGBACK
    out = run(core, CallProgress(call, "DISCONNECTED", 603, "Decline"))
    assert places(out) == []
    view = core.calls[call]
    assert view.state == CallState.FAILED and view.text == "Decline" and view.code == 603
    assert [h["code"] for h in json.loads(view.extra["redirect_chain"])] == [302, 486, 603]


def test_last_target_failing_ends_the_call_with_its_reason() -> None:
    core, _ = make_core()
    call = dial(core)
    redirect(core, call, f"<sip:c@{PBX}>")
    out = run(core, CallProgress(call, "DISCONNECTED", 486, "Busy Here"))
    assert places(out) == [] and core.calls[call].text == "Busy here!"


def test_hop_limit_loop_and_no_contact() -> None:
    core, _ = make_core()
    call = dial(core, "h0")
    for n in range(1, 6):
        assert places(redirect(core, call, f"<sip:h{n}@{PBX}>"))
    assert places(redirect(core, call, f"<sip:h6@{PBX}>")) == []
    assert core.calls[call].text == "Too many redirects!"

    call = dial(core, "bob")
    redirect(core, call, f"<sip:carol@{PBX}>")
    redirect(core, call, f"<sip:bob@{PBX}:5060>")
    assert core.calls[call].text == "Redirect loop!"

    call = dial(core, "bob")
    redirect(core, call, "")
    assert core.calls[call].state == CallState.FAILED
    assert core.calls[call].text == "Redirect without target!"


def test_other_3xx_and_blocked_prefix_fail_with_their_reason() -> None:
    core, _ = make_core()
    call = dial(core)
    core.handle(CallRedirected(call, 380, "Alternative Service"))
    assert core.calls[call].text == "Alternative Service!"
    core.settings.features.redirect.block_prefixes = ["00"]
    call = dial(core)
    redirect(core, call, "<tel:+4912345>")
    view = core.calls[call]
    assert view.text == "Forward blocked!"
    assert view.extra["why"] == "Forward to +4912345 blocked: prefix 00"


def test_tel_target_is_dialled_through_the_account() -> None:
    core, _ = make_core()
    call = dial(core)
    assert places(redirect(core, call, "<tel:+1-555-0100>"))[0].uri == f"sip:+15550100@{PBX}"


def test_hanging_up_a_redirected_call_is_not_a_failed_target() -> None:
    core, _ = make_core()
    call = dial(core)
    redirect(core, call, f"<sip:c@{PBX}>;q=0.9, <sip:d@{PBX}>;q=0.1")
    assert core.handle(Hangup(call)) == [HangupCall(call)]
    out = run(core, CallProgress(call, "DISCONNECTED", 487, "Request Terminated"))
    assert places(out) == [] and core.calls[call].state == CallState.FAILED


def test_ask_mode_waits_for_the_user() -> None:
    core, clock = make_core(mode="ask")
    call = dial(core)
    out = redirect(core, call, f"<sip:carol@{PBX}>")
    assert places(out) == []
    assert events(out, "redirect_ask")[0]["target"] == f"sip:carol@{PBX}"
    assert core.calls[call].text == "Forward to: carol?"
    out = run(core, RedirectConfirm(None, accept=True))
    assert places(out) == [PlaceCall(call, 1, f"sip:carol@{PBX}")]

    call = dial(core)
    redirect(core, call, f"<sip:carol@{PBX}>")
    core.handle(RedirectConfirm(call, accept=False))
    assert core.calls[call].text == "Forward declined!"

    call = dial(core)
    redirect(core, call, f"<sip:carol@{PBX}>")
    clock.now += ASK_TIMEOUT + 1
    core.handle(Tick(clock.now))
    assert core.calls[call].text == "Forward declined!"

    call = dial(core)
    redirect(core, call, f"<sip:carol@{PBX}>")
    out = core.handle(Hangup(call))  # no SIP leg to end: the core ends the call itself
    assert not any(isinstance(o, HangupCall) for o in out)
    assert core.calls[call].state == CallState.FINISHED
    assert events(core.handle(RedirectConfirm(call, True)), "error")


def test_never_mode_and_protocol_op() -> None:
    core, _ = make_core(mode="never")
    call = dial(core)
    assert places(redirect(core, call, f"<sip:carol@{PBX}>")) == []
    assert core.calls[call].text == "Call forwarded, redirects off!"
    assert to_input({"v": 1, "op": "redirect_confirm", "accept": False}) == RedirectConfirm(
        None, False
    )


def test_ended_call_is_forgotten_with_its_tracker() -> None:
    core, clock = make_core()
    call = dial(core)
    redirect(core, call, "")
    clock.now += 10
    core.handle(Tick(clock.now))
    assert call not in core.calls and call not in core._trackers
    assert core.handle(CallRedirected(call, 302, "Moved")) == []
