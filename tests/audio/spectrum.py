"""Spectrum checks shared by the conference audio tests: which tones a far end received.

Two raw far ends (tests/audio/rtp_peer.py) send A 440 Hz and B 1300 Hz; the private PulseAudio
server's handset microphone is a 1000 Hz sine (tests/audio/pulse.py).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tests.audio.rtp_peer import RATE
from tests.engine_harness import EngineClient

FREQ_A = 440.0
FREQ_B = 1300.0
MIC = 1000.0  # module-sine behind dp_handset's capture (tests/audio/pulse.py)
SETTLE = 0.5  # s after a media change before a window counts: jitter buffer and re-INVITE
WINDOW = 2.5  # s of received audio analysed per phase
HEARD_DB = 30.0  # a tone counts as heard this far above the median noise bin
ABSENT_DB = 10.0  # and as absent below this


def spectrum_db(
    x: npt.NDArray[np.int16],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(frequencies, level in dBFS of a sine at each bin) of a Hann-windowed FFT."""
    n = len(x)
    mag = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(n)))
    level = 20 * np.log10(np.maximum(mag * 4 / n / 32768, 1e-9))  # Hann: sine peak = A*N/4
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    return freqs.astype(np.float64), level.astype(np.float64)


def tone_report(x: npt.NDArray[np.int16], freq: float) -> dict[str, float]:
    """Strongest peak, the level at `freq` and at the mic (±10 Hz), and the noise: the mean
    power of the 100-3800 Hz bins away from the three known tones (a median would read ~0:
    mu-law quantisation of a periodic tone only adds harmonics of it). All in dBFS."""
    if len(x) < RATE // 2:
        return dict.fromkeys(("peak_hz", "peak_db", "tone_db", "mic_db", "noise_db"), -180.0) | {
            "samples": float(len(x)),
            "snr_db": 0.0,
        }
    f, level = spectrum_db(x)
    band = (f > 100) & (f < 3800)
    known = np.zeros_like(band)
    for tone in {FREQ_A, FREQ_B, MIC, freq}:
        known |= np.abs(f - tone) < 50
    noise = float(10 * np.log10(np.mean(10 ** (level[band & ~known] / 10))))
    at = float(level[np.abs(f - freq) <= 10].max())
    peak = int(np.argmax(np.where(band, level, -999.0)))
    return {
        "samples": float(len(x)),
        "peak_hz": float(f[peak]),
        "peak_db": float(level[peak]),
        "tone_db": at,
        "mic_db": float(level[np.abs(f - MIC) <= 10].max()),
        "noise_db": noise,
        "snr_db": at - noise,
    }


def dismiss_popup(client: EngineClient) -> None:
    """A warning pop-up (no sound device here) owns the soft keys: X acks it.
    (Same as tests/integration/test_conference_sip.py.)"""
    screens = [e for e in client.events if e.get("ev") == "screen"]
    if screens and screens[-1]["screen"].get("popup"):
        since = len(client.events)
        client.send("key", key="X")
        client.wait_for(
            lambda e: e.get("ev") == "screen" and not e["screen"].get("popup"), 5, since
        )
