"""The congestion tone after a 5xx through the REAL engine: SIPp rings (180) then answers
503 (tests/peers/audio/uas-180-503.xml); the engine's PortAudio plays into the null sink `spk`,
`parec` records it and numpy checks it: US congestion (480+620 Hz, 250 ms on / 250 ms off) follows
the ringback and lasts as long as the failed call stays on screen (3 s).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.analysis import inner_runs, peak_freqs, segments
from tests.audio.engine_rig import WARM_UP, engine_with_pulse, target, uas, wait_audio_ok
from tests.audio.pulse import RATE, PulseServer
from tests.audio.test_ringback import assert_cadence

pytestmark = [pytest.mark.audio, pytest.mark.sip, pytest.mark.slow]


def test_us_congestion_tone_after_503(pulse: PulseServer, tmp_path: Path, config_dir: Path) -> None:
    marks: dict[str, Any] = {}
    with engine_with_pulse(config_dir, pulse, tone_country="United States") as (_, client):
        assert wait_audio_ok(client)["ok"]
        time.sleep(WARM_UP)
        sipp = uas(tmp_path / "sipp", "uas-180-503.xml", {}, ring_ms=2500)
        rec = pulse.record("spk.monitor", 15)
        time.sleep(0.5)
        since = len(client.events)
        client.send("dial", target=target(sipp))
        marks["failed"] = client.wait_call("CallFailed", 15, since)
        tones = client.wait_for(
            lambda e: e.get("ev") == "tone_started" and e.get("kind") == "congestion", 5, since
        )
        time.sleep(4.5)
        audio = rec.stop()
        started = [e for e in client.events[since:] if e.get("ev") == "tone_started"]
        assert sipp.wait(15) == 0, sipp.messages()[-1500:]
    assert marks["failed"]["code"] == 503
    assert [e["kind"] for e in started] == ["ring", "congestion"]  # no busy tone for a 5xx
    ring, congestion = started[0]["started"], tones["started"]
    loud = np.flatnonzero(np.abs(audio.astype(int)) > 800)
    assert len(loud), "nothing was played"
    zero = float(loud[0]) / RATE - float(ring)

    def at(t: float) -> int:
        return max(0, min(len(audio), round((t + zero) * RATE)))

    tone = audio[at(congestion - 0.1) : at(congestion + 2.6)]
    print(
        f"\n503 -> congestion {1000 * (congestion - marks['failed']['_rx']):.0f} ms;"
        f" runs {inner_runs(tone)}"
    )
    assert_cadence(tone, [(True, 250), (False, 250)] * 4)
    for burst in segments(tone, True)[:3]:
        assert sorted(peak_freqs(burst, 2)) == pytest.approx([480, 620], abs=4)
    # before it: the ringback's 440+480 Hz, not congestion
    ringback = audio[at(ring + 0.2) : at(ring + 1.8)]
    assert sorted(peak_freqs(ringback, 2)) == pytest.approx([440, 480], abs=2)
    # the failed screen lasts 3 s: the congestion tone stops with it
    tail = audio[at(congestion + 3.5) : at(congestion + 4.3)]
    assert len(tail) > RATE // 2 and np.abs(tail.astype(int)).max() < 50, inner_runs(tail)
