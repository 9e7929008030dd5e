"""Wall-clock pacing of a device stream: what a callback may take from (or give to) the bridge.

Through ALSA's pulse plugin an xrun makes PortAudio re-prepare the PCM, and for up to a second
afterwards its callback is asked for (or handed) audio far faster than real time; what is
played in that burst is thrown away (measured: 27 s of audio asked for in 10 s of wall time,
recorded clicks 1 s apart missing; docs/audio.md). A tone synthesised block by block then loses
whole seconds of its cadence, and the far-end ring buffer is drained into nothing.

Pace is a token bucket: samples accrue as wall time passes (2 % faster than the nominal rate, so
a device clock's drift is never refused), up to `slack` (the device buffer that priming fills at
once). A callback that finds too few gets silence and leaves every source where it was. A device
that fell behind (a late callback: the listener heard a gap) gets no credit beyond `slack`.
"""

from __future__ import annotations

from dataclasses import dataclass

# A real device clock runs within ±0.1 % of the system's; 2 % never stops a healthy stream.
RATE_MARGIN = 1.02


@dataclass
class Pace:
    rate: int
    slack: int  # samples a device may take ahead of wall time: its buffer plus a block or two
    # s after the first callback that get silence: PortAudio primes the device buffer in a
    # burst of callbacks at start, and asks for more than the pulse plugin keeps (measured:
    # the first 120-200 ms of a tone started then were missing), so nothing real goes there.
    settle: float = 0.0
    refused: int = 0  # samples refused (bursts)
    bursts: int = 0
    _tokens: float = -1.0
    _last: float = 0.0
    _origin: float = 0.0
    _refused_at: float = -1e9

    def allow(self, now: float, frames: int) -> bool:
        """True when `frames` more samples fit in the time passed (the caller then takes them)."""
        if self._tokens < 0:
            self._tokens, self._last, self._origin = float(self.slack), now, now
        if now - self._origin < self.settle:
            return False
        elapsed = max(0.0, now - self._last)
        self._tokens = min(float(self.slack), self._tokens + elapsed * self.rate * RATE_MARGIN)
        self._last = now
        if frames > self._tokens:
            # one burst is one xrun recovery, however often it lets a block through
            self.bursts += now - self._refused_at > 0.25
            self._refused_at = now
            self.refused += frames
            return False
        self._tokens -= frames
        return True
