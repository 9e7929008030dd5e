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

from tests.audio.analysis import Samples, inner_runs
from tests.audio.engine_rig import audio_engine, audio_status, wait_audio_ok
from tests.audio.pulse import RATE, PulseServer
from tests.engine_harness import EngineClient, EngineProcess

DEFAULT_DEVICES = {"handset_device": "", "handsfree_device": "", "ringer_device": ""}
SEGMENT_TOL_MS = 100
SYSTEM_ALSA_CONF = "/usr/share/alsa/alsa.conf"  # the tolerance per cadence segment


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
