"""Yealink tone strings (`voice.tone.*`) and a phase-continuous synthesiser for them.

Syntax (Yealink admin guides): up to 8 comma-separated elements `[!]f1[+f2[+f3[+f4]]]/ms`,
each frequency 200–7000 Hz or 0 for silence, each duration 0–30000 ms. The literal value `0`
disables the tone (the guides: "If you want to disable this warning tone, set it to 0").

The meaning of `!` is not settled by the guides. Chosen here, as a user would expect:
- a `!` on the first element plays the whole tone once (the guides' own example, "If you want
  the IP phone to play tones once, add an exclamation mark before tones: !250/200,0/1000,...");
- a `!` on a later element plays that element on the first pass only and the rest repeats
  (the Asterisk tone-list reading of the same syntax, which Yealink's format descends from).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000
MAX_ELEMENTS = 8
MAX_FREQS = 4
FREQ_MIN, FREQ_MAX = 200, 7000
DUR_MAX_MS = 30000
# Peak of one sine component as a fraction of full scale: four components still cannot clip.
COMPONENT_LEVEL = 0.22
# Raised-cosine edge (ms) where a tone switches on or off, so cadences do not click.
EDGE_MS = 2.0


class ToneError(ValueError):
    """A tone string that does not follow the Yealink syntax; the message names the element."""


@dataclass(frozen=True)
class ToneElement:
    freqs: tuple[int, ...]  # empty: silence
    duration_ms: int
    first_pass_only: bool = False

    @property
    def silent(self) -> bool:
        return not self.freqs

    def text(self) -> str:
        mark = "!" if self.first_pass_only else ""
        body = "+".join(str(f) for f in self.freqs) if self.freqs else "0"
        return f"{mark}{body}/{self.duration_ms}"


@dataclass(frozen=True)
class ToneSpec:
    elements: tuple[ToneElement, ...]
    once: bool = False  # the whole tone plays once (leading `!`)

    @property
    def disabled(self) -> bool:
        return not any(e.freqs and e.duration_ms for e in self.elements)

    @property
    def cycle_ms(self) -> int:
        """Length of one repeating cycle (elements after the first pass)."""
        return sum(e.duration_ms for e in self.elements if not e.first_pass_only)

    def text(self) -> str:
        return ",".join(e.text() for e in self.elements) if self.elements else "0"

    def frequencies(self) -> set[int]:
        return {f for e in self.elements for f in e.freqs}


def _parse_element(index: int, raw: str) -> ToneElement:
    text = raw.strip()

    def fail(why: str) -> ToneError:
        return ToneError(f"element {index} ({raw.strip()!r}): {why}")

    if not text:
        raise fail("empty element (two commas in a row, or a trailing comma?)")
    once = text.startswith("!")
    if once:
        text = text[1:].strip()
    if "/" not in text:
        raise fail("missing '/duration' in milliseconds (expected f1[+f2...]/ms)")
    freq_part, _, dur_part = text.partition("/")
    dur_part = dur_part.strip()
    if not dur_part.isdigit():
        raise fail(f"duration {dur_part!r} is not a whole number of milliseconds")
    duration = int(dur_part)
    if duration > DUR_MAX_MS:
        raise fail(f"duration {duration} ms is above {DUR_MAX_MS} ms")
    names = [p.strip() for p in freq_part.split("+")]
    if len(names) > MAX_FREQS:
        raise fail(f"{len(names)} frequencies; at most {MAX_FREQS} may be mixed")
    freqs: list[int] = []
    for name in names:
        if not name:
            raise fail("empty frequency (a '+' with nothing beside it)")
        if not name.isdigit():
            raise fail(f"frequency {name!r} is not a whole number of Hz")
        freq = int(name)
        if freq != 0 and not FREQ_MIN <= freq <= FREQ_MAX:
            raise fail(f"frequency {freq} Hz is outside {FREQ_MIN}–{FREQ_MAX} Hz (0 = silence)")
        freqs.append(freq)
    if 0 in freqs and len(freqs) > 1:
        raise fail("0 (silence) cannot be mixed with other frequencies")
    return ToneElement(tuple(f for f in freqs if f), duration, once)


def parse_tone(text: str) -> ToneSpec:
    """Parse a Yealink tone string; raise ToneError naming the faulty element."""
    stripped = text.strip()
    if not stripped:
        raise ToneError("empty tone string (use 0 to disable the tone)")
    if stripped == "0":
        return ToneSpec(())
    parts = stripped.split(",")
    if len(parts) > MAX_ELEMENTS:
        extra = parts[MAX_ELEMENTS].strip()
        raise ToneError(
            f"element {MAX_ELEMENTS + 1} ({extra!r}): too many elements, "
            f"at most {MAX_ELEMENTS} are allowed"
        )
    elements = [_parse_element(i + 1, p) for i, p in enumerate(parts)]
    once = elements[0].first_pass_only
    if once:
        elements = [ToneElement(e.freqs, e.duration_ms, False) for e in elements]
    return ToneSpec(tuple(elements), once=once)


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


def dtmf_tone(key: str, duration_ms: int = 100) -> ToneSpec:
    """A keypad tone (DTMF pair, played once) for key tones."""
    rows = {"1": 0, "2": 0, "3": 0, "A": 0, "4": 1, "5": 1, "6": 1, "B": 1}
    rows |= {"7": 2, "8": 2, "9": 2, "C": 2, "*": 3, "0": 3, "#": 3, "D": 3}
    cols = {"1": 0, "4": 0, "7": 0, "*": 0, "2": 1, "5": 1, "8": 1, "0": 1}
    cols |= {"3": 2, "6": 2, "9": 2, "#": 2, "A": 3, "B": 3, "C": 3, "D": 3}
    k = key.upper()
    if k not in rows:
        raise ToneError(f"no key tone for key {key!r}")
    low = (697, 770, 852, 941)[rows[k]]
    high = (1209, 1336, 1477, 1633)[cols[k]]
    return ToneSpec((ToneElement((low, high), duration_ms),), once=True)
