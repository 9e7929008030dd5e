"""Speed Dial (linekey.X.type 13): calls `value` on the key's account.

In a call it acts as transfer.dsskey_deal_type says (in_call.py).
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.linekeys.in_call import during_call
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent
from app.phone.messages import Dial


def account_of(slot: Slot) -> int | None:
    """The account a key's call goes out on: its line, None to let the core choose."""
    return slot.key.line or None


class SpeedDial:
    name = "Speed Dial"
    icon = "speed_dial"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or slot.key.value, icon=self.icon)

    def light(self, slot: Slot) -> tuple[str, str]:
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        value = slot.key.value.strip()
        if not value:
            return []
        in_call = during_call(value, account_of(slot), host)
        return in_call if in_call is not None else self.call(value, account_of(slot))

    def call(self, value: str, account: int | None) -> list[Intent]:
        return [Dial(value, account)]


SPEED_DIAL_KEY = SpeedDial()
