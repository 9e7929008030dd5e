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

from dataclasses import dataclass

SAMPLE_RATE = 16000
MAX_ELEMENTS = 8
MAX_FREQS = 4
FREQ_MIN, FREQ_MAX = 200, 7000
DUR_MAX_MS = 30000


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
