"""Ringback, busy tone and their end through the REAL engine: SIPp answers 180, the engine's
PortAudio plays into a PulseAudio null sink, `parec` records it and numpy checks it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.analysis import Samples, inner_runs, peak_freqs, segments
from tests.audio.engine_rig import (
    WARM_UP,
    audio_status,
    engine_with_pulse,
    target,
    uas,
    wait_audio_ok,
)
from tests.audio.pulse import RATE, PulseServer
from tests.audio.test_ringback import assert_cadence, assert_cadence_coarse
from tests.engine_harness import EngineClient

pytestmark = [pytest.mark.audio, pytest.mark.sip, pytest.mark.slow]


def tone_event(client: EngineClient, kind: str, since: int, timeout: float = 10.0) -> Any:
    return client.wait_for(
        lambda e: e.get("ev") == "tone_started" and e.get("kind") == kind, timeout, since
    )


def first_sound(audio: Samples, threshold: int = 800) -> int:
    loud = np.flatnonzero(np.abs(audio.astype(int)) > threshold)
    assert len(loud), "nothing was played"
    return int(loud[0])


def cut(audio: Samples, marks: dict[str, Any], start: float, end: float) -> Samples:
    """The part of a recording between two engine monotonic times, anchored on the first
    sound: the first ringback sample PortAudio took (the engine's `tone_started`) is the first
    loud sample of the recording; parec and the sink add an unknown but fixed delay."""
    zero = first_sound(audio) / RATE - marks["ring"]["started"]
    a = max(0, round((start + zero) * RATE))
    b = min(len(audio), round((end + zero) * RATE))
    return audio[a:b]


def ring_then(
    pulse: PulseServer,
    tmp_path: Path,
    config_dir: Path,
    country: str,
    scenario: str = "uas-180-486.xml",
    keys: dict[str, str] | None = None,
    after: float = 1.5,
    ring_ms: int = 7000,
) -> tuple[Samples, dict[str, Any]]:
    """Dial a SIPp UAS that rings (180 without SDP) then ends as `scenario` says."""
    keys = keys or {}
    marks: dict[str, Any] = {}
    with engine_with_pulse(config_dir, pulse, tone_country=country) as (_engine, client):
        state = wait_audio_ok(client)
        assert state["ok"], state
        time.sleep(WARM_UP)
        sipp = uas(tmp_path / "sipp", scenario, keys, ring_ms)
        rec = pulse.record("spk.monitor", 20)
        time.sleep(0.5)
        since = len(client.events)
        client.send("dial", target=target(sipp))
        marks["ring"] = tone_event(client, "ring", since)
        end = client.wait_for(
            lambda e: e.get("ev") == "call" and e.get("state") in ("CallFailed", "Talking"),
            20,
            since,
        )
        marks["end"] = end
        marks["end_at"] = end["_rx"]
        if end["state"] == "CallFailed":
            marks["busy"] = tone_event(client, "busy", since, 3.0)
        time.sleep(after)
        if end["state"] == "Talking":
            client.send("hangup")
            client.wait_call("Finished", 10, since)
        audio = rec.stop()
        state = audio_status(client)
        print(f"engine audio: xruns {state['xruns']}, bursts {state['bursts']}")
        sipp.wait(15)
    return audio, marks


def test_us_ringback_after_180_then_busy_after_486(
    pulse: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    audio, marks = ring_then(pulse, tmp_path, config_dir, "United States", after=5.0)
    ringback = cut(audio, marks, marks["ring"]["started"] - 0.3, marks["busy"]["started"])
    assert_cadence(ringback, [(True, 2000), (False, 4000)])
    on = segments(ringback, True)[0]
    assert sorted(peak_freqs(on, 2)) == pytest.approx([440, 480], abs=2)
    busy = cut(audio, marks, marks["busy"]["started"] + 0.1, marks["busy"]["started"] + 2.5)
    assert sorted(peak_freqs(busy, 2)) == pytest.approx([480, 620], abs=3)
    assert_cadence(busy, [(True, 500), (False, 500)])
    # the failed screen lasts 3 s: the busy tone stops with it
    tail = cut(audio, marks, marks["busy"]["started"] + 3.4, marks["busy"]["started"] + 4.2)
    assert len(tail) > RATE // 10 and np.abs(tail.astype(int)).max() < 50


@pytest.mark.parametrize(
    ("country", "cadence", "freqs"),
    [
        ("Great Britain", [(True, 400), (False, 200), (True, 400), (False, 2000)], [400, 450]),
        ("Germany", [(True, 1000), (False, 4000)], [425]),
    ],
)
def test_country_ringback_after_180(
    pulse: PulseServer,
    tmp_path: Path,
    config_dir: Path,
    country: str,
    cadence: list[tuple[bool, int]],
    freqs: list[int],
) -> None:
    audio, marks = ring_then(pulse, tmp_path, config_dir, country)
    ringback = cut(audio, marks, marks["ring"]["started"] - 0.3, marks["busy"]["started"])
    assert_cadence(ringback, cadence)
    on = segments(ringback, True)[0]
    assert sorted(peak_freqs(on, len(freqs))) == pytest.approx(freqs, abs=3)


def test_japan_ringback_after_180(pulse: PulseServer, tmp_path: Path, config_dir: Path) -> None:
    audio, marks = ring_then(pulse, tmp_path, config_dir, "Japan")
    ringback = cut(audio, marks, marks["ring"]["started"] - 0.3, marks["busy"]["started"])
    assert_cadence_coarse(ringback, on_ms=1000, off_ms=2000)
    on = max(segments(ringback, True, window_ms=100), key=len)
    assert sorted(peak_freqs(on, 2)) == pytest.approx([392, 408], abs=2)


def test_ringback_stops_on_200(pulse: PulseServer, tmp_path: Path, config_dir: Path) -> None:
    audio, marks = ring_then(
        pulse,
        tmp_path,
        config_dir,
        "United States",
        scenario="uas-180-200.xml",
        keys={},
        ring_ms=3000,
        after=3.0,
    )
    assert marks["end"]["state"] == "Talking"
    before = cut(audio, marks, marks["ring"]["started"] + 0.2, marks["ring"]["started"] + 1.8)
    assert sorted(peak_freqs(before, 2)) == pytest.approx([440, 480], abs=2)
    # 200 with SDP but no RTP: after the answer the phone plays nothing at all
    talking = cut(audio, marks, marks["end_at"] + 0.3, marks["end_at"] + 2.8)
    assert len(talking) > 2 * RATE
    assert np.abs(talking.astype(int)).max() < 50, inner_runs(talking)
