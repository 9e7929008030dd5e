"""HEADSET/SPEAKER, volume and key tones through the REAL engine and its handset keys."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from tests.audio.analysis import energy_ratio, mic_tolerance_hz, peak_freqs, runs
from tests.audio.engine_rig import WARM_UP, engine_with_pulse, target, uas, wait_audio_ok
from tests.audio.pulse import RATE, PulseServer

pytestmark = [pytest.mark.audio, pytest.mark.sip, pytest.mark.slow]
HANDSET_MIC_HZ, HANDSFREE_MIC_HZ = 1000, 700  # module-sine sources (tests/audio/pulse.py)


def test_speaker_key_moves_the_call_to_the_handsfree_device(
    pulse: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    with engine_with_pulse(config_dir, pulse) as (_engine, client):
        assert wait_audio_ok(client)["ok"]
        time.sleep(WARM_UP)
        sipp = uas(tmp_path / "sipp", "uas-200-echo.xml", {}, extra=["-rtp_echo"])
        since = len(client.events)
        client.send("dial", target=target(sipp))
        client.wait_call("Talking", 10, since)
        time.sleep(1.0)
        spk, hf = pulse.record("spk.monitor", 12), pulse.record("hf.monitor", 12)
        time.sleep(2.5)
        client.send("key", key="SPEAKER")
        mode = client.wait_for(lambda e: e.get("ev") == "audio" and e.get("mode") == "speaker", 5)
        client.send("key", key="VOL-")
        vol = client.wait_for(
            lambda e: e.get("ev") == "audio" and e["volume"]["speaker"] == 7, 5, since
        )
        time.sleep(3.5)
        client.send("hangup")
        client.wait_call("Finished", 10, since)
        on_spk, on_hf = spk.stop(), hf.stop()
        sipp.wait(15)
    assert mode["ok"] and vol["volume"]["headset"] == 8
    # parec may start seconds late on a loaded machine, so the recordings are judged by what
    # they hold, not by cutting them at the switch time: the handset device carried only the
    # echo of the handset microphone, the hands-free device only that of its own microphone
    # (each at its pitch within what the microphone ring's slips may bend it).
    said = f"runs {runs(on_spk, window_ms=100)[:8]}, peaks {peak_freqs(on_spk, 3)}"
    assert peak_freqs(on_spk, 1) == pytest.approx(
        [HANDSET_MIC_HZ], abs=mic_tolerance_hz(HANDSET_MIC_HZ)
    ), said
    assert energy_ratio(on_spk, [HANDSFREE_MIC_HZ]) < 0.01
    said = f"runs {runs(on_hf, window_ms=100)[:8]}, peaks {peak_freqs(on_hf, 3)}"
    assert peak_freqs(on_hf, 1) == pytest.approx(
        [HANDSFREE_MIC_HZ], abs=mic_tolerance_hz(HANDSFREE_MIC_HZ)
    ), said
    assert energy_ratio(on_hf, [HANDSET_MIC_HZ]) < 0.05
    # and the handset went quiet: its last second (the call was on hands-free) is silent
    assert np.abs(on_spk[-RATE:].astype(int)).max() < 50, runs(on_spk, window_ms=100)
    assert np.abs(on_hf[-RATE - RATE // 2 : -RATE // 2].astype(int)).max() > 1000


@pytest.mark.parametrize("enabled", [True, False])
def test_keypad_key_tones(
    pulse: PulseServer, tmp_path: Path, config_dir: Path, enabled: bool
) -> None:
    with engine_with_pulse(config_dir, pulse, key_tones=enabled) as (_engine, client):
        assert wait_audio_ok(client)["ok"]
        time.sleep(WARM_UP)
        rec = pulse.record("spk.monitor", 5)
        time.sleep(0.5)
        for _ in range(3):
            client.send("key", key="5")
            time.sleep(0.3)
        time.sleep(0.5)
        audio = rec.stop()
    if not enabled:
        assert np.abs(audio.astype(int)).max() < 50
        return
    loud = np.flatnonzero(np.abs(audio.astype(int)) > 800)
    assert len(loud), "no key tone"
    burst = audio[loud[0] : loud[0] + RATE * 60 // 1000]
    assert sorted(peak_freqs(burst, 2)) == pytest.approx([770, 1336], abs=20)
