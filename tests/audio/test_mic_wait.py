"""A tick that finds the microphone ring short waits for the microphone, but never into the time
the speaker needs: the wait ends before the block is due to play (docs/audio.md §8).

The microphone is the rig's real capture stream (a PulseAudio monitor fed a 1000 Hz sine); the
test thread stands in for the playback callback and says when each block plays, early or late.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import TypeVar

import pytest

from app.audio.bridge_config import FRAME_BYTES, BridgeConfig, Mode
from app.audio.device_bridge import DeviceBridge
from app.audio.streams import _ahead
from app.audio.thread_priority import raise_this_thread
from tests.audio.pulse import PulseServer

pytestmark = pytest.mark.audio

T = TypeVar("T")
ON_TIME = 0.08  # s from callback to speaker on the rig (PortAudio's time info, 60 ms buffer)


class Ticks:
    """pjmedia's conference as the bridge ticks it, with no call: the microphone frame goes
    in, no audio comes out."""

    mic_source: Callable[[int], None] | None = None

    def device_tick(self, mic: int, out: int) -> bool:
        return False


@pytest.fixture
def mic_only(pulse: PulseServer) -> Iterator[DeviceBridge]:
    """A bridge with only its microphone stream open and no device thread, so nothing but
    this test ticks it."""
    bridge = DeviceBridge(BridgeConfig(handset="dp_handset"), Ticks())
    streams, sd = bridge._streams, bridge._sd  # the one stream, opened alone
    assert sd is not None
    assert not streams.open(sd, "rec", Mode.HEADSET) and streams.capturing
    try:
        yield bridge
    finally:
        streams.close_all()


def tick_steadily(bridge: DeviceBridge, seconds: float) -> None:
    out = memoryview(bytearray(FRAME_BYTES))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        now = time.monotonic()
        bridge.fill_playback(out, now, now + ON_TIME)
        time.sleep(max(0.0, 0.02 - (time.monotonic() - now)))


def short_tick(bridge: DeviceBridge, ahead: float) -> tuple[float, int, int]:
    """A tick that finds the ring short, for a block that plays in `ahead` s: right after
    another tick (which pulled all the microphone had) and with all but 40 samples of the ring
    taken. Returns the seconds it took, the ticks that found the ring short and the refills
    (0 or 1 each)."""
    out = memoryview(bytearray(FRAME_BYTES))
    now = time.monotonic()
    bridge.fill_playback(out, now, now + ON_TIME)
    before = bridge.mic.stats()
    bridge.mic.read(max(0, bridge.mic.depth - 40))
    now = time.monotonic()
    bridge.fill_playback(out, now, now + ahead)
    took = time.monotonic() - now
    after = bridge.mic.stats()
    return took, after.short_reads - before.short_reads, after.underruns - before.underruns


def as_the_callback(job: Callable[[], T]) -> T:
    """Run `job` on a thread of its own at the priority PortAudio's callback thread gets
    (app/audio/thread_priority.py), so a loaded machine delays it no more than the callback."""
    result: list[T] = []

    def run() -> None:
        raise_this_thread()
        result.append(job())

    thread = threading.Thread(target=run, name="test-callback")
    thread.start()
    thread.join(30.0)
    assert result, "the ticks did not finish"
    return result[0]


def test_a_short_tick_waits_for_the_microphone_only_while_the_speaker_can_wait(
    mic_only: DeviceBridge,
) -> None:
    bridge, reserve = mic_only, mic_only.config.play_reserve

    def ticks() -> list[tuple[float, int, int]]:
        tick_steadily(bridge, 2.0)
        got = []
        for ahead in (ON_TIME,) * 3 + (reserve - 0.005,) * 3 + (reserve + 0.008,) * 3:
            got.append(short_tick(bridge, ahead))
            tick_steadily(bridge, 0.3)
        return got

    got = as_the_callback(ticks)
    on_time, late, partly = got[:3], got[3:6], got[6:]
    # On time: the speaker has 80 ms, so the tick waits for the frame (up to `mic_wait`), and
    # gets it (a monitor source more than 30 ms late, seen now and then, refills instead).
    assert all(short == 1 and 0.003 < took < 0.04 for took, short, _ in on_time), got
    assert any(refills == 0 for _, _, refills in on_time), got
    # Late (a loaded machine): the block plays in less than the reserve, so no wait at all.
    # The ring comes up short and refills, which costs a moment of the far end's audio;
    # waiting would have cost a hole in what the user hears.
    assert all(short == 1 and refills == 1 and took < 0.008 for took, short, refills in late), got
    # Partly late: it waits, but only until the reserve is reached.
    assert all(short == 1 and took < 0.008 + 0.006 for took, short, _ in partly), got


@pytest.mark.parametrize(
    ("dac", "now", "ahead"),
    [
        (100.080, 100.0, 0.080),  # on time, as the pulse plugin reports it
        (100.030, 100.0, 0.030),  # 50 ms late
        (100.0, 100.0, 0.0),  # underrun: nothing left
        (99.990, 100.0, 0.0),  # never negative
        (0.0, 100.0, 0.06),  # a backend that does not say: the buffer it reported
        (200.0, 100.0, 1.0),  # nonsense is bounded
    ],
)
def test_time_until_the_block_plays(dac: float, now: float, ahead: float) -> None:
    info = SimpleNamespace(outputBufferDacTime=dac, currentTime=now)
    assert _ahead(info, 0.06) == pytest.approx(ahead)
