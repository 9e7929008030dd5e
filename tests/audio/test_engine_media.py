"""Call audio through the REAL engine: early media replaces ringback, the microphone makes a
round trip through a SIPp RTP echo, incoming calls ring on the ringer device until Silence."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.audio.ringtones import builtin_ringtone
from tests.audio.analysis import energy_ratio, mic_tolerance_hz, peak_freqs
from tests.audio.engine_rig import WARM_UP, engine_with_pulse, target, uas, wait_audio_ok
from tests.audio.pulse import RATE, PulseServer
from tests.audio.rtp_pcap import tone_pcm, write_rtp_pcap
from tests.engine_harness import EngineClient
from tests.sipnet import HOST, Sipp, free_port

pytestmark = [pytest.mark.audio, pytest.mark.sip, pytest.mark.slow]
EARLY_HZ = 1300  # the early-media tone: nothing else in the rig plays it
MIC_HZ = 1000  # module-sine feeding the handset microphone (tests/audio/pulse.py)


def first_sound(audio: np.ndarray[Any, Any], threshold: int = 800) -> int:
    loud = np.flatnonzero(np.abs(audio.astype(int)) > threshold)
    assert len(loud), "nothing was played"
    return int(loud[0])


def ready(client: EngineClient) -> None:
    state = wait_audio_ok(client)
    assert state["ok"], state
    time.sleep(WARM_UP)


def test_early_media_replaces_ringback(
    pulse: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    pcap = tmp_path / "tone1300.pcap"
    assert write_rtp_pcap(pcap, tone_pcm(EARLY_HZ, 12.0)) == 600
    with engine_with_pulse(config_dir, pulse) as (_engine, client):
        ready(client)
        sipp = uas(tmp_path / "sipp", "uas-183-early-media.xml", {"pcap": str(pcap)}, 2500)
        rec = pulse.record("spk.monitor", 20)
        time.sleep(0.5)
        since = len(client.events)
        client.send("dial", target=target(sipp))
        ring = client.wait_for(lambda e: e.get("ev") == "tone_started", 10, since)
        early = client.wait_for(lambda e: e.get("ev") == "call" and e.get("code") == 183, 10, since)
        talking = client.wait_call("Talking", 10, since)
        time.sleep(2.0)
        client.send("hangup")
        client.wait_call("Finished", 10, since)
        audio = rec.stop()
        assert sipp.wait(15) == 0, sipp.messages()[-1500:]
    assert ring["kind"] == "ring"
    zero = first_sound(audio) / RATE - ring["started"]

    def part(a: float, b: float) -> np.ndarray[Any, Any]:
        return audio[round((a + zero) * RATE) : round((b + zero) * RATE)]

    ringback = part(ring["started"] + 0.1, ring["started"] + 1.9)
    assert sorted(peak_freqs(ringback, 2)) == pytest.approx([440, 480], abs=2)
    during_early = part(early["_rx"] + 0.4, talking["_rx"] - 0.1)
    assert len(during_early) > 2 * RATE
    assert peak_freqs(during_early, 1) == pytest.approx([EARLY_HZ], abs=3)
    assert energy_ratio(during_early, [EARLY_HZ]) > 0.9
    assert energy_ratio(during_early, [440, 480]) < 0.01  # no ringback under the early media
    after_answer = part(talking["_rx"] + 0.3, talking["_rx"] + 1.8)
    assert peak_freqs(after_answer, 1) == pytest.approx([EARLY_HZ], abs=3)
    assert energy_ratio(after_answer, [440, 480]) < 0.01


def test_microphone_round_trip_through_rtp_echo(
    pulse: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    with engine_with_pulse(config_dir, pulse) as (_engine, client):
        ready(client)
        sipp = uas(tmp_path / "sipp", "uas-200-echo.xml", {}, extra=["-rtp_echo"])
        since = len(client.events)
        client.send("dial", target=target(sipp))
        client.wait_call("Talking", 10, since)
        time.sleep(1.0)
        # Two recordings, each wholly inside its period (parec can start late on a busy machine)
        rec = pulse.record("spk.monitor", 10)
        time.sleep(2.5)
        spoken = rec.stop()
        client.send("key", key="MUTE")
        client.wait_for(lambda e: e.get("ev") == "audio" and e.get("muted") is True, 5, since)
        time.sleep(0.5)
        rec = pulse.record("spk.monitor", 10)
        time.sleep(2.0)
        muted = rec.stop()
        client.send("hangup")
        client.wait_call("Finished", 10, since)
        assert sipp.wait(15) == 0
    assert len(spoken) > RATE // 2
    assert peak_freqs(spoken, 1) == pytest.approx([MIC_HZ], abs=mic_tolerance_hz(MIC_HZ))
    assert energy_ratio(spoken, [MIC_HZ]) > 0.9
    # Muted: the microphone's tone no longer comes back, so it came through the peer.
    assert len(muted) > RATE // 2
    assert np.abs(muted.astype(int)).max() < 50


def _screen_softkeys(client: EngineClient, since: int) -> list[str]:
    ev = client.wait_for(
        lambda e: e.get("ev") == "screen" and "Silence" in e["screen"].get("softkeys", []),
        10,
        since,
    )
    keys: list[str] = ev["screen"]["softkeys"]
    return keys


def test_incoming_call_rings_on_ringer_until_silence(
    pulse: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    with engine_with_pulse(config_dir, pulse, ringtone="Ring1") as (engine, client):
        ready(client)
        rec_ring = pulse.record("ring.monitor", 20)
        rec_spk = pulse.record("spk.monitor", 20)
        caller = Sipp(
            "audio/uac-ring.xml",
            free_port(),
            tmp_path / "sipp",
            target=f"{HOST}:{engine.port}",
            service="bob",
            keys={"alert": "<http://127.0.0.1/Ring3.wav>"},
            timeout=30,
        ).start()
        since = len(client.events)
        client.wait_call("CallIn", 10, since)
        softkeys = _screen_softkeys(client, since)
        time.sleep(3.0)
        silence_at = time.monotonic()
        client.send("key", key=f"F{softkeys.index('Silence') + 1}")
        time.sleep(2.0)
        client.send("key", key="X")  # Reject
        client.wait_call("Finished", 10, since)
        ring_audio, spk_audio = rec_ring.stop(), rec_spk.stop()
        assert caller.wait(15) == 0, caller.messages()[-1500:]
    start = first_sound(ring_audio)
    ringing = ring_audio[start : start + 2 * RATE]
    # Alert-Info asked for Ring3 (a 523 Hz chime) instead of the configured Ring1 (1000/1250 Hz)
    expected = peak_freqs(np.frombuffer(builtin_ringtone("Ring3").pcm, dtype=np.int16), 1)[0]
    assert peak_freqs(ringing, 1) == pytest.approx([expected], abs=3)
    assert energy_ratio(ringing, [1000, 1250]) < 0.05
    silent_from = round((silence_at - rec_ring.started + 0.3) * RATE)
    after = ring_audio[silent_from : silent_from + RATE]
    assert len(after) == RATE and np.abs(after.astype(int)).max() < 50
    # the ringer device is its own: nothing rang on the handset's speaker
    assert np.abs(spk_audio.astype(int)).max() < 50
