"""The real phone core and the engine's Display, with only the SIP side scripted.

`FakePhone` is wired like the engine (app/engine/runtime.py): key presses go through
`Display.press`, the handset's intents through the engine's own dispatch
(`app.engine.handset_intents.run_intents`), the core's commands to a fake SIP adapter. That
adapter answers each command with the facts pjsua2 reports for it (docs/pjsua2.md §4: `hangup()`
fires DISCONNECTED at once, a hold's re-INVITE ends in a media state, a REFER gets NOTIFYs) and
the test scripts the far end with `ring_in`, `far_rings`, `far_answers`, `far_fails`,
`far_hangs_up`, `far_holds`, `far_transfer_result`. Pure Python, shared by unit and GUI tests.
Time is a number the test advances; the wall clock on the status bar is fixed (CLOCK).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from app.engine.display import Display
from app.engine.handset_intents import run_intents
from app.engine.history_writer import HistoryWriter
from app.phone.call_control import ControlInput
from app.phone.core import PhoneCore
from app.phone.handset import Handset
from app.phone.intents import ForwardCall
from app.phone.messages import (
    AnswerCall,
    CallMediaChanged,
    CallProgress,
    Command,
    ConferenceCalls,
    HangupCall,
    HoldCall,
    IncomingCall,
    Input,
    MessageReceived,
    MessageWaiting,
    PlaceCall,
    Publish,
    RegistrationChanged,
    SendDtmfCall,
    Then,
    Tick,
    TransferCall,
    TransferStatus,
    TransportInfo,
)
from app.phone.model import AccountView, CallState, CallView, Direction, RegState
from app.phone.mwi import MessageSummary, parse_summary
from app.phone.settings import AccountSettings, Settings
from app.store.history import CallHistory

CLOCK = datetime(2026, 11, 21, 14, 5)
T = TypeVar("T")
HOST = "127.0.0.1"
REASONS = {
    180: "Ringing",
    183: "Session Progress",
    200: "OK",
    404: "Not Found",
    480: "Temporarily Unavailable",
    486: "Busy Here",
    487: "Request Terminated",
    603: "Decline",
}
# what a REGISTER ends with for each registration state the tests ask for
REGISTER: dict[RegState, tuple[int, str, int]] = {
    RegState.REGISTERED: (200, "OK", 3600),
    RegState.UNREGISTERED: (200, "OK", 0),
    RegState.FAILED: (403, "Forbidden", 0),
}


@dataclass
class Leg:
    """What the fake pjsua2 knows of one call."""

    direction: Direction
    state: str  # pjsua2's invite-session state name
    local_hold: bool = False
    remote_hold: bool = False

    @property
    def media(self) -> str:
        if self.local_hold:
            return "local_hold"
        return "remote_hold" if self.remote_hold else "active"


def settings_for(accounts: list[AccountView]) -> Settings:
    """One SIP account per AccountView, on 127.0.0.1, labelled as the view is."""
    settings = Settings()
    for view in accounts:
        user = view.uri.removeprefix("sip:").split("@")[0] or f"u{view.index}"
        settings.accounts.append(AccountSettings(label=view.label, user=user, server=HOST))
    return settings


class FakePhone:
    def __init__(
        self,
        accounts: list[AccountView] | None = None,
        history_dir: Path | None = None,
    ) -> None:
        wanted = accounts or [AccountView(1, "1001", f"sip:1001@{HOST}", RegState.REGISTERED)]
        self.now = 100.0
        self.settings = settings_for(wanted)
        self.core = PhoneCore(self.settings, lambda: self.now)
        self.core.local_domain = f"{HOST}:5060"
        self.display = Display(self.core, self._publish, lambda: self.now, lambda: CLOCK)
        self.history = HistoryWriter(CallHistory(history_dir)) if history_dir else None
        self.intents: list[object] = []  # what the handset asked for
        self.commands: list[Command] = []  # what the core told the SIP side
        self.events: list[Publish] = []  # what the core and the engine published
        self.legs: dict[str, Leg] = {}
        self._pending: deque[Input | ForwardCall | ControlInput] = deque()
        self._draining = False
        self._incoming = 0
        self.feed(TransportInfo(5060, 5060))
        for index, view in enumerate(wanted, start=1):
            if view.state in REGISTER:
                code, reason, expires = REGISTER[view.state]
                code = view.code or code
                self.feed(RegistrationChanged(index, code, reason, expires, expires > 0))
        self.sync()

    @property
    def handset(self) -> Handset:
        return self.display.handset

    # ---- the engine's side ------------------------------------------------------------------

    def feed(self, msg: Input | ForwardCall | ControlInput) -> None:
        """As Engine.feed: the core's commands run at once, facts they cause queue behind."""
        self._pending.append(msg)
        if self._draining:
            return
        self._draining = True
        try:
            while self._pending:
                then: list[Input] = []
                for out in self.core.handle(self._pending.popleft()):
                    if isinstance(out, Publish):
                        self._publish(out.kind, out.data)
                    elif isinstance(out, Then):
                        then.append(out.input)
                    else:
                        self.commands.append(out)
                        self._execute(out)
                self._pending.extendleft(reversed(then))
        finally:
            self._draining = False

    def _publish(self, kind: str, data: dict[str, Any]) -> None:
        """As Engine._publish: history, errors and messages reach the display."""
        self.events.append(Publish(kind, data))
        if kind == "call" and self.history is not None:
            self.history.on_call(data)
            self.history.show_on(self.display, float("inf"))  # at once: no rate limit here
        elif kind == "error":
            self.display.show_error(str(data.get("text", "")))
        elif kind == "message":
            self.display.show_message(str(data.get("from_uri", "")), str(data.get("body", "")))

    # IntentHost: the engine's own part of the handset's intents
    def edit_settings(self, change: Callable[[Settings], T]) -> T:
        """As Engine.edit_settings, without a settings file: the core gets the change."""
        result = change(self.settings)
        self.settings_changed()
        return result

    def settings_changed(self) -> None:
        self.core.update_settings(self.settings)

    def clear_missed(self) -> None:
        if self.history is not None:
            self.history.history.mark_viewed()
        self.display.missed = 0

    def open_settings(self, section: str) -> None:
        self.events.append(Publish("open_settings", {"section": section}))

    def unsupported(self, name: str) -> None:
        self.display.show_error(f"{name}: not available yet")

    def show_error(self, text: str) -> None:
        self.display.show_error(text)

    def audio_intent(self, intent: object) -> bool:
        return False  # no sound bridge in the screen tests

    def sync(self) -> None:
        self.display.sync()

    def advance(self, seconds: float) -> None:
        """Engine loop turns: core timers, then the handset's own (auto-dial, Call Finish)."""
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + 0.5)
            deadline = self.core.next_deadline()
            if deadline is not None and deadline <= self.now:
                self.feed(Tick(self.now))
            self.apply(self.display.tick())
        self.sync()

    # ---- the user's side --------------------------------------------------------------------

    def press(self, *keys: str) -> list[object]:
        out: list[object] = []
        for key in keys:
            self.now += 0.1
            got = self.display.press(key)
            out += got
            self.apply(got)
        return out

    def type(self, text: str) -> list[object]:
        self.now += 0.1
        got = self.display.type_text(text)
        self.apply(got)
        return got

    def apply(self, intents: list[object]) -> None:
        self.intents += intents
        run_intents(self, intents)
        self.sync()

    def message_in(self, sender: str, body: str) -> None:
        self.feed(MessageReceived(1, sender, body, self.now))
        self.sync()

    def voice_mail_in(self, account: int, body: str) -> None:
        """A message-summary NOTIFY the SIP side trusted and parsed (app/sip/mwi.py)."""
        summary = parse_summary(body)
        assert isinstance(summary, MessageSummary), summary
        self.feed(MessageWaiting(account, summary))
        self.sync()

    def error(self, text: str) -> None:
        self.display.show_error(text)
        self.sync()

    # ---- the fake pjsua2: commands in, facts out --------------------------------------------

    def _progress(self, call: str, state: str, code: int, reason: str = "") -> None:
        leg = self.legs.get(call)
        if leg is None or leg.state == "DISCONNECTED":
            return
        leg.state = state
        self.feed(CallProgress(call, state, code, reason or REASONS.get(code, "")))
        if state == "DISCONNECTED":
            del self.legs[call]

    def _confirm(self, call: str) -> None:
        self._progress(call, "CONNECTING", 200)
        self._progress(call, "CONFIRMED", 200)
        self.feed(CallMediaChanged(call, "active"))

    def _execute(self, cmd: Command) -> None:
        leg = self.legs.get(getattr(cmd, "call", ""))
        match cmd:
            case PlaceCall():
                self.legs[cmd.call] = Leg(Direction.OUTGOING, "NULL")
                self._progress(cmd.call, "CALLING", 0)
            case AnswerCall() if leg is not None:
                if cmd.code < 200:
                    self._progress(cmd.call, "EARLY", cmd.code)
                elif cmd.code < 300:
                    self._confirm(cmd.call)  # the caller ACKs at once
                else:
                    self._progress(cmd.call, "DISCONNECTED", cmd.code, cmd.reason)
            case HangupCall() if leg is not None:
                if leg.state == "CONFIRMED":  # BYE
                    self._progress(cmd.call, "DISCONNECTED", 200, "Normal call clearing")
                elif leg.direction == Direction.OUTGOING:  # CANCEL
                    self._progress(cmd.call, "DISCONNECTED", 487)
                else:  # a final response; pjsua2 sends 603 for code 0
                    self._progress(cmd.call, "DISCONNECTED", cmd.code or 603)
            case HoldCall() if leg is not None:
                leg.local_hold = cmd.hold  # the far end accepts the re-INVITE
                self.feed(CallMediaChanged(cmd.call, leg.media))
            case TransferCall() if leg is not None:
                self.feed(TransferStatus(cmd.call, 100, "Trying", False))
            case SendDtmfCall() | ConferenceCalls():
                pass  # RTP events and audio links: nothing comes back

    # ---- the far end ------------------------------------------------------------------------

    def _leg(self, call: str | None) -> str:
        if call is not None:
            return call
        return next(reversed(self.legs))

    def ring_in(
        self,
        uri: str,
        name: str = "",
        account: int = 1,
        diverted_by: str = "",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> CallView:
        """An INVITE arrives (pjsua2 gives the From as '"Name" <uri>')."""
        self._incoming += 1
        call = f"i{self._incoming}"
        if diverted_by:
            headers = (*headers, ("Diversion", f"<{diverted_by}>;reason=unconditional"))
        remote = f'"{name}" <{uri}>' if name else f"<{uri}>"
        self.legs[call] = Leg(Direction.INCOMING, "INCOMING")
        self.feed(IncomingCall(call, account, remote, name, headers))
        self.sync()
        return self.core.calls[call]

    def far_rings(self, code: int = 180, call: str | None = None) -> None:
        self._progress(self._leg(call), "EARLY", code)
        self.sync()

    def far_answers(self, call: str | None = None) -> None:
        self._confirm(self._leg(call))
        self.sync()

    def far_fails(self, code: int, reason: str = "", call: str | None = None) -> None:
        self._progress(self._leg(call), "DISCONNECTED", code, reason)
        self.sync()

    def far_hangs_up(self, call: str | None = None) -> None:
        """BYE on a call in conversation; CANCEL on one still ringing here."""
        cid = self._leg(call)
        if self.legs[cid].state == "CONFIRMED":
            self._progress(cid, "DISCONNECTED", 200, "Normal call clearing")
        else:
            self._progress(cid, "DISCONNECTED", 487)
        self.sync()

    def far_holds(self, on: bool = True, call: str | None = None) -> None:
        """The peer's re-INVITE with a=sendonly (or back to sendrecv)."""
        cid = self._leg(call)
        leg = self.legs[cid]
        leg.remote_hold = on
        self.feed(CallMediaChanged(cid, leg.media))
        self.sync()

    def far_transfer_result(self, code: int, reason: str = "", call: str | None = None) -> None:
        """The final NOTIFY about our REFER (sipfrag status of the transferee's new call)."""
        self.feed(TransferStatus(self._leg(call), code, reason or REASONS.get(code, ""), True))
        self.sync()

    def far(self, state: CallState, code: int = 0, reason: str = "") -> None:
        """The newest call's far end moves it towards `state` with what pjsua2 would report."""
        if not self.legs:
            return
        leg = self.legs[self._leg(None)]
        if state == CallState.RINGBACK and leg.direction == Direction.OUTGOING:
            self.far_rings(code or 180)
        elif state == CallState.TALKING and leg.state != "CONFIRMED":
            if leg.direction == Direction.OUTGOING:
                self.far_answers()
        elif state == CallState.TALKING and leg.remote_hold:
            self.far_holds(False)
        elif state == CallState.HELD and leg.state == "CONFIRMED":
            self.far_holds(True)
        elif state == CallState.FAILED and leg.direction == Direction.OUTGOING:
            self.far_fails(code or 486, reason)
        elif state == CallState.FINISHED:
            self.far_hangs_up()

    # ---- what the core shows ----------------------------------------------------------------

    def last_command(self) -> Command:
        """What the core told the SIP side last (a function: mypy narrows `commands[-1]`)."""
        return self.commands[-1]

    def call(self, call_id: str) -> CallView:
        return self.core.calls[call_id]

    def last(self) -> CallView:
        return list(self.core.calls.values())[-1]
