"""Ringtones: eight distinct synthesised ones, Silent, custom WAV files, Alert-Info."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from app.audio.ringtone_loader import load_ringtone
from app.audio.ringtones import Ringtone, RingtoneError, builtin_ringtone
from app.phone.ringtone_names import BUILTIN, ringtone_from_alert_info
from tests.audio.analysis import peak_freqs

RATE = 16000


def samples(tone: Ringtone) -> np.ndarray:
    return np.frombuffer(tone.pcm, dtype=np.int16)


def test_eight_distinct_ringtones_with_pauses() -> None:
    tones = [builtin_ringtone(n) for n in BUILTIN]
    spectra = []
    for tone in tones:
        x = samples(tone)
        assert 2.0 <= tone.seconds <= 5.0
        assert 0.4 * 32767 < np.abs(x).max() <= 0.5 * 32767 + 1
        assert np.all(x[-RATE // 10 :] == 0), f"{tone.name} has no pause at the end"
        s = np.abs(np.fft.rfft(x.astype(float), 4 * RATE))[:16000]
        spectra.append(s / np.linalg.norm(s))
    for i in range(8):
        for j in range(i + 1, 8):
            assert float(spectra[i] @ spectra[j]) < 0.9, (BUILTIN[i], BUILTIN[j])


def test_silent_and_case_insensitive_names() -> None:
    assert load_ringtone("silent").silent
    assert load_ringtone("ring3").name == "Ring3"
    with pytest.raises(RingtoneError):
        load_ringtone("Ring9")


def write_wav(path: Path, data: np.ndarray, rate: int, channels: int, width: int = 2) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


@pytest.mark.parametrize(("rate", "channels"), [(44100, 2), (8000, 1), (48000, 1), (16000, 2)])
def test_custom_wav_resampled_to_16k_mono(tmp_path: Path, rate: int, channels: int) -> None:
    t = np.arange(rate) / rate
    mono = (10000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16)
    data = np.repeat(mono, channels) if channels == 2 else mono
    path = tmp_path / "tone.wav"
    write_wav(path, data, rate, channels)
    tone = load_ringtone(str(path))
    x = samples(tone)
    assert len(x) == tone.frames == RATE
    assert peak_freqs(x, 1) == pytest.approx([600], abs=1)
    assert np.abs(x).max() == pytest.approx(10000, rel=0.03)


def test_bad_wav_is_refused_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "junk.wav"
    path.write_bytes(b"not a wav")
    with pytest.raises(RingtoneError, match=r"junk\.wav"):
        load_ringtone(str(path))


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("<http://127.0.0.1>;info=Ring3", "Ring3"),
        ("<http://203.0.113.1/x>; info = ring5", "Ring5"),
        ("Ring3", "Ring3"),
        ("<http://server/tones/Ring8.wav>", "Ring8"),
        ("<urn:alert:service:normal>, <http://x>;info=Ring2", "Ring2"),
        ("<http://x>;info=Silent", "Silent"),
        ("<http://x>;info=Bellcore-dr4", "Ring4"),
        ("<http://x>;info=alert-autoanswer", None),
        ("Ring9", None),
        ("", None),
    ],
)
def test_alert_info(value: str, name: str | None) -> None:
    assert ringtone_from_alert_info(value) == name
