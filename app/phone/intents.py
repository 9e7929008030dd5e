"""User intents the handset emits besides messages.Dial / Answer / Hangup.

Each is a frozen dataclass, like every message of the phone core. `call` is a CallView id; None
means "the call the core considers current". The handset never acts on SIP itself: it asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.phone.messages import Answer, Dial, Hangup


@dataclass(frozen=True)
class Hold:
    """Put a call on hold."""

    call: str | None = None


@dataclass(frozen=True)
class Resume:
    """Take a held call back."""

    call: str | None = None


@dataclass(frozen=True)
class Reject:
    """Refuse a ringing call (the core answers features.normal_refuse_code, 486 by default)."""

    call: str | None = None


@dataclass(frozen=True)
class Silence:
    """Stop the ringer of a ringing call; it keeps ringing on the line."""

    call: str | None = None


@dataclass(frozen=True)
class ForwardCall:
    """Divert a ringing call to `target` (the core answers 302 with it as Contact)."""

    call: str | None
    target: str


@dataclass(frozen=True)
class Transfer:
    """Transfer `call`.

    Blind (attended=False): `target` is a number or URI, REFER without Replaces.
    Attended (attended=True): `target` is the id of the consultation call, REFER with Replaces.
    """

    call: str | None
    target: str
    attended: bool = False


@dataclass(frozen=True)
class Conference:
    """Join these calls into a local three-way conference."""

    calls: tuple[str, ...]


@dataclass(frozen=True)
class FarMute:
    """In the local conference: stop (or restart) passing `call`'s audio to the others and to
    this phone; that party still hears everyone."""

    call: str
    on: bool


@dataclass(frozen=True)
class SplitConference:
    """End the local conference and leave its calls on hold, each on its own."""


@dataclass(frozen=True)
class Swap:
    """Make `call` the active one, putting the active call (if any) on hold."""

    call: str


@dataclass(frozen=True)
class NewCall:
    """The user opened a dial screen while in a call: hold the active call, play dial tone."""


@dataclass(frozen=True)
class OffHook:
    """The user opened the dial screen from idle (speaker, line key, digit): dial tone may play."""

    account: int | None = None


@dataclass(frozen=True)
class OnHook:
    """The dial screen was left without calling: stop the dial tone."""


@dataclass(frozen=True)
class Mute:
    """Mute or unmute the microphone."""

    on: bool


@dataclass(frozen=True)
class SendDtmf:
    """Send one DTMF digit in a call."""

    digit: str  # one of 0-9 * #
    call: str | None = None


@dataclass(frozen=True)
class Redial:
    """Call the last placed number again (the handset had no placed list to pick from)."""


@dataclass(frozen=True)
class SetDnd:
    """Turn Do Not Disturb on or off."""

    on: bool


@dataclass(frozen=True)
class SetForward:
    """Change a phone-wide forward rule: kind is always | busy | no_answer."""

    kind: str
    enabled: bool
    target: str
    ring_seconds: int | None = None  # no_answer only; None keeps the current setting
    on_code: str | None = None  # the feature codes; None keeps the current ones
    off_code: str | None = None


@dataclass(frozen=True)
class Intercom:
    """Call `target` as an intercom call (the core adds the configured intercom header)."""

    target: str
    account: int | None = None


@dataclass(frozen=True)
class DirectedPickup:
    """Pick up a call ringing at a monitored phone: an INVITE with Replaces to `uri` (the
    caller), `replaces` being the Replaces header's value (app/phone/blf.py PickupTarget)."""

    uri: str
    replaces: str
    account: int | None = None


@dataclass(frozen=True)
class VolumeStep:
    """The volume keys: one step up or down."""

    delta: int  # +1 / -1 on the 0-15 scale of the active device (ringer when idle)


@dataclass(frozen=True)
class SelectAudioMode:
    """Switch between handset, headset and speaker."""

    mode: str  # handset | headset | speaker


@dataclass(frozen=True)
class ClearMissed:
    """The user has seen the missed calls: reset the counter."""


@dataclass(frozen=True)
class SetVoiceMail:
    """Save the Voice Mail number of an account (voice_mail.number.X), typed on the handset."""

    account: int
    number: str


@dataclass(frozen=True)
class OpenSettings:
    """Open the desktop settings dialog at a section (accounts, audio, network, ...)."""

    section: str


Intent = (
    Dial
    | Answer
    | Hangup
    | Hold
    | Resume
    | Reject
    | Silence
    | ForwardCall
    | Transfer
    | Conference
    | FarMute
    | SplitConference
    | Swap
    | NewCall
    | OffHook
    | OnHook
    | Mute
    | SendDtmf
    | Redial
    | SetDnd
    | SetForward
    | Intercom
    | DirectedPickup
    | VolumeStep
    | SelectAudioMode
    | ClearMissed
    | SetVoiceMail
    | OpenSettings
)
