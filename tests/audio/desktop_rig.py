"""The engine on a sound server set up as a user's desktop is (issue: audio on the default
device): a private PulseAudio or PipeWire, PortAudio's default device (ALSA `default` -> the
pulse plugin), no ALSA configuration of ours, every device setting left at "system default".
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tests.audio.analysis import Samples, inner_runs, peak_freqs
from tests.audio.engine_rig import audio_engine, audio_status, target, uas, wait_audio_ok
from tests.audio.pulse import RATE, PulseServer
from tests.engine_harness import EngineClient, EngineProcess

DEFAULT_DEVICES = {"handset_device": "", "handsfree_device": "", "ringer_device": ""}
SEGMENT_TOL_MS = 100  # the tolerance per cadence segment
SYSTEM_ALSA_CONF = "/usr/share/alsa/alsa.conf"
MIC_HZ = 1000  # what the rigs' default microphones hear (tests/audio/pulse.py, pipewire tests)


@contextlib.contextmanager
def desktop_engine(
    config_dir: Path, server: PulseServer, **audio: Any
) -> Iterator[tuple[EngineProcess, EngineClient]]:
    # The system's own ALSA configuration (what an unset ALSA_CONFIG_PATH means), never the
    # explicit-PCM rig's that the session fixture put in this process's environment.
    env = {**server.env, "ALSA_CONFIG_PATH": SYSTEM_ALSA_CONF}
    with audio_engine(config_dir, env, **DEFAULT_DEVICES, **audio) as pair:
        state = wait_audio_ok(pair[1])
        assert state["ok"], state
        yield pair


def numpy_loaded(engine: EngineProcess) -> list[str]:
    """numpy's libraries mapped in the engine: none while it rings or talks, since the audio
    path works on bytes (app/audio/pcm.py, docs/footprint.md §3)."""
    assert engine.proc is not None
    maps = Path(f"/proc/{engine.proc.pid}/maps").read_text()
    return sorted({line.split()[-1] for line in maps.splitlines() if "numpy" in line})


def wait_idle(client: EngineClient, timeout: float = 8.0) -> dict[str, Any]:
    """The engine's audio once no stream is open and pjmedia's clock is stopped."""
    deadline = time.monotonic() + timeout
    while True:
        state = audio_status(client)
        if (not state["open_streams"] and not state["media_clock"]) or (
            time.monotonic() > deadline
        ):
            return state
        time.sleep(0.2)


def cadence_cycles(audio: Samples, cycle: list[tuple[bool, int]], cycles: int) -> list[int]:
    """Assert `cycles` full repetitions of `cycle` back to back, each segment ±100 ms; return
    the measured segment lengths (ms)."""
    got = inner_runs(audio)
    want = cycle * cycles
    for start in range(len(got) - len(want) + 1):
        window = got[start : start + len(want)]
        if all(
            s == ws and abs(ms - wms) <= SEGMENT_TOL_MS
            for (s, ms), (ws, wms) in zip(window, want, strict=True)
        ):
            return [ms for _, ms in window]
    raise AssertionError(f"{cycles} cycles of {cycle} not found in {got}")


def longest_gap_ms(audio: Samples, threshold: int = 300, window_ms: int = 5) -> float:
    """The longest run of quiet windows between the first and the last loud one."""
    win = RATE * window_ms // 1000
    usable = len(audio) // win * win
    loud = np.abs(audio[:usable].astype(np.int32)).reshape(-1, win).max(axis=1) > threshold
    idx = np.flatnonzero(loud)
    if len(idx) < 2:
        return float("inf")
    gaps = np.diff(idx) - 1
    return float(gaps.max() * window_ms)


def echoed_call(
    server: PulseServer, workdir: Path, config_dir: Path, seconds: float
) -> tuple[Samples, dict[str, Any], dict[str, Any], list[str]]:
    """The default microphone goes out as RTP, SIPp echoes it back, the default sink plays
    it: (what the sink played over `seconds` of the call, the engine's audio state before and
    after them, numpy's libraries mapped in the engine during the call)."""
    with desktop_engine(config_dir, server) as (engine, client):
        sipp = uas(workdir / "sipp", "uas-200-echo.xml", {}, extra=["-rtp_echo"])
        since = len(client.events)
        client.send("dial", target=target(sipp))
        client.wait_call("Talking", 10, since)
        time.sleep(2.0)  # the echo's first packets and pjmedia's jitter buffer settle
        before = audio_status(client)
        rec = server.record("spk.monitor", seconds + 5)
        time.sleep(seconds)
        audio = rec.stop()
        state = audio_status(client)
        in_call_numpy = numpy_loaded(engine)
        client.send("hangup")
        client.wait_call("Finished", 10, since)
        sipp.wait(15)
    return audio, before, state, in_call_numpy


def check_echoed_call(
    audio: Samples, before: dict[str, Any], state: dict[str, Any], seconds: float
) -> None:
    """The echoed microphone heard with no gap over 40 ms and at its pitch (±5 Hz); the
    speaker's callback clocked the conference throughout (no fallback tick), and the
    microphone ring neither dropped nor refilled."""
    talk = audio[RATE // 2 : -RATE // 2]
    gap = longest_gap_ms(talk)
    print(f"\nlongest gap {gap:.0f} ms over {len(talk) / RATE:.1f} s; engine audio: {state}")
    assert len(talk) > (seconds - 2) * RATE
    peak = peak_freqs(talk, 1)
    assert len(peak) == 1 and abs(peak[0] - MIC_HZ) <= 5, peak
    assert gap <= 40, f"far-end audio stopped for {gap:.0f} ms"
    ticks = {k: state["ticks"][k] - before["ticks"][k] for k in ("device", "own")}
    assert ticks["own"] == 0 and ticks["device"] >= (seconds - 1) * 50, ticks
    drops = [a - b for a, b in zip(state["mic_drops"], before["mic_drops"], strict=True)]
    assert drops == [0, 0], (before, state)
