"""Fixtures for paced audio tests: a private PulseAudio server and a DeviceBridge on it.

See tests/audio/README.md for why PortAudio is pointed at PulseAudio through ALSA PCMs.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator

import pytest

from app.audio.conference_clock import ConferenceClock
from app.audio.device_bridge import BridgeConfig, DeviceBridge
from tests.audio.frames import FrameConference, clock_with
from tests.audio.pipewire import PipeWireServer, missing_tools
from tests.audio.pulse import PulseServer, apply_env

WARM_UP = 0.8  # s: after the first callbacks PulseAudio streams still stall ~0.7 s (measured)


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    for tool in ("pulseaudio", "parec", "pactl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (Debian: pulseaudio pulseaudio-utils)")
    server = PulseServer()
    try:
        server.start()
    except Exception as exc:
        server.cleanup()
        pytest.skip(f"pulseaudio would not start: {exc}")
    saved = apply_env(server)
    try:
        yield server
    finally:
        server.cleanup()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def conference() -> FrameConference:
    return FrameConference()


@pytest.fixture
def clock(conference: FrameConference) -> Iterator[ConferenceClock]:
    ticker = clock_with(conference)
    yield ticker
    ticker.close()


@pytest.fixture
def bridge(pulse: PulseServer, clock: ConferenceClock) -> Iterator[DeviceBridge]:
    b = DeviceBridge(
        BridgeConfig(handset="dp_handset", handsfree="dp_handsfree", ringer="dp_ringer"), clock
    )
    b.start()
    b.hold(True)  # as the engine does during a call: speaker and microphone open
    assert b.wait_running(8.0), b.status
    time.sleep(WARM_UP)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def pipewire() -> Iterator[PulseServer]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (Debian pipewire pipewire-pulse ...)")
    server = PipeWireServer()
    try:
        server.start()
    except Exception as exc:
        logs = server.logs()
        server.cleanup()
        pytest.skip(f"PipeWire would not run headless here: {exc}: {logs[-400:]}")
    yield server
    server.cleanup()
