"""What the handset display shows, as plain data the engine sends to the UI (JSON-able).

The UI renders a ScreenModel and nothing else, so a screen can be rebuilt from `to_dict()` in
another process with `ScreenModel.from_dict()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# screen names
IDLE = "idle"
DIALING = "dialing"
CALLING = "calling"
RINGBACK = "ringback"
INCOMING = "incoming"
TALKING = "talking"
CONFERENCE = "conference"  # the local conference: its parties, Hold/Manage/Split/End Call
MANAGE = "manage"  # the conference's parties to far-mute or remove
HOLD = "hold"
HELD = "held"
FAILED = "failed"
FINISHED = "finished"
MENU = "menu"
HISTORY = "history"
DIRECTORY = "directory"
FORM = "form"
MESSAGES = "messages"  # Menu -> Message -> Text Message
VOICE_MAIL = "voice_mail"  # Message -> Voice Mail: each account's new/old count, Connect
STATUS = "status"

CALL_SCREENS = (CALLING, RINGBACK, INCOMING, TALKING, HOLD, HELD, FAILED, FINISHED)

# LED colours and modes (docs/yealink.md §5: solid green talking, fast green ringing, ...)
LED_OFF = "off"
GREEN = "green"
RED = "red"
SOLID = "solid"
FAST = "fast"
SLOW = "slow"


@dataclass
class LineKeyView:
    """What one line key shows: label, icon and LED."""

    key: str = ""  # "L1".."L10": the physical key on the current page
    label: str = ""
    icon: str = ""  # registered | registering | failed | talking | ringing | hold | page | ""
    led_colour: str = LED_OFF  # green | red | off
    led_mode: str = LED_OFF  # solid | fast | slow | off
    focused: bool = False


@dataclass
class StatusBar:
    """The display's top bar: account, registration, time and indicators."""

    account: str = ""
    registration: str = ""  # Yealink words: Registered, Register failed!, ...
    reg_state: str = ""  # RegState value, for the icon colour
    time: str = ""
    date: str = ""
    icons: list[str] = field(default_factory=list)  # dnd forward missed voice_mail mute ...
    missed: int = 0
    voice_mail: str = ""  # new voice messages beside the voice mail icon ("99+"; "" unknown)


@dataclass
class PopupView:
    """A message box over the current screen."""

    text: str
    kind: str = "info"  # info | error | missed | forwarded | voice_mail | message
    title: str = ""


@dataclass
class ScreenModel:
    """Everything the display shows, sent to the window as the `screen` event."""

    name: str = IDLE
    status: StatusBar = field(default_factory=StatusBar)
    title: str = ""  # state text: "Talking", "Incoming call", menu title, ...
    detail: str = ""  # the line under the state, e.g. "Busy here!"
    lines: list[str] = field(default_factory=list)  # body: who, number, "From FWD ..."
    timer: str = ""
    softkeys: list[str] = field(default_factory=lambda: ["", "", "", ""])
    line_keys: list[LineKeyView] = field(default_factory=list)
    line_page: int = 1
    line_pages: int = 1
    popup: PopupView | None = None
    input: str = ""  # dialing / form text being edited
    cursor: int = 0
    ime: str = ""  # 123 | abc | ABC | 2aB
    items: list[str] = field(default_factory=list)  # list rows: menu, history, matches, calls
    values: list[str] = field(default_factory=list)  # right-hand column of form rows
    selected: int = -1
    rows: list[int] = field(default_factory=list)  # a History list's call history rows
    tabs: list[str] = field(default_factory=list)  # history lists
    tab: int = -1
    call_index: str = ""  # "1/2" with several calls
    encrypted: bool = False  # the shown call's media is SRTP: a lock by its state, as on a Yealink
    note: str = ""  # e.g. the SIP port note on idle
    switches: list[int] = field(default_factory=list)  # form rows changed with Left/Right
    power_led_colour: str = LED_OFF  # the power indicator LED (red | off)
    power_led_mode: str = LED_OFF  # solid | fast | slow | off

    def to_dict(self) -> dict[str, Any]:
        """What `asdict()` gives (every leaf is a str, int or bool), without its recursive deep
        copy: a screen is built after every engine loop turn that changed it."""
        data = _flat(self)
        data["status"] = _flat(self.status)
        data["line_keys"] = [_flat(key) for key in self.line_keys]
        data["popup"] = _flat(self.popup) if self.popup is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScreenModel:
        d = dict(data)
        d["status"] = StatusBar(**d.get("status", {}))
        d["line_keys"] = [LineKeyView(**k) for k in d.get("line_keys", [])]
        popup = d.get("popup")
        d["popup"] = PopupView(**popup) if popup else None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def power_led(self) -> tuple[str, str]:
        return self.power_led_colour, self.power_led_mode

    def led(self, key: str) -> tuple[str, str]:
        """(colour, mode) of a line key on the shown page."""
        for k in self.line_keys:
            if k.key == key:
                return k.led_colour, k.led_mode
        return LED_OFF, LED_OFF


def _flat(obj: object) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, list) else v for k, v in vars(obj).items()}
