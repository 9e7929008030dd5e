"""Wall-clock pacing of a device stream: what a callback may take from (or give to) the bridge.

Through ALSA's pulse plugin an xrun makes PortAudio re-prepare the PCM, and for up to a second
afterwards its callback is asked for (or handed) audio far faster than real time; what is
played in that burst is thrown away (measured: 27 s of audio asked for in 10 s of wall time,
recorded clicks 1 s apart missing). A tone synthesised block by block then loses whole seconds
of its cadence, and the far-end ring buffer is drained into nothing. Pace lets a callback take
audio only as fast as time passes, plus the device buffer (priming after an open or an xrun):
the excess of a burst gets silence and leaves every source where it was.
"""

from __future__ import annotations

from dataclasses import dataclass

# A real device clock runs within ±0.1 % of the system's; 2 % never stops a healthy stream.
RATE_MARGIN = 1.02


@dataclass
class Pace:
    rate: int
    slack: int  # samples a device may take ahead of wall time: its buffer plus a block or two
    origin: float = 0.0
    used: float = 0.0
    refused: int = 0  # samples refused (bursts)
    bursts: int = 0
    _in_burst: bool = False

    def allow(self, now: float, frames: int) -> bool:
        """True when `frames` more samples fit in the time passed since the first call."""
        if not self.origin:
            self.origin = now
        due = (now - self.origin) * self.rate
        # A device that fell behind (a late callback: the listener heard a gap) gets no credit
        # to take a burst later; only its buffer's worth of lead is allowed.
        self.used = max(self.used, due - self.slack)
        if self.used + frames > due * RATE_MARGIN + self.slack:
            self.bursts += not self._in_burst
            self._in_burst = True
            self.refused += frames
            return False
        self._in_burst = False
        self.used += frames
        return True
