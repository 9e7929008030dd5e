"""The phone core: every rule of the handset as a pure state machine.

Adapters feed it facts and the UI feeds it intents through `handle()`; it answers with commands
for the adapters and events for the UI. It never does I/O and never reads a clock on its own
(the engine passes time in), so it is tested fast without a network.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from app.phone.accounts import LOCAL_ACCOUNT as LOCAL_ACCOUNT
from app.phone.accounts import AccountRegistry
from app.phone.call_control import CONTROL_INPUTS, CallControl, ControlInput
from app.phone.dialing import DialError, to_request_uri
from app.phone.dialplan import DialPlan, plan_for, planned_target
from app.phone.forward import ForwardDecision
from app.phone.incoming import account_settings
from app.phone.incoming_calls import IncomingCalls
from app.phone.intents import DirectedPickup, ForwardCall, Intercom
from app.phone.intercom import IntercomCalls
from app.phone.messages import (
    Answer,
    CallProgress,
    CallRedirected,
    Dial,
    Hangup,
    HangupAll,
    HangupCall,
    IncomingAnswered,
    IncomingCall,
    Input,
    MessageReceived,
    MessageWaiting,
    Output,
    PlaceCall,
    Publish,
    RedirectConfirm,
    RedirectFollowed,
    RegistrationChanged,
    Tick,
    TransportInfo,
)
from app.phone.model import (
    AccountView,
    CallState,
    CallView,
    Direction,
    RegState,
    call_dict,
    failure_text,
)
from app.phone.numbers import numbering_for
from app.phone.redirect_calls import RedirectingCalls
from app.phone.screening import IncomingScreening
from app.phone.settings import Settings
from app.phone.texts import T
from app.phone.voicemail import VoiceMail

# What the core takes: facts and intents (messages.Input), and the handset's call intents.
CoreInput = Input | ForwardCall | Intercom | DirectedPickup | ControlInput
ENDED_LINGER = 3.0  # seconds a finished or failed call stays on screen, as on the handset
# Answers to an offer the other side cannot take: with SRTP compulsory, a peer without it.
SRTP_REFUSALS = frozenset({415, 488, 606})

_LIVE = {
    CallState.DIALING,
    CallState.CONNECTING,
    CallState.RINGBACK,
    CallState.CALLIN,
    CallState.TALKING,
    CallState.HOLD,
    CallState.HELD,
}


def account_dict(view: AccountView) -> dict[str, Any]:
    return asdict(view)


class PhoneCore(
    AccountRegistry,
    CallControl,
    RedirectingCalls,
    IncomingScreening,
    IntercomCalls,
    VoiceMail,
    IncomingCalls,  # last: its stubs must not hide the other parts' methods
):
    def __init__(self, settings: Settings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self._clock = clock
        self.accounts: dict[int, AccountView] = {}
        self.calls: dict[str, CallView] = {}
        self.transport: TransportInfo | None = None
        self.last_dialed = ""
        self._ids = itertools.count(1)
        self._timers: dict[str, float] = {}
        self._forwards: dict[str, ForwardDecision] = {}  # armed no-answer forwards
        self.local_domain = ""  # host:port of the embedded account, for numbers without a server
        self._init_redirects()
        self._init_control()
        self._init_accounts()
        self._init_screening()
        self._init_voice_mail()

    # ---- queries --------------------------------------------------------------------------

    def live_calls(self) -> list[CallView]:
        return [c for c in self.calls.values() if c.state in _LIVE]

    def next_deadline(self) -> float | None:
        return min(self._timers.values(), default=None)

    def snapshot(self) -> dict[str, Any]:
        return {
            "accounts": [account_dict(a) for a in self.accounts.values()],
            "calls": [call_dict(c) for c in self.calls.values()],
            "transport": asdict(self.transport) if self.transport else None,
            "voice_mail": self.voice_mail_snapshot(),
        }

    @property
    def dial_plan(self) -> DialPlan:
        return plan_for(self.settings.dialplan)

    def domain_of(self, account: int) -> str | None:
        if account == LOCAL_ACCOUNT or account > len(self.settings.accounts):
            return None
        return self.settings.accounts[account - 1].domain

    # ---- the one entry point --------------------------------------------------------------

    def handle(self, msg: CoreInput) -> list[Output]:
        if isinstance(msg, CONTROL_INPUTS):
            return self._control(msg)
        match msg:
            case RegistrationChanged():
                self._note_server(msg)
                return self._on_registration(msg)
            case IncomingCall():
                return self._on_incoming(msg)
            case IncomingAnswered():
                return self._on_answered(msg)
            case CallProgress():
                return self._on_progress(msg)
            case CallRedirected():
                return self._on_redirected(msg)
            case RedirectConfirm():
                return self._on_confirm(msg)
            case RedirectFollowed():
                return self._on_followed(msg)
            case MessageReceived():
                return [Publish("message", asdict(msg))]
            case MessageWaiting():
                return self._on_message_waiting(msg)
            case TransportInfo():
                self.transport = msg
                return [Publish("transport", asdict(msg))]
            case Dial():
                return self._dial(msg)
            case Intercom() | DirectedPickup():
                return self._office_call(msg)
            case Answer():
                return self._answer(msg)
            case Hangup():
                return self._hangup(msg)
            case HangupAll():
                return [HangupCall(c.id) for c in self.live_calls()]
            case Tick():
                return self._tick(msg.now)
            case ForwardCall():
                return self._forward_ringing(msg)
        return []

    # ---- accounts -------------------------------------------------------------------------

    def _pick_account(self, wanted: int | None) -> int:
        if wanted is not None and wanted in self.accounts:
            return wanted
        for index, view in self.accounts.items():
            if view.state == RegState.REGISTERED:
                return index
        return next(iter(self.accounts))

    # ---- calls ----------------------------------------------------------------------------

    def _new_call(self, prefix: str, **kwargs: Any) -> CallView:
        call_id = f"{prefix}{next(self._ids)}"
        view = CallView(id=call_id, started=self._clock(), **kwargs)
        self.calls[call_id] = view
        return view

    def _dial(self, msg: Dial, headers: tuple[tuple[str, str], ...] = ()) -> list[Output]:
        account = self._pick_account(msg.account)
        try:
            numbering = numbering_for(self.settings.audio.tone_country)
            target = planned_target(self.dial_plan, msg.target, account, numbering)
            uri = to_request_uri(target, self.domain_of(account))
        except DialError as exc:  # also a block-out rule's "Forbidden number!"
            return [Publish("error", {"text": str(exc)})]
        self.last_dialed = msg.target
        view = self._new_call(
            "o",
            account=account,
            direction=Direction.OUTGOING,
            remote_uri=uri,
            state=CallState.CONNECTING,
        )
        self._track_outgoing(view)
        return [PlaceCall(view.id, account, uri, headers), Publish("call", call_dict(view))]

    def _end_now(self, view: CallView, result: str, why: str, **extra: str) -> CallView:
        now = self._clock()
        ended = replace(
            view,
            state=CallState.FINISHED,
            ended=now,
            text="Call Finish",
            extra={**view.extra, "result": result, "why": why, **extra},
        )
        self.calls[view.id] = ended
        for key in (f"fwd:{view.id}", f"ring:{view.id}"):
            self._timers.pop(key, None)
        self._forwards.pop(view.id, None)
        self._timers[f"remove:{view.id}"] = now + ENDED_LINGER
        return ended

    def _on_progress(self, msg: CallProgress) -> list[Output]:
        view = self.calls.get(msg.call)
        if view is None or view.state not in _LIVE:
            return []
        if msg.sip_state == "DISCONNECTED" and self._redirected_leg_failed(view, msg):
            return self._on_target_failed(view, msg)
        now = self._clock()
        changes: dict[str, Any] = {"code": msg.code, "reason": msg.reason}
        if msg.remote_name and not view.remote_name:
            changes["remote_name"] = msg.remote_name
        match msg.sip_state:
            case "EARLY" if view.direction == Direction.OUTGOING and msg.code in (180, 183):
                changes["state"] = CallState.RINGBACK
            case "CONFIRMED":
                changes["state"] = CallState.TALKING
                if not view.answered:
                    changes["answered"] = now
                    # what the call said while it was set up ("Forward to: carol") is done
                    changes["text"] = ""
                    if extra := self._redirect_answered(view, msg.code, msg.reason):
                        changes["extra"] = extra
            case "DISCONNECTED":
                changes.update(self._ending(view, msg, now))
        new = replace(view, **changes)
        self.calls[view.id] = new
        out: list[Output] = [Publish("call", call_dict(new))]
        if msg.sip_state == "DISCONNECTED":
            out += self._conference_call_ended(view.id)
        return out

    def _ending(self, view: CallView, msg: CallProgress, now: float) -> dict[str, Any]:
        self._timers[f"remove:{view.id}"] = now + ENDED_LINGER
        self._timers.pop(f"fwd:{view.id}", None)
        self._timers.pop(f"ring:{view.id}", None)
        self._forwards.pop(view.id, None)
        if view.direction == Direction.INCOMING and not view.answered:
            return {
                "state": CallState.FINISHED,
                "ended": now,
                "text": "Call Finish",
                "extra": {"result": "missed", **view.extra},  # a user's reject stays one
            }
        if view.answered or view.direction == Direction.INCOMING:
            return {"state": CallState.FINISHED, "ended": now, "text": "Call Finish"}
        if msg.code >= 300:
            text = failure_text(msg.code, msg.reason)
            srtp = account_settings(self.settings, view.account).srtp
            if srtp == "compulsory" and msg.code in SRTP_REFUSALS:
                text = T.SRTP_REFUSED
            return {"state": CallState.FAILED, "ended": now, "text": text}
        return {"state": CallState.FINISHED, "ended": now, "text": "Call Finish"}

    def _find(self, call: str | None, states: set[CallState]) -> CallView | None:
        if call is not None:
            view = self.calls.get(call)
            return view if view is not None and view.state in states else None
        return next((c for c in self.calls.values() if c.state in states), None)

    def _answer(self, msg: Answer) -> list[Output]:
        view = self._find(msg.call, {CallState.CALLIN})
        return self._answer_call(view) if view else []

    def _hangup(self, msg: Hangup) -> list[Output]:
        talking = _LIVE - {CallState.CALLIN}
        view = self._find(msg.call, talking) if msg.call is None else self._find(msg.call, _LIVE)
        if view is None:
            view = self._find(None, {CallState.CALLIN})
        if view is None:
            return []
        if view.state == CallState.CALLIN:
            self.calls[view.id] = replace(view, extra={**view.extra, "result": "rejected"})
            return [HangupCall(view.id, self.settings.features.normal_refuse_code)]
        return self._user_leaves(view) or [HangupCall(view.id)]

    def _tick(self, now: float) -> list[Output]:
        out: list[Output] = []
        due = [(k, d) for k, d in self._timers.items() if d <= now]  # sort only what is due
        for key, _deadline in sorted(due, key=lambda kv: kv[1]):
            if key not in self._timers:
                continue  # an earlier timer's handling already took it
            del self._timers[key]
            kind, _, arg = key.partition(":")
            if kind == "reg":
                out.extend(self._reg_timer(arg))
                continue
            view = self.calls.get(arg)
            if view is None:
                continue
            if kind == "remove":
                del self.calls[arg]
                self._forget_redirects(arg)
                self._forget_control(arg)
                out.append(Publish("call_removed", {"id": arg}))
            elif kind == "fwd" and view.state == CallState.CALLIN and arg in self._forwards:
                out.extend(self._forward(view, self._forwards.pop(arg)))
            elif kind == "ring" and view.state == CallState.CALLIN:
                # Rang out unanswered: the phone stops ringing and the call is missed.
                ended = self._end_now(view, "missed", "ringing timeout")
                out += [HangupCall(arg, 480), Publish("call", call_dict(ended))]
            elif kind == "ask":
                out.extend(self._ask_expired(view))
            else:
                out.extend(self._control_timer(kind, view))
        return out

    def update_settings(self, settings: Settings) -> None:
        """New settings take effect for the next decision (forward, DND, codes) at once."""
        self.settings = settings
        self._settings_changed()

    def reconfigure_accounts(self, settings: Settings) -> list[Output]:
        """Accounts were edited: start over with the new ones (the adapter re-creates them)."""
        self.settings = settings
        self._settings_changed()
        self._configure_accounts()
        self._forget_voice_mail()
        return [Publish("snapshot", self.snapshot())]
