"""A scripted stand-in for the phone core and SIP side, driving a real Handset.

It turns the handset's intents into CallView changes the way the core will (Dial -> a call in
Connecting, Answer -> Talking, Hold -> Hold, ...), and lets tests script the far end
(`ring_in`, `far_answers`, `far_fails`, `far_hangs_up`). Pure Python, shared by the unit and
GUI tests.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from app.phone.handset import Handset, HandsetFlags
from app.phone.intents import (
    ClearMissed,
    Conference,
    ForwardCall,
    Hold,
    Mute,
    Reject,
    Resume,
    SetDnd,
    Swap,
    Transfer,
)
from app.phone.messages import Answer, Dial, Hangup
from app.phone.model import AccountView, CallState, CallView, Direction, RegState

CLOCK = datetime(2026, 11, 21, 14, 5)


class FakePhone:
    def __init__(self, accounts: list[AccountView] | None = None) -> None:
        self.handset = Handset()
        self.accounts = (
            accounts
            if accounts is not None
            else [AccountView(0, "1001", "sip:1001@127.0.0.1", RegState.REGISTERED)]
        )
        self.calls: list[CallView] = []
        self.flags = HandsetFlags(clock=CLOCK)
        self.now = 100.0
        self.intents: list[object] = []
        self._n = 0
        self.sync()

    # ---- time and sync ----------------------------------------------------------------------

    def sync(self) -> None:
        self.handset.update(self.accounts, [replace(c) for c in self.calls], self.flags, self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.apply(self.handset.tick(self.now))

    # ---- the user's side ----------------------------------------------------------------------

    def press(self, *keys: str) -> list[object]:
        out: list[object] = []
        for key in keys:
            self.now += 0.1
            got = self.handset.press(key, self.now)
            out += got
            self.apply(got)
        return out

    def type(self, text: str) -> list[object]:
        self.now += 0.1
        got = self.handset.type_text(text, self.now)
        self.apply(got)
        return got

    def apply(self, intents: list[object]) -> None:
        """Do what the core would do with the handset's intents."""
        for intent in intents:
            self.intents.append(intent)
            self._apply(intent)
        self.sync()

    def _call(self, call_id: str | None) -> CallView | None:
        return next((c for c in self.calls if c.id == call_id), None)

    def _apply(self, i: object) -> None:
        if isinstance(i, Dial):
            self._n += 1
            self.calls.append(
                CallView(
                    f"o{self._n}",
                    0,
                    Direction.OUTGOING,
                    f"sip:{i.target}@127.0.0.1" if "@" not in i.target else i.target,
                    state=CallState.CONNECTING,
                    started=self.now,
                )
            )
        elif isinstance(i, Answer) and (c := self._call(i.call)):
            self._set(c, CallState.TALKING)
        elif isinstance(i, Hangup | Reject | ForwardCall) and (c := self._call(i.call)):
            self.calls.remove(c)
        elif isinstance(i, Hold) and (c := self._call(i.call)):
            self._set(c, CallState.HOLD)
        elif isinstance(i, Resume) and (c := self._call(i.call)):
            self._set(c, CallState.TALKING)
        elif isinstance(i, Swap):
            for c in self.calls:
                if c.state == CallState.TALKING:
                    self._set(c, CallState.HOLD)
            if c := self._call(i.call):
                self._set(c, CallState.TALKING)
        elif isinstance(i, Transfer | Conference):
            pass
        elif isinstance(i, SetDnd):
            self.flags.dnd = i.on
        elif isinstance(i, Mute):
            self.flags.muted = i.on
        elif isinstance(i, ClearMissed):
            self.flags.missed_count = 0

    def _set(self, call: CallView, state: CallState) -> None:
        call.state = state
        if state == CallState.TALKING and not call.answered:
            call.answered = self.now

    # ---- the far side -------------------------------------------------------------------------

    def ring_in(self, uri: str, name: str = "", **extra: str) -> CallView:
        self._n += 1
        call = CallView(
            f"i{self._n}",
            0,
            Direction.INCOMING,
            uri,
            name,
            state=CallState.CALLIN,
            started=self.now,
            extra=dict(extra),
        )
        self.calls.append(call)
        self.sync()
        return call

    def last(self) -> CallView:
        return self.calls[-1]

    def far(self, state: CallState, code: int = 0, reason: str = "") -> None:
        """The far end moves the newest call to `state` (180 -> RingBack, 200 -> Talking...)."""
        call = self.last()
        self._set(call, state)
        call.code, call.reason = code, reason
        if state in (CallState.FAILED, CallState.FINISHED):
            call.ended = self.now
        self.sync()

    def far_hangs_up(self) -> None:
        self.calls.remove(self.last())
        self.sync()
