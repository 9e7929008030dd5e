"""The synthesiser of Yealink tones (app/audio/tones.py): phase-continuous, sample-exact
cadences, rendered block by block in the device callback.

No numpy and no per-sample loop in the callback: each frequency's sine is computed once per
process into a table of whole periods (an integer frequency repeats exactly every
rate / gcd(freq, rate) samples at most one second: 40 samples for 400 Hz), and a block is
slices of those tables summed by audioop (app/audio/pcm.py). Only the 2 ms raised-cosine edges
where a tone switches on or off are shaped sample by sample (at most 2 × 32 samples an element).
"""

from __future__ import annotations

import math
from array import array
from functools import cache

from app.audio.pcm import WIDTH, add, samples
from app.audio.tones import SAMPLE_RATE, ToneSpec

# Peak of one sine component as a fraction of full scale: four components still cannot clip.
COMPONENT_LEVEL = 0.22
# Raised-cosine edge (ms) where a tone switches on or off, so cadences do not click.
EDGE_MS = 2.0
_MIN_TABLE = 2048  # samples: a table holds whole periods and at least this, so most blocks
# are one slice


@cache
def _sine(freq: int, rate: int, level: float) -> tuple[bytes, int]:
    """One component from phase 0 for a period and _MIN_TABLE samples more (int16 bytes, so a
    slice of up to _MIN_TABLE samples from any phase is one slice), and the period."""
    period = rate // math.gcd(freq, rate)
    peak = level * 32767.0
    step = 2.0 * math.pi * freq / rate
    one = array("h", (round(peak * math.sin(step * i)) for i in range(period)))
    repeats = 1 + -(-_MIN_TABLE // period)
    return (bytes(one) * repeats)[: WIDTH * (period + _MIN_TABLE)], period


@cache
def _ramp(edge: int) -> tuple[float, ...]:
    """Raised cosine from 0 to 1 over `edge` samples (index 0..edge)."""
    return tuple(0.5 - 0.5 * math.cos(math.pi * i / edge) for i in range(edge + 1))


def prepare(spec: ToneSpec, rate: int = SAMPLE_RATE, level: float = COMPONENT_LEVEL) -> None:
    """Compute the tables a tone needs (a 1 s period, e.g. DTMF's 697 Hz, takes ~4 ms: the
    engine prepares its key tones on the sound loader's thread, app/engine/audio.py)."""
    for element in spec.elements:
        for freq in element.freqs:
            _sine(freq, rate, level)


class ToneSynth:
    """Renders a ToneSpec block by block; phase is kept per frequency so blocks join seamlessly."""

    def __init__(
        self, spec: ToneSpec, rate: int = SAMPLE_RATE, level: float = COMPONENT_LEVEL
    ) -> None:
        self.spec = spec
        self.rate = rate
        self.level = level
        self._lengths = [round(e.duration_ms * rate / 1000) for e in spec.elements]
        self._edge = max(1, round(EDGE_MS * rate / 1000))
        self._phase: dict[int, int] = {}  # samples into each frequency's period
        self._index = 0
        self._offset = 0
        self._first_pass = True
        self.samples_out = 0
        self.finished = spec.disabled or sum(self._lengths) == 0
        prepare(spec, rate, level)  # the tables now, not in the device callback

    def _active(self, index: int) -> bool:
        element = self.spec.elements[index]
        return self._lengths[index] > 0 and (self._first_pass or not element.first_pass_only)

    def _advance(self) -> None:
        """Move to the next element that plays; mark finished at the end of a once-tone."""
        count = len(self.spec.elements)
        for _ in range(2 * count + 1):
            self._index += 1
            self._offset = 0
            if self._index >= count:
                self._index = 0
                self._first_pass = False
                if self.spec.once:
                    self.finished = True
                    return
            if self._active(self._index):
                return
        self.finished = True  # nothing left that repeats

    def _neighbour_freqs(self, step: int) -> tuple[int, ...]:
        count = len(self.spec.elements)
        index = self._index
        for _ in range(count):
            index = (index + step) % count
            if self._lengths[index] > 0:
                return self.spec.elements[index].freqs
        return ()

    def _component(self, freq: int, n: int) -> bytes:
        """The next n samples of one frequency, continuing its phase."""
        table, period = _sine(freq, self.rate, self.level)
        pos = self._phase.get(freq, 0)
        self._phase[freq] = (pos + n) % period
        room = len(table) // WIDTH - period  # samples a slice from any phase can take
        parts = []
        while n > 0:
            take = min(n, room)
            parts.append(table[WIDTH * pos : WIDTH * (pos + take)])
            pos = (pos + take) % period
            n -= take
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _segment(self, n: int) -> bytes:
        element = self.spec.elements[self._index]
        if not element.freqs:
            return bytes(WIDTH * n)
        out = b""
        for freq in element.freqs:
            part = self._component(freq, n)
            out = add(out, part) if out else part
        length = self._lengths[self._index]
        start = self._offset
        head = self._neighbour_freqs(-1) != element.freqs or self.spec.once
        tail = self._neighbour_freqs(+1) != element.freqs or self.spec.once
        edge = self._edge
        head_end = min(n, edge - start) if head else 0  # samples [0, head_end) fade in
        tail_start = max(0, length - edge - start) if tail else n  # [tail_start, n) fade out
        if head_end <= 0 and tail_start >= n:
            return out
        ramp = _ramp(edge)
        values = samples(out)
        for i in range(head_end):
            values[i] = int(values[i] * ramp[start + i])
        for i in range(tail_start, n):
            values[i] = int(values[i] * ramp[length - start - i])
        return bytes(values)

    def read(self, n: int) -> bytes:
        """Next n samples, int16 bytes."""
        if self.finished:
            self.samples_out += n
            return bytes(WIDTH * n)
        if not self._active(self._index):
            self._advance()
        parts = []
        filled = 0
        while filled < n and not self.finished:
            left = self._lengths[self._index] - self._offset
            take = min(left, n - filled)
            parts.append(self._segment(take))
            filled += take
            self._offset += take
            if self._offset >= self._lengths[self._index]:
                self._advance()
        if filled < n:
            parts.append(bytes(WIDTH * (n - filled)))
        self.samples_out += n
        return parts[0] if len(parts) == 1 else b"".join(parts)


def render(spec: ToneSpec, seconds: float, rate: int = SAMPLE_RATE) -> bytes:
    """The first `seconds` of a tone, rendered in 20 ms blocks as the bridge does."""
    synth = ToneSynth(spec, rate)
    total = round(seconds * rate)
    block = rate // 50
    return b"".join(synth.read(min(block, total - i)) for i in range(0, total, block))
