"""Directed Pickup (linekey.X.type 9) and Group Pickup (23): feature codes to the server.

Directed: the directed pickup code followed by the number of the ringing phone (`value`);
Group: the group pickup code (or `value`, when the key has its own code). The server does the
pickup; the phone only dials (docs/yealink.md §13).
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.linekeys.speed_dial import account_of
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent, NewCall
from app.phone.messages import Dial


def _dial(number: str, slot: Slot, host: KeyHost) -> list[Intent]:
    if not number:
        return []
    hold = [NewCall()] if host.live() else []  # pick up while in a call: hold it first
    return [*hold, Dial(number, account_of(slot))]


class DirectedPickup:
    name = "Directed Pickup"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or slot.key.value or self.name, icon="pickup")

    def light(self, slot: Slot) -> tuple[str, str]:
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        code = slot.key.extension.strip() or host.features.directed_pickup_code
        value = slot.key.value.strip()
        return _dial(f"{code}{value}" if value else code, slot, host)


class GroupPickup:
    name = "Group Pickup"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or self.name, icon="pickup")

    def light(self, slot: Slot) -> tuple[str, str]:
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        code = slot.key.value.strip() or host.features.group_pickup_code
        return _dial(code, slot, host)


DIRECTED_PICKUP_KEY = DirectedPickup()
GROUP_PICKUP_KEY = GroupPickup()
