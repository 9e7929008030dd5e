"""Intercom (linekey.X.type 14): calls `value` as an intercom call, which the far phone may
answer by itself (the core adds the configured intercom header, app/phone/intercom.py).

In a call it acts as transfer.dsskey_deal_type says (in_call.py), like a Speed Dial key.
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.linekeys.in_call import during_call
from app.phone.handset.linekeys.speed_dial import account_of
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent
from app.phone.intents import Intercom as IntercomCall


class Intercom:
    name = "Intercom"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or slot.key.value, icon="intercom")

    def light(self, slot: Slot) -> tuple[str, str]:
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        value = slot.key.value.strip()
        if not value:
            return []
        in_call = during_call(value, account_of(slot), host)
        return in_call if in_call is not None else [IntercomCall(value, account_of(slot))]


INTERCOM_KEY = Intercom()
