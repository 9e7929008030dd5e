"""numpy analysis of captured audio: spectral peaks and on/off cadence."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.audio.ringbuffer import FULL_SLIP

RATE = 16000
Samples = npt.NDArray[np.int16]


def peak_freqs(x: Samples, count: int, rate: int = RATE, min_gap_hz: float = 8.0) -> list[float]:
    """The `count` strongest spectral peaks (Hz), strongest first, at ~0.1 Hz resolution."""
    data = x.astype(np.float64) * np.hanning(len(x))
    n = max(len(data), rate * 10)  # zero-pad for fine bins
    spectrum = np.abs(np.fft.rfft(data, n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    peaks: list[float] = []
    order = np.argsort(spectrum)[::-1]
    for i in order:
        f = float(freqs[i])
        if f < 50:
            continue
        if all(abs(f - p) >= min_gap_hz for p in peaks):
            peaks.append(f)
        if len(peaks) == count:
            break
    return peaks


def mic_tolerance_hz(hz: float) -> float:
    """How far a tone that came in through the microphone ring may peak from `hz`: 3 Hz of
    analysis, and the ring's full slip rate, which it runs at for seconds while a loaded
    machine's capture comes late (CI: a 1000 Hz echo peaked at 994.1 Hz)."""
    return 3 + hz / FULL_SLIP


def energy_ratio(x: Samples, freqs: list[float], rate: int = RATE, width: float = 15.0) -> float:
    """Share of the signal's energy within ±width Hz of the given frequencies."""
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
    f = np.fft.rfftfreq(len(x), 1 / rate)
    mask = np.zeros_like(f, dtype=bool)
    for target in freqs:
        mask |= np.abs(f - target) <= width
    total = float(spectrum[f > 20].sum())
    return float(spectrum[mask].sum()) / total if total else 0.0


def runs(
    x: Samples, rate: int = RATE, window_ms: int = 10, threshold: float = 800.0
) -> list[tuple[bool, int]]:
    """(tone on?, duration ms) runs of the peak envelope in `window_ms` windows."""
    win = rate * window_ms // 1000
    usable = len(x) // win * win
    env = np.abs(x[:usable].astype(np.int32)).reshape(-1, win).max(axis=1) > threshold
    result: list[tuple[bool, int]] = []
    for on in env:
        if result and result[-1][0] == bool(on):
            result[-1] = (result[-1][0], result[-1][1] + window_ms)
        else:
            result.append((bool(on), window_ms))
    return result


def inner_runs(x: Samples, window_ms: int = 10, threshold: float = 800.0) -> list[tuple[bool, int]]:
    """Runs without the first and last (cut by the start and end of the recording)."""
    return runs(x, RATE, window_ms, threshold)[1:-1]


def segments(x: Samples, on: bool, window_ms: int = 10, threshold: float = 800.0) -> list[Samples]:
    """The sample blocks of each complete on (or off) run."""
    rate = RATE
    out: list[Samples] = []
    pos = 0
    all_runs = runs(x, rate, window_ms, threshold)
    for i, (state, ms) in enumerate(all_runs):
        n = rate * ms // 1000
        if state == on and 0 < i < len(all_runs) - 1:
            out.append(x[pos : pos + n])
        pos += n
    return out


def envelope_rate(x: Samples, rate: int = RATE) -> float:
    """Frequency (Hz) of the amplitude envelope's main modulation (beats)."""
    env = np.abs(x.astype(np.float64))
    kernel = np.ones(rate // 200) / (rate // 200)  # 5 ms smoothing keeps a 16-25 Hz envelope
    smooth = np.convolve(env, kernel, mode="same")
    smooth -= smooth.mean()
    spectrum = np.abs(np.fft.rfft(smooth * np.hanning(len(smooth)), rate * 10))
    f = np.fft.rfftfreq(rate * 10, 1 / rate)
    band = (f > 5) & (f < 80)
    return float(f[band][np.argmax(spectrum[band])])
