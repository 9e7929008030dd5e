"""The synthesiser of Yealink tones (app/audio/tones.py): phase-continuous, sample-exact
cadences, rendered block by block in the device callback.

Kept apart from the tone parser so that the engine can read tone settings without numpy,
which loads only when sound is first needed (app/engine/sound_loader.py).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from app.audio.tones import SAMPLE_RATE, ToneSpec

# Peak of one sine component as a fraction of full scale: four components still cannot clip.
COMPONENT_LEVEL = 0.22
# Raised-cosine edge (ms) where a tone switches on or off, so cadences do not click.
EDGE_MS = 2.0

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float32]


def _raised_cosine(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    ramp = np.clip(x, 0.0, 1.0)
    result: npt.NDArray[np.float64] = 0.5 - 0.5 * np.cos(np.pi * ramp)
    return result


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
        self._phase: dict[int, float] = {}
        self._index = 0
        self._offset = 0
        self._first_pass = True
        self.samples_out = 0
        self.finished = spec.disabled or sum(self._lengths) == 0

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

    def _segment(self, n: int) -> FloatArray:
        element = self.spec.elements[self._index]
        if not element.freqs:
            return np.zeros(n, dtype=np.float32)
        t = np.arange(n, dtype=np.float64)
        out = np.zeros(n, dtype=np.float64)
        for freq in element.freqs:
            step = 2.0 * math.pi * freq / self.rate
            phase = self._phase.get(freq, 0.0)
            out += np.sin(phase + step * t)
            self._phase[freq] = (phase + step * n) % (2.0 * math.pi)
        out *= self.level * 32767.0
        length = self._lengths[self._index]
        pos = self._offset + np.arange(n)
        if self._neighbour_freqs(-1) != element.freqs or self.spec.once:
            out *= _raised_cosine(pos / self._edge)
        if self._neighbour_freqs(+1) != element.freqs or self.spec.once:
            out *= _raised_cosine((length - pos) / self._edge)
        return out.astype(np.float32)

    def read_float(self, n: int) -> FloatArray:
        """Next n samples as float32 in int16 units (for mixing)."""
        out = np.zeros(n, dtype=np.float32)
        if self.finished:
            return out
        if not self._active(self._index):
            self._advance()
        filled = 0
        while filled < n and not self.finished:
            left = self._lengths[self._index] - self._offset
            take = min(left, n - filled)
            out[filled : filled + take] = self._segment(take)
            filled += take
            self._offset += take
            if self._offset >= self._lengths[self._index]:
                self._advance()
        self.samples_out += n
        return out

    def read(self, n: int) -> Int16Array:
        return np.clip(self.read_float(n), -32768, 32767).astype(np.int16)


def render(spec: ToneSpec, seconds: float, rate: int = SAMPLE_RATE) -> Int16Array:
    """The first `seconds` of a tone, rendered in 20 ms blocks as the bridge does."""
    synth = ToneSynth(spec, rate)
    total = round(seconds * rate)
    block = rate // 50
    chunks = [synth.read(min(block, total - i)) for i in range(0, total, block)]
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
