"""When the phone plays local tones and rings: pure rules, no audio here.

The policy watches the facts going into the core and the calls coming out of it, works out what
should sound now (one local tone, one ringtone) and answers with the commands that change what
sounds. Deciding from the calls' current state, not from single events, means a missed event can
never leave a tone playing forever.

Rules (pjsua's own for ringback, docs/pjsua2.md §5; the rest as on Yealink handsets):
- ringback: an outgoing call got a 180 without SDP and no provisional response with SDP (early
  media) yet; it stops on early media, on answer, on failure and on hang-up;
- busy after 486/600/603, congestion after 5xx, while the failed call is on screen (3 s);
- call waiting tone while a second call rings during a call (features.call_waiting_tone);
- the ringer rings the first ringing call while there is no other call; Silence stops it;
  Alert-Info can choose the ringtone;
- an outgoing call left in ringback is cancelled after features.ringback_timeout seconds;
- an intercom call the phone answered by itself gets a short warning tone first
  (features.intercom.tone, app/phone/intercom.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.phone.handset.keys import DIAL_KEYS
from app.phone.intercom import INTERCOM, WARNING_TONE
from app.phone.messages import (
    CallProgress,
    HangupCall,
    IncomingCall,
    Output,
    PlayTone,
    Ring,
    StopRing,
    StopTone,
)
from app.phone.model import CallState, CallView, Direction
from app.phone.ringtone_names import ringtone_from_alert_info
from app.phone.settings import Settings

BUSY_CODES = frozenset({486, 600, 603})
WARNING_SECONDS = 0.5  # the intercom warning: one beep of the call waiting cadence
_TALK = {CallState.TALKING, CallState.HOLD, CallState.HELD, CallState.CONNECTING}


@dataclass(frozen=True)
class Wanted:
    """The tone and the ring that should be playing now."""

    tone: tuple[str, str] | None = None  # (kind, call id)
    ring: tuple[str, str] | None = None  # (call id, ringtone)


def failure_tone(code: int) -> str | None:
    if code in BUSY_CODES:
        return "busy"
    if 500 <= code < 600:
        return "congestion"
    return None


def ringtone_for(headers: tuple[tuple[str, str], ...], default: str) -> str:
    """The ringtone an incoming call's Alert-Info asks for (Ring1-8, Silent), else `default`."""
    for name, value in headers:
        if name.lower() == "alert-info":
            chosen = ringtone_from_alert_info(value)
            if chosen:
                return chosen
    return default


@dataclass
class TonePolicy:
    """Which calls have ringback or early media, and their ringtones."""

    ringback_180: set[str] = field(default_factory=set)  # got a 180 without SDP
    early_media: set[str] = field(default_factory=set)  # got a provisional response with SDP
    silenced: set[str] = field(default_factory=set)
    ringtones: dict[str, str] = field(default_factory=dict)
    ringback_since: dict[str, float] = field(default_factory=dict)
    timed_out: set[str] = field(default_factory=set)
    current: Wanted = field(default_factory=Wanted)
    warned: dict[str, float] = field(default_factory=dict)  # intercom call -> warning's end
    now: float = 0.0

    # ---- facts ----------------------------------------------------------------------------
    def observe(self, msg: object, settings: Settings) -> None:
        """Record what a fact says about media before the core handles it."""
        if isinstance(msg, CallProgress) and msg.sip_state in ("CONNECTING", "CONFIRMED"):
            self.early_media.add(msg.call)  # answered: the call's own audio from now on
        elif isinstance(msg, CallProgress) and msg.sip_state == "EARLY":
            if msg.has_sdp:
                self.early_media.add(msg.call)
            elif msg.code == 180:
                self.ringback_180.add(msg.call)
        elif isinstance(msg, IncomingCall):
            self.ringtones[msg.call] = ringtone_for(msg.headers, settings.audio.ringtone)

    def silence(self, call: str | None, calls: dict[str, CallView]) -> None:
        """The Silence key: the ringer stops for that call (or every ringing call)."""
        ids = [call] if call else [c.id for c in calls.values() if c.state == CallState.CALLIN]
        self.silenced.update(ids)

    # ---- decisions ------------------------------------------------------------------------
    def wanted(self, calls: dict[str, CallView], settings: Settings) -> Wanted:
        views = list(calls.values())
        ringing = [c for c in views if c.state == CallState.CALLIN]
        busy_with = [c for c in views if c.state in _TALK or c.state == CallState.RINGBACK]
        tone: tuple[str, str] | None = None
        ring: tuple[str, str] | None = None
        if ringing and busy_with:
            if settings.features.call_waiting_tone:
                tone = ("callwaiting", ringing[0].id)
        elif ringing:
            first = next((c for c in ringing if c.id not in self.silenced), None)
            if first is not None:
                ring = (first.id, self.ringtones.get(first.id, settings.audio.ringtone))
        if tone is None:
            tone = self._ringback(views) or self._failure(views)
        warning = next((c for c, end in self.warned.items() if self.now < end), None)
        if warning is not None and settings.features.intercom.tone:
            tone = (WARNING_TONE, warning)
        return Wanted(tone, ring)

    def _ringback(self, views: list[CallView]) -> tuple[str, str] | None:
        for c in views:
            if (
                c.state == CallState.RINGBACK
                and c.direction == Direction.OUTGOING
                and c.id in self.ringback_180
                and c.id not in self.early_media
            ):
                return ("ring", c.id)
        return None

    def _failure(self, views: list[CallView]) -> tuple[str, str] | None:
        if any(c.state not in (CallState.FAILED, CallState.FINISHED) for c in views):
            return None
        for c in reversed(views):
            kind = failure_tone(c.code) if c.state == CallState.FAILED else None
            if kind and c.id not in self.timed_out:
                return (kind, c.id)
        return None

    def update(self, calls: dict[str, CallView], settings: Settings, now: float) -> list[Output]:
        """Commands that take the sound from what plays now to what the calls want."""
        self._track_ringback(calls, now)
        self.now = now
        for c in calls.values():
            if c.extra.get(INTERCOM) and c.id not in self.warned:
                self.warned[c.id] = now + WARNING_SECONDS
        want = self.wanted(calls, settings)
        out: list[Output] = []
        if want.tone != self.current.tone:
            out.append(PlayTone(*want.tone) if want.tone else StopTone())
        if want.ring != self.current.ring:
            out.append(Ring(*want.ring) if want.ring else StopRing())
        self.current = want
        self._forget(calls)
        return out

    # ---- the ringback timeout -------------------------------------------------------------
    def _track_ringback(self, calls: dict[str, CallView], now: float) -> None:
        for c in calls.values():
            if c.state == CallState.RINGBACK and c.id not in self.timed_out:
                self.ringback_since.setdefault(c.id, now)
            else:
                self.ringback_since.pop(c.id, None)

    def next_deadline(self, settings: Settings) -> float | None:
        times = [end for end in self.warned.values() if end > self.now]
        limit = settings.features.ringback_timeout
        if limit > 0 and self.ringback_since:
            times.append(min(self.ringback_since.values()) + limit)
        return min(times, default=None)

    def expired(self, now: float, settings: Settings) -> list[Output]:
        """Cancel outgoing calls that have been in ringback for too long."""
        limit = settings.features.ringback_timeout
        if limit <= 0:
            return []
        out: list[Output] = []
        for call, since in list(self.ringback_since.items()):
            if now >= since + limit:
                del self.ringback_since[call]
                self.timed_out.add(call)
                out.append(HangupCall(call, 0))
        return out

    def _forget(self, calls: dict[str, CallView]) -> None:
        for bag in (self.ringback_180, self.early_media, self.silenced, self.timed_out):
            bag.intersection_update(calls)
        for key in [k for k in self.ringtones if k not in calls]:
            del self.ringtones[key]
        for key in [k for k in self.warned if k not in calls]:
            del self.warned[key]


# ---- the dial tone ----------------------------------------------------------------------------


@dataclass
class DialTone:
    """When the dial tone sounds: the handset went off hook (OffHook) and nothing was dialled yet.

    The handset emits OffHook for SPEAKER or a line key in idle (the dial screen opens empty) and
    also for a digit key or typed text in idle (the dial screen opens with that text in it). As on
    a Yealink, the tone is the invitation to dial, so it plays only in the first case: a phone
    that opened its dial screen because a digit was pressed has had its first digit already.
    Not confirmed on a real phone, chosen as what a user expects:
    - it stops for good on the first digit (no second dial tone when the digits are deleted);
    - any call tone from the core (ringback, busy, ...) wins and ends it, and so does a call
      becoming live (dialled from history or the directory, or an incoming call);
    - a failed call's busy/congestion tone that was still sounding when the user went off hook
      gives way to the dial tone (the user has moved on to a new call);
    - no time limit: the dial screen's own timeout (or X) puts the phone back on hook.
    """

    active: bool = False

    def off_hook(self, key: str | None, in_call: bool) -> bool:
        """OffHook; `key` is the key that opened the dial screen (None: typed text).
        True when the dial tone must start."""
        self.active = key is not None and key not in DIAL_KEYS and not in_call
        return self.active

    def key(self, key: str) -> bool:
        """A key press; True when it ends the dial tone (a digit)."""
        return self._end() if key in DIAL_KEYS else False

    def on_hook(self) -> bool:
        """OnHook (the dial screen left without a call); True when the tone must stop."""
        return self._end()

    def core_play(self) -> None:
        """The core plays a call tone: it replaces the dial tone."""
        self.active = False

    def core_stop(self) -> bool:
        """The core stops its tone; True when the bridge must go quiet. False while the dial
        tone sounds: the core's tone (a failed call's busy) was already replaced by it."""
        return not self.active

    def check(self, in_call: bool) -> bool:
        """Each loop turn; True when a live call ends the dial tone."""
        return self._end() if in_call else False

    def _end(self) -> bool:
        was, self.active = self.active, False
        return was
