"""What the user does with established calls, inside the phone core.

`PhoneCore` mixes this in: hold and resume, the peer's hold ("Held"), call waiting (answering a
second call holds the first), swap, DTMF, blind and attended transfer, the local three-way
conference, mute and silence, redial and auto answer. Like the rest of the core it only decides:
the SIP adapter carries out `HoldCall`, `SendDtmfCall`, `TransferCall` and `ConferenceCalls`
and reports back `CallMediaChanged` and `TransferStatus`.

Hold is shown at once (the handset does not wait for the re-INVITE), and the media status that
pjsua2 reports after each offer/answer is the truth that follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.phone.conference import CONNECTED, ConferenceControl
from app.phone.dialing import DialError, to_request_uri
from app.phone.incoming import account_settings
from app.phone.intents import (
    Conference,
    FarMute,
    Hold,
    Mute,
    NewCall,
    Redial,
    Resume,
    SendDtmf,
    Silence,
    SplitConference,
    Swap,
    Transfer,
)
from app.phone.messages import (
    AnswerCall,
    CallMediaChanged,
    CallSecured,
    Dial,
    HangupCall,
    HoldCall,
    Output,
    Publish,
    SendDtmfCall,
    TransferCall,
    TransferStatus,
)
from app.phone.model import CallState, CallView, call_dict
from app.phone.settings import Settings
from app.phone.sipuri import parse_contacts
from app.phone.texts import T

TRANSFER_FAILED = "Transfer failed!"
DTMF_DIGITS = frozenset("0123456789*#ABCD")

ControlInput = (
    Hold
    | Resume
    | Silence
    | Transfer
    | Conference
    | FarMute
    | SplitConference
    | Swap
    | NewCall
    | Mute
    | SendDtmf
    | Redial
    | CallMediaChanged
    | CallSecured
    | TransferStatus
)
CONTROL_INPUTS = (
    Hold,
    Resume,
    Silence,
    Transfer,
    Conference,
    FarMute,
    SplitConference,
    Swap,
    NewCall,
    Mute,
    SendDtmf,
    Redial,
    CallMediaChanged,
    CallSecured,
    TransferStatus,
)


def _pub(view: CallView) -> Publish:
    return Publish("call", call_dict(view))


class CallControl(ConferenceControl):
    """Mixin for PhoneCore: hold flags, transfers, conference, mute and silence."""

    settings: Settings
    calls: dict[str, CallView]
    last_dialed: str
    local_domain: str
    _timers: dict[str, float]
    _clock: Callable[[], float]

    def _init_control(self) -> None:
        self.muted = False
        self.silenced: set[str] = set()  # ringing calls whose ringer the user stopped
        self._local_hold: set[str] = set()
        self._remote_hold: set[str] = set()
        self._transfers: dict[str, str] = {}  # call -> consultation call id ("" when blind)
        self._init_conference()

    def _dial(self, msg: Dial) -> list[Output]:  # PhoneCore's
        raise NotImplementedError

    def domain_of(self, account: int) -> str | None:  # PhoneCore's
        raise NotImplementedError

    # ---- hooks called by the core ---------------------------------------------------------

    def _control(self, msg: ControlInput) -> list[Output]:
        match msg:
            case Hold():
                view = self._pick(msg.call, {CallState.TALKING, CallState.HELD})
                return self._hold(view) if view else []
            case Resume():
                view = self._pick(msg.call, {CallState.HOLD})
                return [*self._hold_others(view.id), *self._resume(view)] if view else []
            case Swap():
                return self._swap(msg.call)
            case NewCall():
                return self._hold_others(None)
            case Silence():
                return self._silence(msg.call)
            case Mute():
                self.muted = msg.on
                return [Publish("mute", {"on": msg.on})]
            case SendDtmf():
                return self._dtmf(msg)
            case Redial():
                if not self.last_dialed:
                    return [Publish("error", {"text": "No number to redial"})]
                return self._dial(Dial(self.last_dialed))
            case Transfer():
                return self._transfer(msg)
            case TransferStatus():
                return self._transfer_status(msg)
            case Conference():
                return self._conference(msg.calls)
            case FarMute():
                return self._far_mute(msg.call, msg.on)
            case SplitConference():
                return self._split()
            case CallMediaChanged():
                return self._media(msg)
            case CallSecured():
                view = self.calls.get(msg.call)
                if view is None or view.encrypted == msg.encrypted:
                    return []
                self.calls[view.id] = view = replace(view, encrypted=msg.encrypted)
                return [_pub(view)]
        return []

    def _answer_call(self, view: CallView) -> list[Output]:
        """Answering a waiting call puts the one in conversation on hold first."""
        self.silenced.discard(view.id)
        self._timers.pop(f"auto:{view.id}", None)
        return [*self._hold_others(view.id), AnswerCall(view.id, 200)]

    def _arm_auto_answer(self, view: CallView) -> None:
        """Auto answer (per account) picks up after the delay, only when no other call is up."""
        busy = any(c.id != view.id and c.state in CONNECTED for c in self.calls.values())
        if account_settings(self.settings, view.account).auto_answer and not busy:
            delay = max(0, self.settings.features.auto_answer_delay)
            self._timers[f"auto:{view.id}"] = view.started + delay

    def _control_timer(self, kind: str, view: CallView) -> list[Output]:
        if kind == "auto" and view.state == CallState.CALLIN:
            return self._answer_call(view)
        return []

    def _forget_control(self, call: str) -> None:
        self.silenced.discard(call)
        self._local_hold.discard(call)
        self._remote_hold.discard(call)
        self._transfers.pop(call, None)
        self._timers.pop(f"auto:{call}", None)
        self._leave_conference(call)

    # ---- hold, resume, swap ---------------------------------------------------------------

    def _pick(self, call: str | None, states: set[CallState]) -> CallView | None:
        if call is not None:
            view = self.calls.get(call)
            return view if view is not None and view.state in states else None
        return next((c for c in self.calls.values() if c.state in states), None)

    def _shown(self, view: CallView) -> CallView:
        """The state the hold flags give a connected call."""
        if view.id in self._local_hold:
            state = CallState.HOLD
        elif view.id in self._remote_hold:
            state = CallState.HELD
        else:
            state = CallState.TALKING
        new = replace(view, state=state)
        self.calls[view.id] = new
        return new

    def _hold(self, view: CallView) -> list[Output]:
        self._local_hold.add(view.id)
        return [HoldCall(view.id, True), _pub(self._shown(view))]

    def _resume(self, view: CallView) -> list[Output]:
        self._local_hold.discard(view.id)
        return [HoldCall(view.id, False), _pub(self._shown(view))]

    def _hold_others(self, keep: str | None) -> list[Output]:
        out: list[Output] = []
        for view in list(self.calls.values()):
            in_conference = keep in self.conference and view.id in self.conference
            if view.id == keep or in_conference:
                continue
            if view.state in (CallState.TALKING, CallState.HELD):
                out += self._hold(view)
        return out

    def _swap(self, call: str) -> list[Output]:
        view = self.calls.get(call)
        if view is None or view.state not in CONNECTED:
            return []
        out = self._hold_others(view.id)
        return out + self._resume(view) if view.state == CallState.HOLD else out

    def _media(self, msg: CallMediaChanged) -> list[Output]:
        view = self.calls.get(msg.call)
        if view is None or view.state not in CONNECTED:
            return []
        for flags, status in ((self._local_hold, "local_hold"), (self._remote_hold, "remote_hold")):
            if msg.status == status:
                flags.add(view.id)
            elif msg.status in ("active", "local_hold", "remote_hold"):
                flags.discard(view.id)
        new = self._shown(view)
        return [] if new == view else [_pub(new)]

    # ---- ringing --------------------------------------------------------------------------

    def _silence(self, call: str | None) -> list[Output]:
        view = self._pick(call, {CallState.CALLIN})
        if view is None:
            return []
        self.silenced.add(view.id)
        return [Publish("silence", {"call": view.id, "on": True})]

    # ---- DTMF -----------------------------------------------------------------------------

    def _dtmf(self, msg: SendDtmf) -> list[Output]:
        view = self._pick(msg.call, {CallState.TALKING})
        digits = "".join(d for d in msg.digit.upper() if d in DTMF_DIGITS)
        if view is None or not digits:
            return []
        mode = account_settings(self.settings, view.account).dtmf
        method = "info" if mode == "info" else "rfc2833"
        return [
            SendDtmfCall(view.id, digits, method),
            Publish("dtmf", {"call": view.id, "digits": digits}),
        ]

    # ---- transfer -------------------------------------------------------------------------

    def _transfer(self, msg: Transfer) -> list[Output]:
        states = {*CONNECTED, CallState.RINGBACK}
        view = self._pick(msg.call, states)
        if view is None:
            return []
        if msg.attended:
            other = self._pick(msg.target, states)
            if other is None or other.id == view.id:
                return [Publish("error", {"text": TRANSFER_FAILED})]
            cmd = TransferCall(view.id, replaces=other.id)
        else:
            domain = self.domain_of(view.account) or self.local_domain or None
            try:
                uri = to_request_uri(msg.target, domain)
            except DialError as exc:
                return [Publish("error", {"text": str(exc)})]
            cmd = TransferCall(view.id, target_uri=uri)
        self._transfers[view.id] = cmd.replaces
        new = replace(view, text=T.TRANSFERRING, extra={**view.extra, "transfer": "pending"})
        self.calls[view.id] = new
        return [cmd, _pub(new)]

    def _transfer_status(self, msg: TransferStatus) -> list[Output]:
        view = self.calls.get(msg.call)
        if view is None or msg.call not in self._transfers or msg.code < 200:
            return []
        consult = self._transfers.pop(msg.call)
        if msg.code < 300:
            # The transferee took over: this phone leaves both calls, as the handset does.
            extra = {**view.extra, "transfer": "done", "transferred": "1"}
            self.calls[view.id] = replace(view, text=T.TRANSFERRING, extra=extra)
            out: list[Output] = [HangupCall(view.id)]
            if consult and consult in self.calls:
                out.append(HangupCall(consult))
            return out
        extra = {**view.extra, "transfer": f"failed {msg.code}"}
        new = replace(view, text=TRANSFER_FAILED, extra=extra)
        self.calls[view.id] = new
        return [_pub(new)]


def caller_id(
    remote_uri: str, remote_name: str, headers: tuple[tuple[str, str], ...]
) -> tuple[str, str]:
    """Who calls: P-Asserted-Identity (a trusted network's word) wins over From; the display
    name falls back to From's when the asserted identity has none."""
    for name, value in headers:
        if name.lower() != "p-asserted-identity":
            continue
        for entry in parse_contacts(value):
            if entry.uri.lower().startswith(("sip:", "sips:", "tel:")):
                return entry.uri, entry.display or remote_name
    parsed = parse_contacts(remote_uri)  # From as pjsua2 gives it: '"Name" <sip:...>'
    if parsed and parsed[0].uri.lower().startswith(("sip:", "sips:", "tel:")):
        return parsed[0].uri, remote_name or parsed[0].display
    return remote_uri, remote_name
