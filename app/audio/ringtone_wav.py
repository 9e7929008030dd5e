"""A custom ringtone file: PCM WAV, mono or stereo, any rate, mixed to mono at 16 kHz.

numpy (decoding 8/16/24/32-bit PCM, FFT resampling) loads only here: on the ringtone loader's
thread, when the settings name a file (app/audio/ringtone_loader.py); calls and built-in
ringtones run without it (docs/footprint.md §3).
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.audio.ringtones import RATE, Ringtone, RingtoneError
from app.userfiles import UserFileError, read_user_file

MAX_FILE_SECONDS = 60.0
MAX_FILE_BYTES = 32 << 20  # a minute of 48 kHz stereo 24-bit PCM is 17 MB
MAX_RATE = 192000

Float = npt.NDArray[np.float64]


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
    return Ringtone(path.name, out.tobytes())
