"""Yealink tone strings: parsing, error messages naming the element, and synthesis (FFT)."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio.tone_synth import ToneSynth
from app.audio.tone_synth import render as render_bytes
from app.audio.tones import ToneError, ToneSpec, dtmf_tone, parse_tone
from tests.audio.analysis import inner_runs, peak_freqs, runs

RATE = 16000


def render(spec: ToneSpec, seconds: float) -> np.ndarray:
    """The synthesiser's int16 bytes as an array, for the analysis."""
    return np.frombuffer(render_bytes(spec, seconds), dtype=np.int16)


def test_parses_the_guide_example() -> None:
    spec = parse_tone("250/200, 0/1000, 200+300/500, 600+700+800+1000/2000")
    assert [e.freqs for e in spec.elements] == [(250,), (), (200, 300), (600, 700, 800, 1000)]
    assert [e.duration_ms for e in spec.elements] == [200, 1000, 500, 2000]
    assert not spec.once
    assert spec.cycle_ms == 3700
    assert spec.text() == "250/200,0/1000,200+300/500,600+700+800+1000/2000"


def test_leading_bang_plays_once_and_zero_disables() -> None:
    assert parse_tone("!440/100,0/100").once
    assert parse_tone("0").disabled
    assert ToneSynth(parse_tone("0")).finished


@pytest.mark.parametrize(
    ("text", "index", "why"),
    [
        ("440", 1, "missing '/duration'"),
        ("440/abc", 1, "not a whole number of milliseconds"),
        ("440/30001", 1, "above 30000"),
        ("199/100", 1, "outside 200–7000"),
        ("7001/100", 1, "outside 200–7000"),
        ("440/100,x/2", 2, "'x' is not a whole number of Hz"),
        ("440/100,44.5/100", 2, "not a whole number of Hz"),
        ("440/100,,0/100", 2, "empty element"),
        ("440/100,0/100,", 3, "empty element"),
        ("440+/100", 1, "empty frequency"),
        ("1000+0/100", 1, "cannot be mixed"),
        ("300+400+500+600+700/100", 1, "at most 4"),
        ("440/-5", 1, "not a whole number of milliseconds"),
        (",".join(["440/100"] * 9), 9, "at most 8"),
    ],
)
def test_error_names_element_and_reason(text: str, index: int, why: str) -> None:
    with pytest.raises(ToneError) as err:
        parse_tone(text)
    message = str(err.value)
    assert message.startswith(f"element {index} ("), message
    assert why in message
    assert repr(text.split(",")[index - 1].strip()) in message


def test_empty_string_is_refused() -> None:
    with pytest.raises(ToneError, match="empty tone string"):
        parse_tone("   ")


def test_synth_frequencies_and_cadence() -> None:
    audio = render(parse_tone("440+480/2000,0/4000"), 13.0)
    got = inner_runs(audio)
    assert [(on, ms) for on, ms in got] == [(False, 4000), (True, 2000), (False, 4000)]
    on = audio[: 2 * RATE]
    assert sorted(peak_freqs(on, 2)) == pytest.approx([440, 480], abs=0.5)
    assert np.abs(audio).max() < 32767 * 0.5  # two components at 0.22 FS cannot clip


def test_synth_is_phase_continuous_across_blocks_and_loops() -> None:
    """A 1000 Hz tone looped as 7 ms elements, read in odd block sizes, equals one clean sine."""
    synth = ToneSynth(parse_tone("1000/7"))
    blocks = [synth.read(n) for n in (1, 13, 160, 333, 320, 77, 2000)]
    audio = np.frombuffer(b"".join(blocks), dtype=np.int16).astype(np.float64)
    t = np.arange(len(audio))
    ideal = 0.22 * 32767 * np.sin(2 * np.pi * 1000 * t / RATE)
    assert np.max(np.abs(audio - ideal)) <= 1.0  # only int16 rounding
    assert len(audio) == sum((1, 13, 160, 333, 320, 77, 2000))


def test_once_tone_ends_and_first_pass_only_elements() -> None:
    once = render(parse_tone("!440/100,0/100,440/100"), 1.0)
    assert [on for on, _ in runs(once)] == [True, False, True, False]
    assert runs(once)[-1][1] >= 600
    # `!` on a later element: played on the first pass only (0/500 pause dropped afterwards)
    spec = parse_tone("440/100,!0/500,0/100")
    audio = render(spec, 1.5)
    ms = [m for _, m in runs(audio)]
    assert ms[:4] == [100, 600, 100, 100]


def test_dtmf_key_tone() -> None:
    audio = render(dtmf_tone("5"), 0.2)
    assert sorted(peak_freqs(audio[:1600], 2)) == pytest.approx([770, 1336], abs=6)
    assert np.abs(audio[1700:]).max() == 0
    with pytest.raises(ToneError):
        dtmf_tone("x")


def test_tone_switches_on_and_off_through_raised_cosine_edges() -> None:
    """2 ms (32-sample) raised-cosine edges where a tone starts and stops, none inside it."""
    audio = render(parse_tone("!1000/100"), 0.2).astype(np.float64)
    n = round(0.1 * RATE)
    ideal = 0.22 * 32767 * np.sin(2 * np.pi * 1000 * np.arange(n) / RATE)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.minimum(np.arange(n), n - np.arange(n)).clip(0, 32) / 32)
    assert np.max(np.abs(audio[:n] - ideal * ramp)) <= 1.0
    assert np.abs(audio[32 : n - 32] - ideal[32 : n - 32]).max() <= 1.0  # full level between
    assert not audio[n:].any()
