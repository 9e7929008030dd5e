"""What the handset needs to know besides accounts and calls: feature state and lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.phone.blf import Watch, WatchKey
from app.phone.dialplan import DialPlan
from app.phone.handset.forms import ForwardRuleView
from app.phone.handset.linekeys.config import KeyFeatures, LineKey

# history kinds, in the order of the History screen's lists
MISSED = "missed"
PLACED = "placed"
RECEIVED = "received"
FORWARDED = "forwarded"


@dataclass(frozen=True)
class HistoryItem:
    """One row of the handset's History list."""

    name: str
    number: str  # number or URI to call back
    kind: str  # missed | placed | received | forwarded
    when: str = ""  # as the list shows it, e.g. "11-21 20:15"
    row: int = 0  # its row in the call history (the window opens that call's flow)


@dataclass(frozen=True)
class VoiceMailBox:
    """One account's voice mail as the handset shows it (app/phone/voicemail.py keeps it)."""

    account: int
    label: str
    number: str = ""  # the account's Voice Mail number: what Connect dials ("" none)
    new: int | None = 0  # new voice messages; None: voice mail waits, count unknown
    old: int = 0
    shown: bool = True  # account.X.display_mwi.enable: off hides its count everywhere
    arrived: int = 0  # bumped each time new voice mail arrived on this account

    @property
    def waiting(self) -> bool:
        return self.shown and (self.new is None or self.new > 0)


@dataclass
class HandsetFlags:
    """The phone-wide state the handset shows besides calls and accounts."""

    dnd: bool = False  # DND of the account the status bar shows
    dnd_accounts: frozenset[int] = frozenset()  # accounts DND refuses calls on: their line keys
    forward_on: bool = False  # any forward rule on: the status bar icon
    # kind (always | busy | no_answer) -> the phone-wide rule; edited in Menu -> Call Forward
    forward: dict[str, ForwardRuleView] = field(default_factory=dict)
    no_answer_seconds: int = 12
    missed_count: int = 0
    muted: bool = False
    auto_answer: bool = False
    sip_port_note: str = ""  # e.g. "SIP Port 5062" when the asked port was taken
    audio_warning: str = ""  # why a call has no sound (no device, device lost)
    history: list[HistoryItem] = field(default_factory=list)  # newest first
    directory: list[tuple[str, str]] = field(default_factory=list)  # (name, number)
    message: str = ""  # newest text message body, shown once as a pop-up
    message_from: str = ""
    message_id: int = 0  # bump to show a new message
    # voice mail of every account, in account order (MESSAGE -> Voice Mail lists them)
    voice_mail: tuple[VoiceMailBox, ...] = ()
    voice_mail_popup: bool = True  # features.voice_mail_popup.enable
    mail_power_led: bool = True  # phone_setting.mail_power_led_flash_enable
    conference: tuple[str, ...] = ()  # the calls of the local conference
    far_muted: frozenset[str] = frozenset()  # conference calls whose audio nobody hears
    error: str = ""  # an error pop-up ("Network unavailable!"), shown once per id
    error_id: int = 0
    clock: datetime | None = None  # local wall time; None: now
    clock_24h: bool = True
    inter_digit_seconds: float = 4.0  # auto-dial after the last digit (0: never)
    dial_plan: DialPlan | None = None  # dial-now rules: dial as soon as the digits match one
    # the line keys as configured (Yealink linekey.X.*); None: one Line key per account
    line_keys: tuple[LineKey, ...] | None = None
    key_features: KeyFeatures = field(default_factory=KeyFeatures)
    # what the watching keys (BLF, park) see: (account, number) -> the monitored state
    watches: dict[WatchKey, Watch] = field(default_factory=dict)
