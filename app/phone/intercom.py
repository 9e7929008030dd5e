"""Intercom and pickup calls: the headers they carry out, and how an incoming intercom call is
answered.

Out: an Intercom key's call carries the configured header (features.intercom.header, Yealink's
`Call-Info: <sip:notused>;answer-after=0` by default; docs/yealink.md §13), and a directed
pickup by Replaces carries `Replaces:` (RFC 3891) with `Require: replaces`, so that a far end
without Replaces refuses it (420) instead of ringing as a new call.

In: a call is an intercom call when its INVITE asks to be answered at once (Call-Info with
answer-after=0, Alert-Info with info=alert-autoanswer, "Auto Answer" or "Intercom", the forms
Yealink, Aastra/Mitel, Polycom and Snom send). With features.intercom.allow it is answered at
once (also during a call with .barge, the call held), muted with .mute, with a warning tone
with .tone; otherwise it rings like any call.

An answer without the user opens the microphone to the caller, so the phone gives it only to
calls that came through its own servers: while it accepts calls from them alone (sip.trust_ctrl
on and an account registered; the SIP side then drops requests from anywhere else). A direct
IP call, or any call while trust_ctrl is off, rings even when it asks for intercom. Yealink
has no such condition; DeskPhone's choice (docs/yealink.md §13).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, replace

from app.phone.incoming_policy import IncomingPolicy
from app.phone.intents import DirectedPickup, Intercom
from app.phone.messages import Dial, MuteMic, Output, Publish
from app.phone.model import CallView
from app.phone.settings import IntercomSettings, Settings

INTERCOM = "intercom"  # CallView.extra key of a call answered as intercom
WARNING_TONE = "autoanswer"  # the tone kind (Yealink voice.tone.autoanswer)

_ANSWER_AFTER = re.compile(r"answer-after\s*=\s*0*(\d+)", re.IGNORECASE)
_ALERT = re.compile(r"alert-autoanswer|auto\s*answer|\bintercom\b", re.IGNORECASE)
_SAFE_REPLACES = re.compile(r"^[\x21-\x7e]{1,400}$")


def header_of(spec: str) -> tuple[tuple[str, str], ...]:
    """The configured 'Name: value' as a header; () when blank."""
    name, colon, value = spec.partition(":")
    if not colon or not name.strip() or not value.strip():
        return ()
    return ((name.strip(), value.strip()),)


def is_intercom(headers: Iterable[tuple[str, str]]) -> bool:
    for name, value in headers:
        key = name.lower()
        if key == "call-info":
            found = _ANSWER_AFTER.search(value)
            if found and int(found.group(1)) == 0:
                return True
        elif key == "alert-info" and _ALERT.search(value):
            return True
    return False


def answer_at_once(rules: IntercomSettings, in_call: bool) -> bool:
    """Whether an incoming intercom call is answered by the phone itself."""
    return rules.allow and (rules.barge or not in_call)


def pickup_headers(replaces: str) -> tuple[tuple[str, str], ...] | None:
    """Replaces and Require for a directed pickup; None when `replaces` is unsafe to send."""
    if not _SAFE_REPLACES.match(replaces) or replaces.count(";") > 4:
        return None
    return (("Replaces", replaces), ("Require", "replaces"))


class IntercomCalls:
    """Mixin for PhoneCore: the calls of Intercom keys and BLF pickups, and an incoming
    intercom call answered by the phone itself."""

    settings: Settings
    calls: dict[str, CallView]
    muted: bool

    def _dial(self, msg: Dial, headers: tuple[tuple[str, str], ...] = ()) -> list[Output]:
        raise NotImplementedError  # PhoneCore's

    def _answer_call(self, view: CallView) -> list[Output]:
        raise NotImplementedError  # CallControl's

    def incoming_policy(self) -> IncomingPolicy:
        raise NotImplementedError  # IncomingScreening's

    def _office_call(self, msg: Intercom | DirectedPickup) -> list[Output]:
        if isinstance(msg, Intercom):
            headers = header_of(self.settings.features.intercom.header)
            return self._dial(Dial(msg.target, msg.account), headers)
        # a BLF key picks up a colleague's ringing call: INVITE with Replaces to the caller
        pickup = pickup_headers(msg.replaces)
        if pickup is None or not msg.uri.lower().startswith(("sip:", "sips:")):
            return [Publish("error", {"text": "Pickup not possible"})]
        return self._dial(Dial(msg.uri, msg.account), pickup)

    def _answers_intercom(self, headers: Iterable[tuple[str, str]], in_call: bool) -> bool:
        """An incoming call that would ring is an intercom call the phone answers itself: one
        that asks for it, allowed by the settings, from a trusted server (see the top)."""
        return (
            is_intercom(headers)
            and answer_at_once(self.settings.features.intercom, in_call)
            and self.incoming_policy().trust_only
        )

    def _intercom(self, view: CallView) -> list[Output]:
        """An intercom call the user allows: answered now, muted if the settings say so."""
        view = replace(view, extra={**view.extra, INTERCOM: "answered"})
        self.calls[view.id] = view
        out: list[Output] = [*self._answer_call(view), Publish("call", asdict(view))]
        if self.settings.features.intercom.mute and not self.muted:
            self.muted = True
            out += [MuteMic(True), Publish("mute", {"on": True})]
        return out
