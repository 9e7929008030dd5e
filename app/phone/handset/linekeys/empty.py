"""N/A (linekey.X.type 0): an empty key. No label, no LED, a press does nothing.

Also what a key of a type this phone does not know shows (linekeys/table.py).
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent


class Empty:
    name = "N/A"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView()

    def light(self, slot: Slot) -> tuple[str, str]:
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        return []


EMPTY_KEY = Empty()
