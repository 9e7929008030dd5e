"""Incoming calls in the core: ring, forward (now or after N rings) or refuse, and the calls the
SIP layer already answered itself from the policy (stateless forward, DND, busy).

A mixin of PhoneCore (app/phone/core.py), like the other call parts; the routing rules are in
app/phone/incoming.py, this part only applies their answer to the call list, the timers and
the events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from app.phone.call_control import caller_id
from app.phone.forward import REASON_DEFLECTION, ForwardDecision, forward_now
from app.phone.incoming import account_settings, diversion_extra, route_incoming
from app.phone.intents import ForwardCall
from app.phone.messages import AnswerCall, IncomingAnswered, IncomingCall, Output, Publish
from app.phone.model import AccountView, CallState, CallView, Direction, call_dict
from app.phone.settings import Settings


class IncomingCalls:
    """Mixin for PhoneCore: what happens to a new incoming call."""

    settings: Settings
    calls: dict[str, CallView]
    accounts: dict[int, AccountView]
    local_domain: str
    _clock: Callable[[], float]
    _timers: dict[str, float]
    _forwards: dict[str, ForwardDecision]

    def live_calls(self) -> list[CallView]:
        raise NotImplementedError  # PhoneCore's

    def _pick_account(self, wanted: int | None) -> int:
        raise NotImplementedError  # PhoneCore's

    def _find(self, call: str | None, states: set[CallState]) -> CallView | None:
        raise NotImplementedError  # PhoneCore's

    def _end_now(self, view: CallView, result: str, why: str, **extra: str) -> CallView:
        raise NotImplementedError  # PhoneCore's

    def _answers_intercom(self, headers: Iterable[tuple[str, str]], in_call: bool) -> bool:
        raise NotImplementedError  # IntercomCalls'

    def _intercom(self, view: CallView) -> list[Output]:
        raise NotImplementedError  # IntercomCalls'

    def _arm_auto_answer(self, view: CallView) -> None:
        raise NotImplementedError  # CallControl's

    def _incoming_view(self, msg: IncomingCall | IncomingAnswered) -> CallView:
        account = msg.account if msg.account in self.accounts else self._pick_account(None)
        remote_uri, remote_name = caller_id(msg.remote_uri, msg.remote_name, msg.headers)
        view = CallView(
            id=msg.call,
            account=account,
            direction=Direction.INCOMING,
            remote_uri=remote_uri,
            remote_name=remote_name,
            state=CallState.CALLIN,
            started=self._clock(),
            extra=diversion_extra(msg.headers),
        )
        self.calls[view.id] = view
        return view

    def _on_answered(self, msg: IncomingAnswered) -> list[Output]:
        """Forwarded or refused by the SIP layer from the policy: recorded, never shown (the
        handset stays idle, as for a call forwarded here), so it is removed at once: a
        forward-always phone under load would otherwise keep 3 s worth of calls around."""
        view, route = self._incoming_view(msg), msg.route
        if route.kind == "forward" and route.forward is not None:
            fwd = route.forward
            ended = self._end_now(view, "forwarded", fwd.reason, forwarded_to=fwd.target)
        else:
            view = replace(view, code=route.code, reason=route.reason)
            ended = self._end_now(view, "refused", route.why)
        del self.calls[view.id]
        self._timers.pop(f"remove:{view.id}", None)
        return [Publish("call", call_dict(ended)), Publish("call_removed", {"id": view.id})]

    def _on_incoming(self, msg: IncomingCall) -> list[Output]:
        in_call = any(c.id != msg.call for c in self.live_calls())
        view = self._incoming_view(msg)
        route = route_incoming(
            self.settings, view.account, msg.remote_uri, in_call, self.local_domain
        )
        if route.kind == "ring" and self._answers_intercom(msg.headers, in_call):
            return self._intercom(view)
        if route.kind == "ring":
            if route.forward is not None:
                self._forwards[view.id] = route.forward
                self._timers[f"fwd:{view.id}"] = view.started + route.forward.delay
            ringing = self.settings.features.ringing_timeout
            self._timers[f"ring:{view.id}"] = view.started + ringing
            self._arm_auto_answer(view)
            return [AnswerCall(view.id, 180), Publish("call", call_dict(view))]
        if route.kind == "forward" and route.forward is not None:
            return self._forward(view, route.forward)
        ended = self._end_now(
            replace(view, code=route.code, reason=route.reason), "refused", route.why
        )
        return [AnswerCall(view.id, route.code, route.reason), Publish("call", call_dict(ended))]

    def _forward(self, view: CallView, decision: ForwardDecision) -> list[Output]:
        ended = self._end_now(view, "forwarded", decision.reason, forwarded_to=decision.target)
        return [
            AnswerCall(view.id, decision.code, decision.status_text, decision.headers),
            Publish("call", call_dict(ended)),
        ]

    def _forward_ringing(self, msg: ForwardCall) -> list[Output]:
        """The Forward soft key: the ringing call goes to the typed target by 302."""
        view = self._find(msg.call, {CallState.CALLIN})
        if view is None:
            return []
        decision = forward_now(
            msg.target,
            account_settings(self.settings, view.account),
            REASON_DEFLECTION,
            international=self.settings.forward.international,
            fallback_domain=self.local_domain,
        )
        if decision.kind != "now":
            return [Publish("error", {"text": f"Cannot forward to {msg.target}: {decision.note}"})]
        return self._forward(view, decision)
