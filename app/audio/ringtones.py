"""Ringtones: Ring1–Ring8 (synthesised here, not copied from anywhere), Silent, a custom WAV file
(the names, and the Alert-Info header choosing one, are app/phone/ringtone_names.py; a file is
decoded by app/audio/ringtone_wav.py).

Each built-in ringtone is one cycle (sound and the pause after it) at 16 kHz; the ringer loops it.
Synthesised with `math`, not numpy, so that ringing loads no numpy (docs/footprint.md §3): one
ringtone takes 10–60 ms of CPU once per process (cached), on the sound loader's thread for the
configured one (app/engine/audio.py).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from app.phone.ringtone_names import BUILTIN, SILENT

RATE = 16000
PEAK = 0.5  # of full scale; the ringer volume scales from here
TAU = 2 * math.pi

Wave = list[float]


class RingtoneError(ValueError):
    """A ringtone name or file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Ringtone:
    name: str
    pcm: bytes = field(repr=False)  # one cycle at 16 kHz mono, int16; empty for Silent

    @property
    def silent(self) -> bool:
        return not self.pcm

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def seconds(self) -> float:
        return self.frames / RATE


def _t(seconds: float) -> Wave:
    return [i / RATE for i in range(round(seconds * RATE))]


def _pad(parts: list[Wave], total: float) -> Wave:
    """Concatenate parts and pad with silence to `total` seconds."""
    sound = [x for part in parts for x in part]
    return sound + [0.0] * max(0, round(total * RATE) - len(sound))


def _gap(seconds: float) -> Wave:
    return [0.0] * round(seconds * RATE)


def _fade(x: Wave, ms: float = 5.0) -> Wave:
    n = min(len(x) // 2, round(ms * RATE / 1000))
    for k in range(n):
        ramp = 0.5 - 0.5 * math.cos(math.pi * k / (n - 1)) if n > 1 else 0.0
        x[k] *= ramp
        x[-1 - k] *= ramp
    return x


def _sin(freq: float, t: Wave) -> Wave:
    f, sin = TAU * freq, math.sin
    return [sin(f * s) for s in t]


def _note(
    freq: float, seconds: float, partials: tuple[tuple[float, float], ...], decay: float
) -> Wave:
    """A struck note: partials (ratio, weight) under an exponential decay."""
    t = _t(seconds)
    sin, exp = math.sin, math.exp
    out = [exp(-s / decay) for s in t]
    total = [0.0] * len(t)
    for ratio, weight in partials:
        f = TAU * freq * ratio
        total = [a + weight * sin(f * s) for a, s in zip(total, t, strict=True)]
    return _fade([a * e for a, e in zip(total, out, strict=True)])


def _ring1() -> Wave:  # "Classic": an electronic trill, two bursts then a long pause
    burst = _fade(
        [math.sin(TAU * (1000 if math.sin(TAU * 20 * s) >= 0 else 1250) * s) for s in _t(0.8)]
    )
    return _pad([burst, _gap(0.4), burst], 4.0)


def _ring2() -> Wave:  # "Marimba": a rising arpeggio, twice
    marimba = ((1.0, 1.0), (4.0, 0.25), (10.0, 0.05))
    notes = [_note(f, 0.35, marimba, 0.12) for f in (523.25, 659.25, 783.99, 1046.5)]
    phrase = [n[: round(0.15 * RATE)] if i < 3 else n for i, n in enumerate(notes)]
    return _pad([*phrase, _gap(0.25), *phrase], 3.5)


def _ring3() -> Wave:  # "Chime": a two-bell ding-dong with inharmonic partials
    bell = ((1.0, 1.0), (2.76, 0.4), (5.40, 0.15), (8.93, 0.05))
    return _pad([_note(659.25, 0.7, bell, 0.35), _note(523.25, 1.2, bell, 0.5)], 4.0)


def _ring4() -> Wave:  # "Pulse": four short 880 Hz beeps, twice
    beep = _fade(_sin(880, _t(0.1)))
    group = [p for _ in range(4) for p in (beep, _gap(0.06))]
    return _pad([*group, _gap(0.4), *group], 3.5)


def _sweep(inst: Wave) -> Wave:
    """A tone whose frequency follows `inst` (Hz per sample)."""
    return [math.sin(TAU * p / RATE) for p in accumulate(inst)]


def _ring5() -> Wave:  # "Warble": a tone sweeping 700–1100 Hz ten times a second
    return _pad([_fade(_sweep([900 + 200 * math.sin(TAU * 10 * s) for s in _t(1.2)]), 20)], 3.0)


def _ring6() -> Wave:  # "Melody": a short pentatonic tune with soft harmonics
    soft = ((1.0, 1.0), (2.0, 0.3), (3.0, 0.1))
    tune = (587.33, 659.25, 783.99, 880.0, 783.99, 659.25, 587.33, 783.99)
    lengths = (0.18, 0.18, 0.18, 0.36, 0.18, 0.18, 0.18, 0.5)
    return _pad([_note(f, d, soft, d * 1.5) for f, d in zip(tune, lengths, strict=True)], 4.5)


def _ring7() -> Wave:  # "Bright": three rising chirps
    chirp = _fade(_sweep([600 + 600 * s / 0.15 for s in _t(0.15)]), 8)
    return _pad([chirp, _gap(0.08), chirp, _gap(0.08), chirp], 3.0)


def _ring8() -> Wave:  # "Digital": a dual-tone pip pattern, short-short-long
    def pip(d: float) -> Wave:
        return _fade([math.sin(TAU * 1400 * s) + 0.6 * math.sin(TAU * 2100 * s) for s in _t(d)])

    return _pad([pip(0.08), _gap(0.08), pip(0.08), _gap(0.08), pip(0.3)], 2.5)


_MAKERS: dict[str, Callable[[], Wave]] = dict(
    zip(BUILTIN, (_ring1, _ring2, _ring3, _ring4, _ring5, _ring6, _ring7, _ring8), strict=True)
)


def _to_int16(x: Wave) -> bytes:
    peak = max(map(abs, x), default=0.0)
    factor = PEAK * 32767 / peak if peak else 1.0  # |v * factor| <= PEAK: nothing to clip
    return bytes(array("h", map(round, [v * factor for v in x])))


def builtin_ringtone(name: str) -> Ringtone:
    canonical = name.strip().capitalize()
    if canonical == SILENT:
        return Ringtone(SILENT, b"")
    if canonical not in _MAKERS:
        raise RingtoneError(f"no built-in ringtone {name!r} (Ring1–Ring8 or Silent)")
    return _synthesised(canonical)


@cache  # by canonical name: "ring3" and "Ring3" share one synthesis
def _synthesised(canonical: str) -> Ringtone:
    return Ringtone(canonical, _to_int16(_MAKERS[canonical]()))
