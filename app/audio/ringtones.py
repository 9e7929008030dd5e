"""Ringtones: Ring1–Ring8 (synthesised here, not copied from anywhere), Silent, a custom WAV file
(the names, and the Alert-Info header choosing one, are app/phone/ringtone_names.py).

Each built-in ringtone is one cycle (sound and the pause after it) at 16 kHz; the ringer loops it.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.phone.ringtone_names import BUILTIN, SILENT
from app.userfiles import UserFileError, read_user_file

RATE = 16000
MAX_FILE_SECONDS = 60.0
MAX_FILE_BYTES = 32 << 20  # a minute of 48 kHz stereo 24-bit PCM is 17 MB
MAX_RATE = 192000
PEAK = 0.5  # of full scale; the ringer volume scales from here

Float = npt.NDArray[np.float64]
Int16Array = npt.NDArray[np.int16]


class RingtoneError(ValueError):
    """A ringtone name or file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Ringtone:
    name: str
    samples: Int16Array  # one cycle at 16 kHz mono; empty for Silent

    @property
    def silent(self) -> bool:
        return len(self.samples) == 0

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE


def _t(seconds: float) -> Float:
    return np.arange(round(seconds * RATE)) / RATE


def _pad(parts: list[Float], total: float) -> Float:
    """Concatenate parts and pad with silence to `total` seconds."""
    sound = np.concatenate(parts)
    return np.concatenate([sound, np.zeros(max(0, round(total * RATE) - len(sound)))])


def _gap(seconds: float) -> Float:
    return np.zeros(round(seconds * RATE))


def _fade(x: Float, ms: float = 5.0) -> Float:
    n = min(len(x) // 2, round(ms * RATE / 1000))
    if n:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def _note(
    freq: float, seconds: float, partials: tuple[tuple[float, float], ...], decay: float
) -> Float:
    """A struck note: partials (ratio, weight) under an exponential decay."""
    t = _t(seconds)
    out = sum(w * np.sin(2 * np.pi * freq * r * t) for r, w in partials)
    return _fade(np.asarray(out, dtype=np.float64) * np.exp(-t / decay))


def _ring1() -> Float:  # "Classic": an electronic trill, two bursts then a long pause
    t = _t(0.8)
    trill = np.where(np.sin(2 * np.pi * 20 * t) >= 0, 1.0, 0.0)
    burst = _fade(np.sin(2 * np.pi * 1000 * t) * trill + np.sin(2 * np.pi * 1250 * t) * (1 - trill))
    return _pad([burst, _gap(0.4), burst.copy()], 4.0)


def _ring2() -> Float:  # "Marimba": a rising arpeggio, twice
    marimba = ((1.0, 1.0), (4.0, 0.25), (10.0, 0.05))
    notes = [_note(f, 0.35, marimba, 0.12) for f in (523.25, 659.25, 783.99, 1046.5)]
    phrase = [n[: round(0.15 * RATE)] if i < 3 else n for i, n in enumerate(notes)]
    return _pad([*phrase, _gap(0.25), *phrase], 3.5)


def _ring3() -> Float:  # "Chime": a two-bell ding-dong with inharmonic partials
    bell = ((1.0, 1.0), (2.76, 0.4), (5.40, 0.15), (8.93, 0.05))
    return _pad([_note(659.25, 0.7, bell, 0.35), _note(523.25, 1.2, bell, 0.5)], 4.0)


def _ring4() -> Float:  # "Pulse": four short 880 Hz beeps, twice
    beep = _fade(np.sin(2 * np.pi * 880 * _t(0.1)))
    group = [p for _ in range(4) for p in (beep, _gap(0.06))]
    return _pad([*group, _gap(0.4), *group], 3.5)


def _ring5() -> Float:  # "Warble": a tone sweeping 700–1100 Hz ten times a second
    t = _t(1.2)
    inst = 900 + 200 * np.sin(2 * np.pi * 10 * t)
    phase = 2 * np.pi * np.cumsum(inst) / RATE
    return _pad([_fade(np.sin(phase), 20)], 3.0)


def _ring6() -> Float:  # "Melody": a short pentatonic tune with soft harmonics
    soft = ((1.0, 1.0), (2.0, 0.3), (3.0, 0.1))
    tune = (587.33, 659.25, 783.99, 880.0, 783.99, 659.25, 587.33, 783.99)
    lengths = (0.18, 0.18, 0.18, 0.36, 0.18, 0.18, 0.18, 0.5)
    return _pad([_note(f, d, soft, d * 1.5) for f, d in zip(tune, lengths, strict=True)], 4.5)


def _ring7() -> Float:  # "Bright": three rising chirps
    t = _t(0.15)
    inst = 600 + 600 * t / 0.15
    chirp = _fade(np.sin(2 * np.pi * np.cumsum(inst) / RATE), 8)
    return _pad([chirp, _gap(0.08), chirp.copy(), _gap(0.08), chirp.copy()], 3.0)


def _ring8() -> Float:  # "Digital": a dual-tone pip pattern, short-short-long
    def pip(d: float) -> Float:
        t = _t(d)
        return _fade(np.sin(2 * np.pi * 1400 * t) + 0.6 * np.sin(2 * np.pi * 2100 * t))

    return _pad([pip(0.08), _gap(0.08), pip(0.08), _gap(0.08), pip(0.3)], 2.5)


_MAKERS: dict[str, Callable[[], Float]] = dict(
    zip(BUILTIN, (_ring1, _ring2, _ring3, _ring4, _ring5, _ring6, _ring7, _ring8), strict=True)
)


def _to_int16(x: Float) -> Int16Array:
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    scaled = x * (PEAK * 32767 / peak) if peak else x
    return np.clip(np.round(scaled), -32768, 32767).astype(np.int16)


@cache
def builtin_ringtone(name: str) -> Ringtone:
    canonical = name.strip().capitalize()
    if canonical == SILENT:
        return Ringtone(SILENT, np.zeros(0, dtype=np.int16))
    if canonical not in _MAKERS:
        raise RingtoneError(f"no built-in ringtone {name!r} (Ring1–Ring8 or Silent)")
    return Ringtone(canonical, _to_int16(_MAKERS[canonical]()))


def resample(x: Float, src_rate: int, dst_rate: int = RATE) -> Float:
    """Band-limited resampling by FFT (zero-padding or truncating the spectrum)."""
    if src_rate == dst_rate or len(x) == 0:
        return x
    n_out = max(1, round(len(x) * dst_rate / src_rate))
    spectrum = np.fft.rfft(x)
    keep = min(len(spectrum), n_out // 2 + 1)
    out_spec = np.zeros(n_out // 2 + 1, dtype=complex)
    out_spec[:keep] = spectrum[:keep]
    result: Float = np.fft.irfft(out_spec, n_out) * (n_out / len(x))
    return result


def load_wav(path: Path) -> Ringtone:
    """A custom ringtone: PCM WAV, mono or stereo, any rate, mixed to mono at 16 kHz.
    Only a regular file of at most MAX_FILE_BYTES is read (app/userfiles.py says why)."""
    try:
        data = read_user_file(path, MAX_FILE_BYTES)
    except UserFileError as exc:
        raise RingtoneError(f"{path.name}: {exc}") from exc
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            if not 0 < rate <= MAX_RATE:
                raise RingtoneError(f"{path.name}: unsupported sample rate {rate} Hz")
            if w.getnframes() > MAX_FILE_SECONDS * rate:
                raise RingtoneError(f"{path.name}: longer than {MAX_FILE_SECONDS:.0f} s")
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise RingtoneError(f"{path.name}: not a readable PCM WAV file ({exc})") from exc
    if not 0 < channels <= 8:
        raise RingtoneError(f"{path.name}: broken channel layout")
    raw = raw[: len(raw) // (width * channels) * (width * channels)] if width else raw
    if width == 1:
        pcm = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) * 256.0
    elif width == 2:
        pcm = np.frombuffer(raw, dtype="<i2").astype(np.float64)
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        pcm = (np.where(v >= 1 << 23, v - (1 << 24), v) / 256.0).astype(np.float64)
    elif width == 4:
        pcm = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 65536.0
    else:
        raise RingtoneError(f"{path.name}: unsupported sample width {width} bytes")
    mono = pcm.reshape(-1, channels).mean(axis=1)
    if not len(mono):
        raise RingtoneError(f"{path.name}: no audio in the file")
    out = np.clip(np.round(resample(mono, rate)), -32768, 32767).astype(np.int16)
    return Ringtone(path.name, out)


def load_ringtone(choice: str) -> Ringtone:
    """Ring1–Ring8, Silent (any case), or a path to a WAV file."""
    stripped = choice.strip()
    if stripped.capitalize() in (*BUILTIN, SILENT):
        return builtin_ringtone(stripped)
    if not stripped:
        raise RingtoneError("no ringtone chosen")
    return load_wav(Path(stripped).expanduser())
