"""Call Park (linekey.X.type 10) and Retrieve Park (56).

Call Park: in a call, the call is transferred (blind) to the key's `value` (a park orbit or
the server's park code), else to the phone's park code; idle, the key takes a call parked
there back (the retrieve code + `value`). Retrieve Park: the retrieve code + `value`.
A key with a value watches the orbit's dialog state like a BLF key: a call parked there
lights it slow-flashing red (docs/yealink.md §5), an empty orbit leaves it off.
"""

from __future__ import annotations

from app.phone.blf import Lamp
from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.linekeys.blf import watch_of
from app.phone.handset.linekeys.in_call import call_in_progress
from app.phone.handset.linekeys.speed_dial import account_of
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent, NewCall, Transfer
from app.phone.messages import Dial

PARKED = (Lamp.RINGING, Lamp.CALLING, Lamp.TALKING, Lamp.HELD)


def _light(slot: Slot) -> tuple[str, str]:
    if watch_of(slot).lamp in PARKED:
        return S.RED, S.SLOW
    return S.LED_OFF, S.LED_OFF


def _icon(slot: Slot) -> str:
    return "parked" if watch_of(slot).lamp in PARKED else "park"


def _retrieve(slot: Slot, host: KeyHost) -> list[Intent]:
    target = f"{host.features.retrieve_code}{slot.key.value.strip()}"
    if not target:
        return []
    hold: list[Intent] = [NewCall()] if host.live() else []
    return [*hold, Dial(target, account_of(slot))]


class RetrievePark:
    """Calls the retrieve code + the orbit; the lamp shows whether a call is parked there."""

    name = "Retrieve Park"
    holds_calls = False
    watches = True

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or slot.key.value or self.name, icon=_icon(slot))

    def light(self, slot: Slot) -> tuple[str, str]:
        return _light(slot)

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        return _retrieve(slot, host)


class CallPark(RetrievePark):
    """In a call: parks it (blind transfer to the orbit); otherwise retrieves, as Retrieve Park."""

    name = "Call Park"

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        call = call_in_progress(host)
        if call is not None:
            orbit = slot.key.value.strip() or host.features.park_code
            return [Transfer(call.id, orbit, attended=False)] if orbit else []
        return _retrieve(slot, host)


CALL_PARK_KEY = CallPark()
RETRIEVE_PARK_KEY = RetrievePark()
