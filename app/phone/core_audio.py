"""The phone core with its sound: PhoneCore plus the tone and ringer rules of tones_policy.

A subclass rather than edits inside PhoneCore, so the call rules and the sound rules stay apart:
every input goes through PhoneCore first, then the policy looks at the calls and adds the audio
commands (PlayTone, StopTone, Ring, StopRing) and the ringback-timeout hang-ups.
"""

from __future__ import annotations

from collections.abc import Callable

from app.phone.call_control import CONTROL_INPUTS
from app.phone.core import CoreInput, PhoneCore
from app.phone.intents import DirectedPickup, ForwardCall, Intercom
from app.phone.messages import Output, Then, Tick
from app.phone.settings import Settings
from app.phone.tones_policy import TonePolicy


class SoundingPhoneCore(PhoneCore):
    def __init__(self, settings: Settings, clock: Callable[[], float]) -> None:
        super().__init__(settings, clock)
        self.tones = TonePolicy()

    def handle(self, msg: CoreInput) -> list[Output]:
        if not isinstance(msg, (ForwardCall, Intercom, DirectedPickup, *CONTROL_INPUTS)):
            self.tones.observe(msg, self.settings)
        out = super().handle(msg)
        if isinstance(msg, Tick):
            out += self.tones.expired(msg.now, self.settings)
        if out and isinstance(out[-1], Then):
            return out  # the sound follows in the Then input's turn, after the wire
        return out + self.tones.update(self.calls, self.settings, self._clock())

    def next_deadline(self) -> float | None:
        own = self.tones.next_deadline(self.settings)
        core = super().next_deadline()
        return min((d for d in (own, core) if d is not None), default=None)

    def silence(self, call: str | None = None) -> list[Output]:
        """The Silence soft key: stop the ringer; the call keeps ringing on the line."""
        self.tones.silence(call, self.calls)
        return self.tones.update(self.calls, self.settings, self._clock())
