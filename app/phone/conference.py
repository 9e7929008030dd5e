"""The local three-way conference, inside the phone core.

The engine mixes the calls' audio in pjsua2's conference bridge (app/sip/call_ops.py): every
command here is one `ConferenceCalls` naming the calls joined and those whose audio nobody may
hear (far mute). Joining resumes the calls; Split leaves each call on hold on its own; a party
is removed by hanging up its call. Source for what the keys do: docs/yealink.md §14.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from app.phone.messages import ConferenceCalls, HoldCall, Output, Publish
from app.phone.model import CallState, CallView
from app.phone.texts import T

# Calls in conversation: what hold, swap, conference and transfer act on.
CONNECTED = frozenset({CallState.TALKING, CallState.HOLD, CallState.HELD})


class ConferenceControl:
    """Mixin for CallControl: the conference's members and who among them is far-muted."""

    calls: dict[str, CallView]
    _local_hold: set[str]

    def _init_conference(self) -> None:
        self.conference: tuple[str, ...] = ()  # the calls whose audio is bridged together
        self.far_muted: set[str] = set()  # members whose audio goes to nobody

    def _hold(self, view: CallView) -> list[Output]:  # CallControl's
        raise NotImplementedError

    def _shown(self, view: CallView) -> CallView:  # CallControl's
        raise NotImplementedError

    def _bridge(self) -> ConferenceCalls:
        muted = tuple(c for c in self.conference if c in self.far_muted)
        return ConferenceCalls(self.conference, muted)

    def _conference(self, ids: tuple[str, ...]) -> list[Output]:
        views = [v for i in ids if (v := self.calls.get(i)) is not None and v.state in CONNECTED]
        if len(views) < 2:
            return [Publish("error", {"text": "Conference needs two calls"})]
        self.conference = tuple(v.id for v in views)
        out: list[Output] = []
        for view in views:
            if view.id in self._local_hold:
                out.append(HoldCall(view.id, False))
            self._local_hold.discard(view.id)
            new = replace(self._shown(view), text=T.CONFERENCE)  # its calls say they are in it
            self.calls[view.id] = new
            out.append(Publish("call", asdict(new)))
        return [self._bridge(), *out]

    def _far_mute(self, call: str, on: bool) -> list[Output]:
        if call not in self.conference:
            return []
        if on:
            self.far_muted.add(call)
        else:
            self.far_muted.discard(call)
        return [self._bridge(), Publish("far_mute", {"call": call, "on": on})]

    def _dissolve(self) -> list[Output]:
        """No conference any more: its calls unbridged, each a call of its own again."""
        members = [v for i in self.conference if (v := self.calls.get(i)) is not None]
        self.conference, self.far_muted = (), set()
        out: list[Output] = [self._bridge()]
        for view in members:
            if view.text == T.CONFERENCE:
                new = replace(view, text="")
                self.calls[view.id] = new
                out.append(Publish("call", asdict(new)))
        return out

    def _split(self) -> list[Output]:
        """Each call of the conference on hold on its own, their audio no longer joined."""
        members = [v.id for i in self.conference if (v := self.calls.get(i)) is not None]
        if not members:
            return []
        out = self._dissolve()
        for call in members:
            view = self.calls[call]
            if view.state in (CallState.TALKING, CallState.HELD):
                out += self._hold(view)
        return out

    def _conference_call_ended(self, call: str) -> list[Output]:
        """A call of the conference ended (the far end left, or Remove hung it up): the others
        stay joined while two remain; one left alone is a plain call again. The ended call's
        own bridge links went with its media."""
        if call not in self.conference:
            return []
        self.conference = tuple(c for c in self.conference if c != call)
        self.far_muted.discard(call)
        return [self._bridge()] if len(self.conference) >= 2 else self._dissolve()

    def _leave_conference(self, call: str) -> None:
        """A call is forgotten: nothing of it stays in the conference."""
        if call in self.conference:
            self.conference = tuple(c for c in self.conference if c != call)
        self.far_muted.discard(call)
