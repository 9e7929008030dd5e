"""The dial tone through the REAL engine: off hook (SPEAKER in idle) plays the country's
dial tone (US: 350+440 Hz, continuous) until the first digit; leaving the dial screen (X) stops
it; a digit pressed in idle opens the dial screen without one. The engine's PortAudio plays into
the hands-free null sink `hf` (SPEAKER picks hands-free), `parec` records it and numpy checks it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.analysis import Samples, inner_runs, peak_freqs, runs
from tests.audio.engine_rig import WARM_UP, engine_with_pulse, wait_audio_ok
from tests.audio.pulse import RATE, PulseServer, Recording
from tests.engine_harness import EngineClient

pytestmark = [pytest.mark.audio, pytest.mark.slow]

KEY_TONE_MAX_MS = 120  # the keypad's own 80 ms DTMF click (app/engine/audio.py), plus a window


def press(client: EngineClient, key: str) -> float:
    at = time.monotonic()
    client.send("key", key=key)
    return at


def dial_tone_started(client: EngineClient, since: int) -> dict[str, Any]:
    return client.wait_for(
        lambda e: e.get("ev") == "tone_started" and e.get("kind") == "dial", 5, since
    )


def off_hook_recording(
    pulse: PulseServer, client: EngineClient, seconds: float
) -> tuple[Recording, int, float]:
    """Once the devices run: record the hands-free sink for `seconds`, then go off hook
    (SPEAKER) and wait for the dial tone. (recording, event index before SPEAKER, tone start)"""
    assert wait_audio_ok(client)["ok"]
    time.sleep(WARM_UP)
    rec = pulse.record("hf.monitor", seconds)
    time.sleep(0.5)
    since = len(client.events)
    press(client, "SPEAKER")
    started = dial_tone_started(client, since)["started"]
    return rec, since, started


def anchored(audio: Samples, started: float) -> Any:
    """engine monotonic time -> sample index, anchored on the first loud sample (the tone's
    first sample, the engine's `tone_started`)."""
    loud = np.flatnonzero(np.abs(audio.astype(int)) > 800)
    assert len(loud), "nothing was played"
    zero = float(loud[0]) / RATE - started

    def at(t: float) -> int:
        return max(0, min(len(audio), round((t + zero) * RATE)))

    return at


def loud_ms_after(audio: Samples) -> int:
    return sum(ms for on, ms in runs(audio) if on)


def test_off_hook_plays_us_dial_tone_until_the_first_digit(
    pulse: PulseServer, config_dir: Path
) -> None:
    with engine_with_pulse(config_dir, pulse, tone_country="United States") as (_, client):
        rec, since, started = off_hook_recording(pulse, client, 10)
        time.sleep(3.0)
        digit_at = press(client, "5")
        time.sleep(2.0)
        audio = rec.stop()
        tones = [e["kind"] for e in client.events[since:] if e.get("ev") == "tone_started"]
    assert tones == ["dial"]
    at = anchored(audio, started)
    tone = audio[at(started) : at(digit_at)]
    whole = runs(audio[at(started) :])
    print(f"\ndial tone {whole[0][1]} ms; digit pressed {1000 * (digit_at - started):.0f} ms in")
    # continuous: one unbroken run from its first sample to the digit
    assert runs(tone)[0][0] and len(runs(tone)) <= 2, runs(tone)  # (the cut may end in the stop)
    steady = audio[at(started + 0.1) : at(digit_at - 0.05)]
    assert runs(steady) == [(True, len(steady) * 1000 // RATE // 10 * 10)], runs(steady)
    assert sorted(peak_freqs(steady, 2)) == pytest.approx([350, 440], abs=2)
    # the digit ends it: what sounds afterwards is at most the key's own short DTMF click
    after = audio[at(digit_at + 0.4) :]
    assert len(after) > RATE, len(after)
    assert loud_ms_after(after) <= KEY_TONE_MAX_MS, inner_runs(after)
    tail = audio[at(digit_at + 0.8) :]
    assert np.abs(tail.astype(int)).max() < 50


def test_on_hook_stops_it_and_a_digit_in_idle_opens_the_dial_screen_silently(
    pulse: PulseServer, config_dir: Path
) -> None:
    with engine_with_pulse(config_dir, pulse, tone_country="United States") as (_, client):
        rec, _, started = off_hook_recording(pulse, client, 12)
        time.sleep(1.5)
        hung_at = press(client, "X")  # leave the dial screen: on hook
        time.sleep(1.5)
        idle = len(client.events)
        digit_at = press(client, "7")  # idle: the dial screen opens with the 7 in it
        time.sleep(2.5)
        audio = rec.stop()
        late = [e for e in client.events[idle:] if e.get("ev") == "tone_started"]
    assert late == [], late
    at = anchored(audio, started)
    on = audio[at(started + 0.1) : at(hung_at - 0.05)]
    assert sorted(peak_freqs(on, 2)) == pytest.approx([350, 440], abs=2)
    quiet = audio[at(hung_at + 0.5) : at(digit_at - 0.2)]
    assert len(quiet) > RATE // 3 and np.abs(quiet.astype(int)).max() < 50, inner_runs(quiet)
    after_digit = audio[at(digit_at - 0.2) :]
    print(f"\nhung up -> quiet runs {inner_runs(audio[at(hung_at - 0.5) :])}")
    assert len(after_digit) > 2 * RATE
    assert loud_ms_after(after_digit) <= KEY_TONE_MAX_MS, inner_runs(after_digit)
