"""Audio settings: sound devices by name, tone country and custom tones, ringtone, volumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import app.phone.settings.checks as checks
from app.phone.settings.declare import PATH_MAX, Choice, Codec, names, setting

RINGTONES = (*(f"Ring{i}" for i in range(1, 9)), "Silent", "Splash")
# voice.tone.country values (docs/yealink.md §9); "Custom" uses AudioSettings.custom_tones.
TONE_COUNTRIES = (
    "Custom", "Australia", "Austria", "Brazil", "Belgium", "Chile", "China", "Czech", "Czech ETSI",
    "Denmark", "Finland", "France", "Germany", "Great Britain", "Greece", "Hungary", "Lithuania",
    "India", "Italy", "Japan", "Mexico", "New Zealand", "Netherlands", "Norway", "Portugal",
    "Spain", "Switzerland", "Sweden", "Russia", "United States",
)  # fmt: skip
TONE_NAMES = (
    "dial", "ring", "busy", "congestion", "callwaiting", "dialrecall", "record", "info",
    "stutter", "message", "autoanswer",
)  # fmt: skip


def ringtone_error(ring: str) -> str:
    if ring in RINGTONES or ring.startswith("/"):
        return ""
    return f"{ring!r} is not Ring1-Ring8, Silent, Splash or an absolute file path"


def _ring_decode(text: str) -> str:
    name = text.removeprefix("Resource:")
    stem = name[:-4] if name.lower().endswith(".wav") else name
    return stem if stem in RINGTONES else text


def _ring_encode(value: str) -> str:
    return f"Resource:{value}.wav" if value in RINGTONES else value


# A built-in ringtone is `Resource:Ring3.wav` in a .cfg file; a file path stays as it is.
RINGTONE = Codec("Resource:<name>.wav for a built-in one", _ring_decode, _ring_encode)


def _device(label: str, what: str) -> Any:
    return setting(
        "", label, f"audio.{what}_device", own=True,
        help=f"Sound device for the {label.lower()}, by name (names stay, indexes change when a "
        "headset is plugged in); empty: the system default.",
    )  # fmt: skip


def _volume(label: str, what: str) -> Any:
    return setting(
        8, label, f"audio.volume_{what}", own=True, lo=0, hi=15,
        help="0-15, as on the phone's volume key.",
    )  # fmt: skip


# fmt: off
@dataclass
class AudioSettings:
    """Tones, ringtones, devices and volumes."""

    tone_country: str = setting(
        "United States", "Tone country", "voice.tone.country",
        choices=tuple(Choice(c, c) for c in sorted(TONE_COUNTRIES)),
        help="The country whose dial, ringback, busy and other tones are played; Custom plays "
        "the custom tones.",
    )
    custom_tones: dict[str, str] = names(
        "Custom tones", "voice.tone.{name}", TONE_NAMES, check=checks.tone_error,
        unknown=f"unknown tone, known: {', '.join(TONE_NAMES)}",
        help="Tones played while the tone country is Custom, by name (ring is the ringback): "
        "up to 8 comma-separated elements [!]f1[+f2[+f3[+f4]]]/ms, 200-7000 Hz or 0 for "
        "silence, 0-30000 ms; a leading ! plays the element once.",
    )
    ringtone: str = setting(
        "Ring1", "Ringtone", "phone_setting.ring_type", codec=RINGTONE, check=ringtone_error,
        max_len=PATH_MAX,
        help="Ring1-Ring8, Silent, Splash, or the full path of a sound file.",
    )
    handset_device: str = _device("Handset / headset", "handset")
    handsfree_device: str = _device("Hands-free", "handsfree")
    ringer_device: str = _device("Ringer", "ringer")
    volume_handset: int = _volume("Handset volume", "handset")
    volume_handsfree: int = _volume("Hands-free volume", "handsfree")
    volume_ringer: int = _volume("Ringer volume", "ringer")
    key_tones: bool = setting(
        True, "Key tones", "audio.key_tones", own=True,
        help="A short tone on each key press.",
    )
# fmt: on
