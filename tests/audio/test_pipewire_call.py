"""A call's audio through the system default devices under PipeWire (pipewire-pulse), as on a
desktop that runs it: the microphone goes out as RTP, SIPp echoes it back, the default sink
plays it. The PulseAudio twin is tests/audio/test_default_device.py's 30 s call.

PipeWire's pulse server has no `module-sine`, so the microphone here is the monitor of a null
sink that `pacat` plays a 1000 Hz sine into (a client of the same server, as a browser's
audio would be)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.audio.desktop_rig import MIC_HZ, check_echoed_call, echoed_call
from tests.audio.pulse import RATE, PulseServer

pytestmark = pytest.mark.audio
TALK_S = 15.0


def _feed_microphone(server: PulseServer, workdir: Path, seconds: float) -> subprocess.Popen[bytes]:
    """A null sink `micsink` made the default source's sink, with a sine played into it."""
    server.pactl("load-module", "module-null-sink", "sink_name=micsink")
    deadline = time.monotonic() + 5
    while "micsink.monitor" not in server.pactl("list", "short", "sources"):
        if time.monotonic() > deadline:
            raise RuntimeError("PipeWire made no micsink.monitor")
        time.sleep(0.1)
    server.pactl("set-default-source", "micsink.monitor")
    t = np.arange(int(seconds * RATE)) / RATE
    raw = workdir / "sine.raw"
    raw.write_bytes((8000 * np.sin(2 * np.pi * MIC_HZ * t)).astype(np.int16).tobytes())
    argv = ["pacat", "--device=micsink", "--rate=16000", "--channels=1", "--format=s16le"]
    return subprocess.Popen([*argv, "--latency-msec=20", str(raw)], env=server.env)


def test_far_end_audio_is_continuous_under_pipewire(
    pipewire: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    """No gap over 40 ms in the echoed 1000 Hz, every conference tick from the speaker's own
    callback, no drop or refill of the microphone ring."""
    feeder = _feed_microphone(pipewire, tmp_path, TALK_S + 25)
    try:
        audio, before, state, _numpy = echoed_call(pipewire, tmp_path, config_dir, TALK_S)
    finally:
        feeder.kill()
        feeder.wait(5)
    check_echoed_call(audio, before, state, TALK_S)
