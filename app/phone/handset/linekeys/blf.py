"""BLF (linekey.X.type 16): the lamp of a colleague's phone, and one-press call, pickup and
transfer to it.

The key's `value` is the monitored number on the key's account; the engine subscribes to its
dialog state (RFC 4235) and the slot's `watch` says what the colleague is doing
(app/phone/blf.py). LEDs as Yealink's BLF table (docs/yealink.md §5): idle solid green, ringing
fast-flashing red, busy solid red, held slow-flashing red, nothing known (subscribing,
refused, unknown user) off. While the colleague's phone rings, the key shows the caller.

Pressed: ringing -> directed pickup (the key's pickup code `extension`, else the phone's
directed pickup code, + the number; without a code an INVITE with Replaces built from the
NOTIFY's dialog ids, RFC 3891); in a call -> as transfer.dsskey_deal_type says; else a call.
"""

from __future__ import annotations

from app.phone.blf import Lamp, Watch
from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.linekeys.in_call import during_call
from app.phone.handset.linekeys.speed_dial import account_of
from app.phone.handset.screens import LineKeyView
from app.phone.intents import DirectedPickup, Intent, NewCall
from app.phone.messages import Dial

LED_OF: dict[Lamp, tuple[str, str]] = {
    Lamp.UNKNOWN: (S.LED_OFF, S.LED_OFF),
    Lamp.FAILED: (S.LED_OFF, S.LED_OFF),
    Lamp.IDLE: (S.GREEN, S.SOLID),
    Lamp.RINGING: (S.RED, S.FAST),
    Lamp.CALLING: (S.RED, S.SOLID),
    Lamp.TALKING: (S.RED, S.SOLID),
    Lamp.HELD: (S.RED, S.SLOW),
}

# the icon beside the label: its colour follows the lamp (ui/handset/display.py)
ICON_OF: dict[Lamp, str] = {
    Lamp.UNKNOWN: "blf_unknown",
    Lamp.FAILED: "blf_failed",
    Lamp.IDLE: "blf_idle",
    Lamp.RINGING: "blf_ringing",
    Lamp.CALLING: "blf_busy",
    Lamp.TALKING: "blf_busy",
    Lamp.HELD: "blf_held",
}


def watch_of(slot: Slot) -> Watch:
    return slot.watch if slot.watch is not None else Watch()


class Blf:
    name = "BLF"
    holds_calls = False
    watches = True

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        watch = watch_of(slot)
        label = slot.key.label or slot.key.value
        if watch.lamp == Lamp.RINGING and watch.caller:
            label = watch.caller
        return LineKeyView(label=label, icon=ICON_OF[watch.lamp])

    def light(self, slot: Slot) -> tuple[str, str]:
        return LED_OF[watch_of(slot).lamp]

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        number = slot.key.value.strip()
        if not number:
            return []
        watch = watch_of(slot)
        account = account_of(slot)
        if watch.lamp == Lamp.RINGING:
            hold: list[Intent] = [NewCall()] if host.live() else []
            return [*hold, self._pickup(slot, watch, host)]
        in_call = during_call(number, account, host)
        return in_call if in_call is not None else [Dial(number, account)]

    def _pickup(self, slot: Slot, watch: Watch, host: KeyHost) -> Intent:
        number, account = slot.key.value.strip(), account_of(slot)
        code = slot.key.extension.strip() or host.features.directed_pickup_code
        if code:
            return Dial(f"{code}{number}", account)
        if watch.pickup is not None:
            target = watch.pickup.uri or number
            return DirectedPickup(target, watch.pickup.replaces(), account)
        return Dial(number, account)


BLF_KEY = Blf()
