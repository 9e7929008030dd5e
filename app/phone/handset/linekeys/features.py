"""DND (linekey.X.type 5) and Forward (2): keys that switch a phone feature.

DND toggles Do Not Disturb. Forward with a `value`: a ringing call is diverted there at once,
otherwise Always forward to `value` is switched on or off; without a value it switches the
configured Always forward. Lit solid green while the feature is on (unconfirmed: the guides
found give no LED table for feature keys, docs/yealink.md §5).
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.screens import LineKeyView
from app.phone.intents import ForwardCall, Intent, SetDnd, SetForward
from app.phone.model import CallState

# lit from the feature's state, which the layout puts in Slot.feature_on
ON = (S.GREEN, S.SOLID)
OFF = (S.LED_OFF, S.LED_OFF)


class Dnd:
    name = "DND"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or self.name, icon="dnd")

    def light(self, slot: Slot) -> tuple[str, str]:
        return ON if slot.feature_on else OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        return [SetDnd(not host.dnd)]


class Forward:
    name = "Forward"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or self.name, icon="forward")

    def light(self, slot: Slot) -> tuple[str, str]:
        return ON if slot.feature_on else OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        target = slot.key.value.strip()
        ringing = next(
            (c for c in host.live() if c.id == host.focus and c.state == CallState.CALLIN), None
        )
        if ringing is not None and target:
            return [ForwardCall(ringing.id, target)]
        on, current = host.forward_always
        if on:
            return [SetForward("always", False, current)]
        target = target or current
        return [SetForward("always", True, target)] if target else []


DND_KEY = Dnd()
FORWARD_KEY = Forward()
