"""The drift-absorbing ring buffer: order, drift both ways, counters, latency figures."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.audio.bridge_config import BridgeConfig
from app.audio.ringbuffer import SampleRing


def ramp(start: int, n: int) -> bytes:
    """n int16 samples counting up from `start` (as the ring takes them: bytes)."""
    return (np.arange(start, start + n) % 30000).astype(np.int16).tobytes()


def take(ring: SampleRing, n: int) -> np.ndarray:
    return np.frombuffer(ring.read(n), dtype=np.int16)


def bridge_ring(margin: int | None = None) -> SampleRing:
    """The microphone ring as the bridge sets it up (BridgeConfig), with another margin maybe."""
    c = BridgeConfig()
    return SampleRing(
        target=c.mic_target,
        high_water=c.mic_high_water,
        margin=c.mic_margin if margin is None else margin,
        follow_drift=True,
        slack=c.mic_slack,
        tolerate=c.mic_tolerate,
    )


def test_fifo_order_across_wraparound() -> None:
    ring = SampleRing(target=100, high_water=1000, capacity=1300)
    out = []
    for i in range(50):
        ring.write(ramp(i * 320, 320))
        out.append(take(ring, 320))
    data = np.concatenate(out)
    real = data[data != 0]
    assert real.tobytes() == ramp(int(real[0]), len(real))  # nothing reordered or lost
    s = ring.stats()
    assert s.overruns == 0 and s.dropped == 0


def test_latency_splits_into_the_blocks_own_filling_and_the_wait_in_the_ring() -> None:
    """A write's samples wait half its block for the block to be complete (fill_ms), then the
    depth that was queued before it."""
    ring = SampleRing(target=160, high_water=2000)
    for n in (80, 240, 80, 240):
        ring.write(ramp(0, n))
    s = ring.stats()
    assert s.fill_ms == pytest.approx(1000 * 80 / 16000)  # halves 40, 120, 40, 120
    assert s.mean_latency_ms - s.fill_ms == pytest.approx(1000 * 200 / 16000)  # 0, 80, 320, 400
    ring.reset_stats()
    assert ring.stats().fill_ms == 0.0


def test_fast_writer_drops_oldest_and_counts() -> None:
    """Writer 10 % faster than reader: depth stays bounded, drops are counted."""
    ring = SampleRing(target=640, high_water=1920)
    for _ in range(1000):
        ring.write(ramp(0, 352))  # 17.6k samples/s against 16k
        ring.read(320)
        assert ring.depth <= 1920
    s = ring.stats()
    assert s.overruns > 0
    assert s.dropped == s.written - s.read - s.depth + s.inserted
    assert s.max_depth <= 1920
    assert s.mean_latency_ms <= 1920 / 16


def test_slow_writer_underruns_insert_silence_and_refill() -> None:
    ring = SampleRing(target=640, high_water=1920)
    out = []
    for i in range(1000):
        if i % 10:  # writer 10 % slow
            ring.write(np.full(320, 1000, dtype=np.int16).tobytes())
        out.append(take(ring, 320))
    data = np.concatenate(out)
    s = ring.stats()
    assert s.underruns > 0
    assert s.inserted == np.count_nonzero(data == 0)
    assert s.read == len(data)
    # after each underrun the ring refills to `target` before playing again
    assert s.overruns == 0


def test_bytes_interface_and_silence_when_empty() -> None:
    ring = SampleRing(target=320, high_water=960)
    assert ring.read(320) == bytes(640)
    frame = ramp(1, 320)
    ring.write(frame)
    assert ring.read(320) == frame


def test_threads_write_and_read_concurrently() -> None:
    ring = SampleRing(target=640, high_water=4000)
    total = 320 * 2000
    got: list[np.ndarray] = []

    def writer() -> None:
        for i in range(2000):
            ring.write(ramp(i * 320, 320))

    t = threading.Thread(target=writer)
    t.start()
    while t.is_alive():
        got.append(take(ring, 160))
    t.join()
    # The rest, until the ring gives no more: a ring refilling after an underrun holds back
    # what it has below `target`, so "until empty" could wait forever.
    while (block := take(ring, 160)).any():
        got.append(block)
    s = ring.stats()
    assert s.written == total
    real = np.concatenate(got)
    real = real[real != 0]
    # whatever survived the drops is in order
    diffs = np.diff(real.astype(np.int64)) % 30000
    assert np.all(diffs >= 1)
    assert len(real) + s.dropped + ring.depth >= total - 320  # first value is 0 in the ramp


def _paced_call(
    ring: SampleRing,
    write_n: int,
    read_n: int,
    writer_hz: float,
    seconds: int,
    warm_up: int = 0,
    pulled: bool = True,
    wait: float = 0.0,
) -> None:
    """Two clocks: the source's blocks come `writer_hz` times a second, the reader's at exactly
    16000/read_n a second; simulated time, events in time order. `pulled`: the blocks that
    came reach the ring right before each read, as the bridge pulls them; else each as it
    comes (a capture callback). `wait`: a read that finds the ring short waits up to that long
    for the source's next blocks, as the bridge's playback callback does (its next read is
    still due on the device's clock). Statistics restart after `warm_up` seconds (the first
    fill)."""
    t_w, t_r = 0.0, 0.005
    w_step, r_step = 1 / writer_hz, read_n / 16000
    k = 0
    pending: list[bytes] = []
    out = memoryview(bytearray(2 * read_n))
    while t_r < seconds:
        if warm_up and t_r >= warm_up:
            ring.reset_stats()
            warm_up = 0
        if t_w <= t_r:
            pending.append(ramp(k, write_n))
            k += write_n
            t_w += w_step
            if not pulled:
                ring.write(pending.pop())
        else:
            if pending:
                ring.write(b"".join(pending))
                pending.clear()
            short = 0 if ring.refilling else read_n - ring.depth
            while wait and short > 0 and ring.depth < read_n and t_w <= t_r + wait:
                ring.write(ramp(k, write_n))
                k += write_n
                t_w += w_step
            ring.read_into(out, max(0, short) if wait else 0)
            t_r += r_step


def test_ten_minutes_of_drift_either_way_without_drops_or_refills() -> None:
    """The microphone's clock 0.3 % fast, then 0.3 % slow, against the speaker's (which ticks
    pjmedia): the ring slips samples instead, and its depth stays bounded (no drift). The
    microphone's blocks are what the bridge asks its source for (the playback callback pulls
    them before each 320-sample tick); the ring's own margin and slack as the bridge sets them."""
    c = BridgeConfig()
    for write_n in (c.mic_block, c.mic_block // 2):
        for writer_hz in (16000 / write_n * 1.003, 16000 / write_n * 0.997):
            ring = bridge_ring()
            _paced_call(ring, write_n, 320, writer_hz, 605, warm_up=5, wait=c.mic_wait)
            s = ring.stats()
            assert s.overruns == 0 and s.underruns == 0, (write_n, writer_hz, s)
            assert s.max_depth <= c.mic_target + c.mic_margin + 640, s  # bounded: no drift
            # the margin kept, the slack before leaving samples out, a source block (the ring
            # holds one less after a drifting block lands past a tick) and the phase of the
            # blocks against the tick, half the pulled chunk
            bound = c.mic_margin + c.mic_slack + 2 * write_n + 160
            assert s.mean_latency_ms <= 1000 * bound / 16000, s
            assert 0.002 * 600 * 16000 < s.slipped < 0.006 * 600 * 16000, s


def test_a_source_delivering_20_ms_blocks_is_waited_for_not_run_dry() -> None:
    """Each time a drifting source's block lands just after a tick instead of before it, the
    ring holds one block less (docs/audio.md §8). With the bridge's small margin a 20 ms source
    runs dry unless the reader waits for the late block, as the playback callback does; with a
    wait, no refill, and the ring keeps no extra block for those ticks."""
    c = BridgeConfig()
    for wait, dry in ((0.0, True), (c.mic_wait, False)):
        ring = bridge_ring()
        _paced_call(ring, 320, 320, 50 * 0.997, 125, warm_up=5, wait=wait)
        s = ring.stats()
        assert (s.underruns > 0) is dry, (wait, s)
        if wait:
            assert s.short_reads > 0 and s.mean_latency_ms < 20 + 10, s


def test_without_follow_drift_the_same_call_drops() -> None:
    ring = SampleRing(target=160, high_water=1120)
    _paced_call(ring, 320, 160, 50 * 1.003, 600)
    assert ring.stats().overruns > 0


def test_a_moment_of_late_callbacks_slips_gently() -> None:
    """Same clocks both sides, but one writer block comes a block late, with the next (a
    loaded machine): the ring slips at most 0.1 % a second for it (1 Hz at 1 kHz), not 0.5 %."""
    ring = bridge_ring()
    _paced_call(ring, 320, 320, 50.0, 5)
    ring.reset_stats()
    out = memoryview(bytearray(640))
    for second in range(10):
        for block in range(50):
            if not (second == 2 and block == 10):
                ring.write(ramp(0, 320 * (1 + (second == 2 and block == 11))))
            ring.read_into(out)
        assert ring.stats().slipped <= (second + 1) * 16, (second, ring.stats())


@pytest.mark.parametrize(("speed", "steps"), [(1.003, {1, 2}), (0.997, {0, 1})])
def test_slips_leave_out_or_repeat_single_samples(speed: float, steps: set[int]) -> None:
    """What a slipping ring plays is the writer's ramp with single samples left out (writer
    fast) or repeated (writer slow): nothing reordered, no bigger jump."""
    c = BridgeConfig()
    ring = bridge_ring()
    t_w, t_r, k, got, block = 0.0, 0.005, 0, [], c.mic_block
    pending: list[bytes] = []
    while t_r < 30:
        if t_w <= t_r:
            pending.append(ramp(k, block))
            k += block
            t_w += block / 16000 / speed
        else:
            ring.write(b"".join(pending))  # pulled right before the tick
            pending.clear()
            short = 0 if ring.refilling else 320 - ring.depth
            while short > 0 and ring.depth < 320:  # the tick waits for the source, as the bridge's
                ring.write(ramp(k, block))
                k += block
                t_w += block / 16000 / speed
            out = bytearray(640)
            ring.read_into(memoryview(out), max(0, short))
            got.append(np.frombuffer(bytes(out), dtype=np.int16))
            t_r += 0.02
    played = np.concatenate(got)
    # from the first window after the fill on: that window sets the level in one step (the
    # oldest samples skipped, as after a refill), the slips come after it
    played = played[np.flatnonzero(played)[0] + 16000 + 3200 :]
    diffs = set((np.diff(played.astype(np.int64)) % 30000).tolist())
    assert ring.stats().slipped > 200 and ring.stats().overruns == 0, ring.stats()
    assert diffs == steps, diffs


def _late_block_call(ring: SampleRing, seconds: int, late_every: int, wait: float) -> None:
    """A source of 20 ms blocks on the reader's clock, every `late_every`-th block one block
    late (delivered with the next one), as the test rig's monitor source delivers
    (docs/audio.md §8); the reader ticks every 20 ms and waits up to `wait` s when short."""
    due = sorted(((j + 1 + (j % late_every == 0)) * 0.02, j) for j in range(seconds * 50 + 10))
    out = memoryview(bytearray(640))
    t_r, k, i = 0.005, 0, 0
    while t_r < seconds:
        if 5 <= t_r < 5.02:
            ring.reset_stats()  # after the first fill and its settling window
        while i < len(due) and due[i][0] <= t_r:
            ring.write(ramp(k, 320))
            k, i = k + 320, i + 1
        short = 0 if ring.refilling else 320 - ring.depth
        while short > 0 and ring.depth < 320 and i < len(due) and due[i][0] <= t_r + wait:
            ring.write(ramp(k, 320))
            k, i = k + 320, i + 1
        ring.read_into(out, max(0, short))
        t_r += 0.02


def test_a_source_late_now_and_then_is_waited_for_on_those_ticks_only() -> None:
    """With `tolerate`, the drift following sets aside the few reads that had to wait for a
    late block: the others keep only the margin (one block less latency), and the late ones
    wait instead of running dry. Without it the low mark is the late tick's, and the ring holds
    a block more on every other tick."""
    c = BridgeConfig()
    means = {}
    for tolerate in (0.0, c.mic_tolerate):
        ring = bridge_ring()
        ring.tolerate = tolerate
        _late_block_call(ring, 30, 9, c.mic_wait)
        s = ring.stats()
        assert s.underruns == 0 and s.overruns == 0, (tolerate, s)
        means[tolerate] = s.mean_latency_ms
        assert (s.short_reads > 0) is (tolerate > 0), (tolerate, s)
    assert means[c.mic_tolerate] < means[0.0] - 10, means
