"""The caller side of 3xx redirects inside the phone core.

`PhoneCore` mixes this in. Every outgoing call gets a `RedirectTracker` (the policy in
`redirect.py`); the SIP adapter feeds `CallRedirected` from inside pjsua2's `onCallRedirected`
(it has already stopped the redirected leg), and this code answers at once with a `PlaceCall`
for the next target on the SAME core call id, so the user keeps one call while each target gets
its own INVITE with a new Call-ID. A target answering 4xx/5xx moves on to the next Contact of the
latest 3xx; a 6xx, the hop limit, a loop, a missing or blocked Contact end the call with the
policy's text. The whole chain (targets, codes, reasons) lands in `CallView.extra` for history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from app.phone.dialplan import plan_for
from app.phone.messages import (
    CallProgress,
    CallRedirected,
    Output,
    PlaceCall,
    Publish,
    RedirectConfirm,
    RedirectFollowed,
    Then,
)
from app.phone.model import CallState, CallView, Direction, call_dict
from app.phone.numbers import numbering_for
from app.phone.redirect import TEXT_NOT_PENDING, DecisionKind, RedirectDecision, RedirectTracker
from app.phone.settings import Settings
from app.phone.sipheaders import diversion_of
from app.phone.sipuri import SipUri, parse_uri

ASK_TIMEOUT = 30.0  # seconds an "ask" redirect waits for the user before the call fails
REDIRECT_LINGER = 3.0  # as ENDED_LINGER in core.py: a failed call stays on screen this long

_WAITING_STATES = {CallState.CONNECTING, CallState.RINGBACK}


class RedirectingCalls:
    """Mixin for PhoneCore: owns the trackers of outgoing calls."""

    settings: Settings
    calls: dict[str, CallView]
    local_domain: str
    _timers: dict[str, float]
    _clock: Callable[[], float]

    def _init_redirects(self) -> None:
        self._trackers: dict[str, RedirectTracker] = {}
        self._asking: dict[str, str] = {}  # call id -> target offered to the user
        self._leaving: set[str] = set()  # the user hung up: the 487 that follows is no failure

    # ---- hooks called by the core ---------------------------------------------------------

    def _track_outgoing(self, view: CallView) -> None:
        numbering = numbering_for(self.settings.audio.tone_country)
        plan = plan_for(self.settings.dialplan)

        def block_out(number: str) -> str | None:
            rule = plan.blocked(number, view.account, numbering)
            return rule.pattern.text if rule is not None else None

        self._trackers[view.id] = RedirectTracker(
            view.remote_uri,
            self._redirect_domain(view.account),
            self.settings.features.redirect,
            numbering,
            block_out if plan.block_out else None,  # no rule: no number to work out
        )

    def _forget_redirects(self, call: str) -> None:
        self._trackers.pop(call, None)
        self._asking.pop(call, None)
        self._leaving.discard(call)
        self._timers.pop(f"ask:{call}", None)

    def _redirected_leg_failed(self, view: CallView, msg: CallProgress) -> bool:
        """True when this DISCONNECTED is a redirect target's failure the policy must judge."""
        tracker = self._trackers.get(view.id)
        return (
            tracker is not None
            and tracker.redirects > 0
            and view.direction == Direction.OUTGOING
            and not view.answered
            and view.id not in self._leaving
            and 400 <= msg.code < 700
        )

    def _on_target_failed(self, view: CallView, msg: CallProgress) -> list[Output]:
        tracker = self._trackers[view.id]
        decision = tracker.on_target_failed(msg.code, msg.reason)
        return self._apply_redirect(view, decision, msg.code, msg.reason)

    def _redirect_answered(self, view: CallView, code: int, reason: str) -> dict[str, str]:
        """Extra fields once a target answered: the chain now ends with it."""
        tracker = self._trackers.get(view.id)
        if tracker is None or tracker.redirects == 0:
            return {}
        tracker.on_answered(code, reason or "OK")
        return {**view.extra, "redirect_chain": _chain_json(tracker)}

    def _user_leaves(self, view: CallView) -> list[Output] | None:
        """The user hangs up. While an "ask" question is open there is no SIP leg to end, so the
        call ends here; otherwise None and the core sends the hangup."""
        self._leaving.add(view.id)
        if view.id not in self._asking:
            return None
        return self._end_redirected(view, CallState.FINISHED, "Call Finish", 0, "", "cancelled")

    def _ask_expired(self, view: CallView) -> list[Output]:
        if view.id not in self._asking:
            return []
        return self._on_confirm(RedirectConfirm(view.id, accept=False))

    # ---- inputs ---------------------------------------------------------------------------

    def _on_redirected(self, msg: CallRedirected) -> list[Output]:
        view = self.calls.get(msg.call)
        if view is None or view.state not in _WAITING_STATES:
            return []
        tracker = self._trackers.get(view.id)
        if tracker is None:
            self._track_outgoing(view)
            tracker = self._trackers[view.id]
        if 300 <= msg.code < 400:
            decision = tracker.on_redirect(msg.code, list(msg.contacts), msg.diversion, msg.reason)
            if msg.diversion_values and decision.kind == DecisionKind.FOLLOW:
                # Diversion only names the chain's reason: read in RedirectFollowed's turn
                return self._apply_redirect(
                    view, decision, msg.code, msg.reason, msg.diversion_values
                )
            if msg.diversion_values:
                tracker.note_diversion(diversion_of(msg.diversion_values))
        else:  # pjsua2 moving on inside its own target set: treat it as a failed target
            decision = tracker.on_target_failed(msg.code, msg.reason)
        return self._apply_redirect(view, decision, msg.code, msg.reason)

    def _on_followed(self, msg: RedirectFollowed) -> list[Output]:
        """After the new INVITE went out: the chain for history, and the events."""
        view = self.calls.get(msg.call)
        tracker = self._trackers.get(msg.call)
        if view is None or tracker is None:
            return []
        if msg.diversion_values:
            tracker.note_diversion(diversion_of(msg.diversion_values))
        new = replace(view, extra={**view.extra, "redirect_chain": _chain_json(tracker)})
        self.calls[view.id] = new
        info = {"call": view.id, "target": msg.target, "text": msg.text}
        return [Publish("call", call_dict(new)), Publish("redirect", info)]

    def _on_confirm(self, msg: RedirectConfirm) -> list[Output]:
        call = msg.call if msg.call is not None else next(iter(self._asking), None)
        view = self.calls.get(call) if call is not None else None
        if view is None or view.id not in self._asking or view.id not in self._trackers:
            return [Publish("error", {"text": TEXT_NOT_PENDING})]
        del self._asking[view.id]
        self._timers.pop(f"ask:{view.id}", None)
        decision = self._trackers[view.id].confirm(msg.accept)
        return self._apply_redirect(view, decision, view.code, view.reason)

    # ---- decisions ------------------------------------------------------------------------

    def _apply_redirect(
        self,
        view: CallView,
        decision: RedirectDecision,
        code: int,
        reason: str,
        diversion_values: tuple[str, ...] = (),
    ) -> list[Output]:
        if decision.kind == DecisionKind.FOLLOW:
            # Only what the new INVITE needs happens before it is sent (one core call, one
            # new leg): the chain, the events and the tones come in RedirectFollowed's turn.
            self.calls[view.id] = replace(
                view,
                remote_uri=decision.target,
                remote_name="",
                code=code,
                reason=reason,
                text=decision.screen_text,
                extra={"original_uri": view.remote_uri, **view.extra},
            )
            place = PlaceCall(
                view.id,
                view.account,
                decision.target,
                self._route_headers(view, decision.uri or parse_uri(decision.target)),
            )
            followed = RedirectFollowed(
                view.id, decision.target, decision.screen_text, diversion_values
            )
            return [place, Then(followed)]
        tracker = self._trackers[view.id]
        extra = {**view.extra, "redirect_chain": _chain_json(tracker)}
        extra.setdefault("original_uri", view.remote_uri)
        if decision.kind == DecisionKind.ASK:
            self._asking[view.id] = decision.target
            self._timers[f"ask:{view.id}"] = self._clock() + ASK_TIMEOUT
            extra["redirect_offer"] = decision.target
            new = replace(view, code=code, reason=reason, text=f"{decision.screen_text}?")
            new = replace(new, extra=extra)
            self.calls[view.id] = new
            info = {"call": view.id, "target": decision.target, "text": decision.screen_text}
            return [Publish("call", call_dict(new)), Publish("redirect_ask", info)]
        self.calls[view.id] = replace(view, extra={**extra, "why": decision.screen_text})
        return self._end_redirected(
            self.calls[view.id],
            CallState.FAILED,
            decision.failure_text,
            decision.code or code,
            reason,
            "failed",
        )

    def _end_redirected(
        self, view: CallView, state: CallState, text: str, code: int, reason: str, result: str
    ) -> list[Output]:
        now = self._clock()
        tracker = self._trackers.get(view.id)
        extra = {**view.extra, "result": result}
        if tracker is not None and tracker.redirects:
            extra["redirect_chain"] = _chain_json(tracker)
        ended = replace(
            view, state=state, ended=now, text=text, code=code, reason=reason, extra=extra
        )
        self.calls[view.id] = ended
        self._asking.pop(view.id, None)
        self._timers.pop(f"ask:{view.id}", None)
        self._timers[f"remove:{view.id}"] = now + REDIRECT_LINGER
        return [Publish("call", call_dict(ended))]

    # ---- routing --------------------------------------------------------------------------

    def _redirect_domain(self, account: int) -> str:
        if 0 < account <= len(self.settings.accounts):
            return self.settings.accounts[account - 1].domain
        return self.local_domain

    def _route_headers(self, view: CallView, uri: SipUri | None) -> tuple[tuple[str, str], ...]:
        """A Route to the account's registrar when the target is elsewhere, so the proxy sees
        (and may police) the new INVITE, as in the seed flow. An outbound proxy is already in
        the account's route set."""
        if not 0 < view.account <= len(self.settings.accounts):
            return ()
        acc = self.settings.accounts[view.account - 1]
        if acc.outbound_proxy or not acc.server:
            return ()
        default = 5061 if acc.transport == "tls" else 5060
        registrar = (acc.server.lower(), acc.port or default)
        if uri is None or (uri.host, uri.port or default) == registrar:
            return ()
        scheme = "sips" if acc.transport == "tls" else "sip"
        transport = "" if acc.transport == "udp" else f";transport={acc.transport}"
        return (("Route", f"<{scheme}:{acc.domain};lr{transport}>"),)


def _chain_json(tracker: RedirectTracker) -> str:
    # A Hop's fields are flat strings and ints: its __dict__ is what asdict() would copy.
    return json.dumps([vars(hop) for hop in tracker.chain], separators=(",", ":"))
