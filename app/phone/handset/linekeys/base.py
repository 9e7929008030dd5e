"""What a line key type provides: how a key of that type is drawn, lit and pressed.

A type is one module with one object of this shape, and one row in linekeys/table.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.phone.blf import Watch
from app.phone.handset.linekeys.config import KeyFeatures, LineKey
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent
from app.phone.model import AccountView, CallView


@dataclass
class Slot:
    """One key as laid out: its configuration and the phone state it watches."""

    key: LineKey
    account: AccountView | None  # the account of key.line, None when it is not shown
    call: CallView | None = None  # the call sitting on the key (types that hold calls)
    seized: bool = False  # off hook on the dial screen: the next call goes out on this key
    watch: Watch | None = None  # the monitored extension (types that watch), None: not yet
    feature_on: bool = False  # the phone feature a key switches is on (DND, Forward)
    dnd: bool = False  # DND refuses calls on the key's account


class KeyHost(Protocol):
    """What a key press may read and change on the handset (HandsetState has these)."""

    focus: str | None  # the call the screen shows
    view: str  # the screen open (screens.IDLE, screens.DIALING, ...)

    @property
    def features(self) -> KeyFeatures: ...

    @property
    def dnd(self) -> bool: ...

    @property
    def forward_always(self) -> tuple[bool, str]:
        """The phone's Always forward rule: (on, target)."""
        ...

    def live(self) -> list[CallView]: ...

    def seize(self, account: int) -> None:
        """Open the dial screen for a call on `account`."""

    def consult_for(self, call: str) -> None:
        """The next outgoing call is the consultation for an attended transfer of `call`."""

    def ask_voice_mail(self, account: int) -> None:
        """Ask for `account`'s Voice Mail number (the Set Voice Mail form); Save dials it."""


class KeyType(Protocol):
    @property
    def name(self) -> str:
        """Yealink's name of the type, as its web UI lists it."""

    @property
    def holds_calls(self) -> bool:
        """Calls of the key's account sit on keys of this type (and seize them)."""

    @property
    def watches(self) -> bool:
        """Keys of this type with a value subscribe to its dialog state (BLF, park)."""

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        """Label, icon and focus of the key; `number` is the physical key (1-10)."""

    def light(self, slot: Slot) -> tuple[str, str]:
        """The LED: (colour, mode) from screens (GREEN/RED/LED_OFF, SOLID/FAST/SLOW/LED_OFF)."""

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        """The key was pressed: what the handset asks for."""
