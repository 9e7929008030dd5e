"""Intercom (linekey.X.type 14): calls `value` as an intercom call, which the far phone may
answer by itself (the core adds the configured intercom header, app/phone/intercom.py).

In a call it acts as transfer.dsskey_deal_type says (in_call.py), like a Speed Dial key.
"""

from __future__ import annotations

from app.phone.handset.linekeys.speed_dial import SpeedDial
from app.phone.intents import Intent
from app.phone.intents import Intercom as IntercomCall


class Intercom(SpeedDial):
    """A Speed Dial key whose call is an intercom call."""

    name = "Intercom"
    icon = "intercom"

    def call(self, value: str, account: int | None) -> list[Intent]:
        return [IntercomCall(value, account)]


INTERCOM_KEY = Intercom()
