"""Intercom calls (app/phone/intercom.py): which INVITEs are intercom calls, and what the phone
does with one (features.intercom.allow / .mute / .tone / .barge)."""

from __future__ import annotations

import pytest

from app.phone.core_audio import SoundingPhoneCore
from app.phone.intercom import header_of, is_intercom, pickup_headers
from app.phone.messages import (
    AnswerCall,
    HoldCall,
    IncomingCall,
    MuteMic,
    PlayTone,
    Publish,
    RegistrationChanged,
    StopTone,
    Tick,
)
from app.phone.model import AccountView, CallState, RegState
from app.phone.settings import AccountSettings, Settings
from tests.gui.fake_phone import FakePhone

CALL_INFO = (("Call-Info", "<sip:notused>;answer-after=0"),)


@pytest.mark.parametrize(
    ("headers", "intercom"),
    [
        (CALL_INFO, True),
        ((("Call-Info", "<http://x>; Answer-After = 0"),), True),
        ((("Call-Info", "<sip:x>;answer-after=5"),), False),
        ((("Alert-Info", "<http://127.0.0.1>;info=alert-autoanswer;delay=0"),), True),
        ((("Alert-Info", "Intercom"),), True),
        ((("Alert-Info", "Auto Answer"),), True),
        ((("Alert-Info", "<http://x/Ring3.wav>"),), False),
        ((("Diversion", "<sip:intercom@x>"),), False),
        ((), False),
    ],
)
def test_which_calls_are_intercom_calls(
    headers: tuple[tuple[str, str], ...], intercom: bool
) -> None:
    assert is_intercom(headers) is intercom


def test_configured_header_and_pickup_headers() -> None:
    assert header_of("Alert-Info: Intercom") == (("Alert-Info", "Intercom"),)
    assert header_of("") == () and header_of("nonsense") == ()
    assert pickup_headers("c@h;to-tag=a;from-tag=b;early-only") == (
        ("Replaces", "c@h;to-tag=a;from-tag=b;early-only"),
        ("Require", "replaces"),
    )
    assert pickup_headers("c@h;to-tag=a\r\nX: y") is None
    assert pickup_headers("a;b;c;d;e;f") is None


def test_an_allowed_intercom_call_is_answered_at_once_with_a_warning_tone() -> None:
    now = [10.0]
    core = SoundingPhoneCore(
        Settings(accounts=[AccountSettings(user="a", server="h")]), lambda: now[0]
    )
    core.handle(RegistrationChanged(1, 200, "OK", 300, True, "127.0.0.1:5060"))
    out = core.handle(IncomingCall("i1", 1, "<sip:2001@h>", "", CALL_INFO))
    assert AnswerCall("i1", 200) in out
    assert PlayTone("autoanswer", "i1") in out
    assert core.calls["i1"].extra["intercom"] == "answered"
    assert core.next_deadline() is not None and core.next_deadline() <= now[0] + 0.5
    now[0] += 1.0
    assert StopTone() in core.handle(Tick(now[0]))  # one short warning, then the call's audio


def test_intercom_rules_on_the_phone() -> None:
    p = FakePhone()
    p.ring_in("sip:2001@127.0.0.1", headers=CALL_INFO)
    assert p.core.calls["i1"].state == CallState.TALKING  # answered without a key
    assert p.handset.screen().name == "talking"
    p.press("X")

    p = FakePhone()
    p.settings.features.intercom.allow = False
    p.settings_changed()
    p.ring_in("sip:2001@127.0.0.1", headers=CALL_INFO)
    assert p.core.calls["i1"].state == CallState.CALLIN  # rings like any call
    assert AnswerCall("i1", 180) in p.commands

    p = FakePhone()
    p.settings.features.intercom.mute = True
    p.settings_changed()
    p.ring_in("sip:2001@127.0.0.1", headers=CALL_INFO)
    assert (
        p.core.muted and MuteMic(True) in p.commands and Publish("mute", {"on": True}) in p.events
    )


def test_intercom_rings_unless_the_call_came_through_a_trusted_server() -> None:
    """Answering by itself opens the microphone: only while the phone takes calls from its
    registered accounts' servers alone (sip.trust_ctrl on, an account registered)."""
    p = FakePhone()
    p.settings.trust_ctrl = False  # calls from anywhere: a ghost call could ask for intercom
    p.settings_changed()
    p.ring_in("sip:2001@127.0.0.1", headers=CALL_INFO)
    assert p.core.calls["i1"].state == CallState.CALLIN
    assert p.handset.screen().name == "incoming"
    assert AnswerCall("i1", 200) not in p.commands

    # no account registered (direct IP calls from anyone): it rings too
    p = FakePhone([AccountView(1, "1001", "sip:1001@127.0.0.1", RegState.FAILED, 403)])
    assert not p.core.incoming_policy().trust_only
    p.ring_in("sip:2001@127.0.0.1", headers=CALL_INFO)
    assert p.core.calls["i1"].state == CallState.CALLIN


def test_during_a_call_intercom_rings_unless_barge_is_on() -> None:
    p = FakePhone()
    p.ring_in("sip:2001@127.0.0.1")
    p.press("OK")
    p.ring_in("sip:2002@127.0.0.1", headers=CALL_INFO)
    assert p.core.calls["i2"].state == CallState.CALLIN  # a waiting call, as usual
    p = FakePhone()
    p.settings.features.intercom.barge = True
    p.settings_changed()
    p.ring_in("sip:2001@127.0.0.1")
    p.press("OK")
    p.ring_in("sip:2002@127.0.0.1", headers=CALL_INFO)
    assert p.core.calls["i2"].state == CallState.TALKING
    assert p.core.calls["i1"].state == CallState.HOLD and HoldCall("i1") in p.commands
