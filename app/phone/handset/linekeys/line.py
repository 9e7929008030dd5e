"""Line (linekey.X.type 15): the key of an account, with the calls on that account.

Drawn with the account's label and its registration icon (or the call's icon); lit by the call
on it; pressed, it picks the call on it or seizes the line for a new call.
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.call_text import account_name
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent, NewCall, OffHook, Resume, Swap
from app.phone.messages import Answer
from app.phone.model import CallState, RegState

# Line LED per call state (docs/yealink.md §5): solid green seized/talking, fast green
# incoming, slow green held. Held by the far end is shown like our own hold (unconfirmed).
LED_OF: dict[CallState, tuple[str, str]] = {
    CallState.DIALING: (S.GREEN, S.SOLID),
    CallState.CONNECTING: (S.GREEN, S.SOLID),
    CallState.RINGBACK: (S.GREEN, S.SOLID),
    CallState.CALLIN: (S.GREEN, S.FAST),
    CallState.TALKING: (S.GREEN, S.SOLID),
    CallState.HOLD: (S.GREEN, S.SLOW),
    CallState.HELD: (S.GREEN, S.SLOW),
    CallState.FAILED: (S.GREEN, S.SOLID),
    CallState.FINISHED: (S.LED_OFF, S.LED_OFF),
}

_ICON_OF_CALL: dict[CallState, str] = {
    CallState.CALLIN: "ringing",
    CallState.HOLD: "hold",
    CallState.HELD: "hold",
}

_ICON_OF_REG: dict[RegState, str] = {
    RegState.REGISTERED: "registered",
    RegState.LOCAL: "registered",
    RegState.REGISTERING: "registering",
    RegState.FAILED: "failed",
}


class Line:
    name = "Line"
    holds_calls = True
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        name = account_name(slot.account) if slot.account is not None else ""
        view = LineKeyView(label=slot.key.label or name)
        if slot.call is not None:
            view.icon = _ICON_OF_CALL.get(slot.call.state, "talking")
            view.focused = slot.call.id == focus
        elif slot.account is not None and name:
            # DND on the key's account changes its icon as on the status bar ("the line icon
            # changes", docs/yealink.md §8); the built-in local account leaves the key blank
            view.icon = "dnd" if slot.dnd else _ICON_OF_REG.get(slot.account.state, "")
        return view

    def light(self, slot: Slot) -> tuple[str, str]:
        if slot.call is not None:
            return LED_OF[slot.call.state]
        if slot.seized and slot.account is not None and account_name(slot.account):
            # off hook on the dial screen: the line dialled on is seized, and a seized line's
            # LED is solid green (docs/yealink.md §5)
            return S.GREEN, S.SOLID
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        call = slot.call
        if call is not None:
            if call.state == CallState.CALLIN:
                return [Answer(call.id)]
            if call.id != host.focus and call.state == CallState.HOLD:
                host.focus = call.id
                return [Swap(call.id)]
            host.focus = call.id
            return [Resume(call.id)] if call.state == CallState.HOLD else []
        account = slot.account
        if host.view == S.DIALING or account is None or not account_name(account):
            return []  # a blank key (the local account) does nothing, as on a phone without one
        in_call = bool(host.live())
        host.seize(account.index)
        return [NewCall()] if in_call else [OffHook(account.index)]


LINE_KEY = Line()
