"""A ring buffer of int16 samples between two clocks (pjmedia's and the sound card's).

One writer and one reader, each on its own thread. The lock is held only for index arithmetic
and one or two small numpy copies, so neither side waits measurably on the other.

Drift policy: when the writer runs faster, the depth climbs to `high_water`; the oldest samples
are then dropped so the depth falls back to `target` (one click, counted as an overrun). When the
reader runs faster, it gets silence for what is missing (an underrun) and then keeps getting
silence until `target` samples have gathered again, so a starved buffer refills to a known depth
instead of stuttering block by block.

Those two are the last resort. Before them, the ring follows the drift by slipping samples: it
watches the smallest depth left after a read over each second of reads, and when that safety
margin stays well above `margin` (writer faster) it leaves out a few samples of the next writes,
when it falls below it (reader faster) it repeats a few: at most 80 a second (0.5 %) and one
per 10 ms of audio, so no click is heard. The depth then stays bounded over a long call with
neither drops nor refills. The depth seen by each new sample is the latency the buffer adds: a
written block's samples wait, on average, the depth before the write plus half the block. That
wait is sampled at every write and summarised in `stats()`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Int16Array = npt.NDArray[np.int16]
_HISTORY = 2048  # depth samples kept for percentiles


@dataclass(frozen=True)
class RingStats:
    rate: int
    written: int  # samples accepted from the writer
    read: int  # samples handed to the reader (silence included)
    depth: int  # samples waiting now
    overruns: int  # times the oldest samples were dropped
    dropped: int  # samples dropped by overruns
    underruns: int  # times the reader found too little
    inserted: int  # silence samples handed out in place of audio
    max_depth: int
    mean_latency_ms: float  # mean wait of the samples written (depth before + half a block)
    p95_latency_ms: float
    slipped: int = 0  # samples left out or repeated to follow the drift (not drops)

    @property
    def depth_ms(self) -> float:
        return 1000.0 * self.depth / self.rate


class SampleRing:
    """Single-producer single-consumer int16 ring buffer that absorbs clock drift."""

    def __init__(
        self,
        rate: int = 16000,
        target: int = 640,
        high_water: int = 1920,
        capacity: int | None = None,
        margin: int | None = None,
        follow_drift: bool = False,
    ) -> None:
        if not 0 < target < high_water:
            raise ValueError("need 0 < target < high_water")
        self.rate = rate
        self.target = target
        self.high_water = high_water
        self._cap = capacity or high_water + 8192
        self._buf = np.zeros(self._cap, dtype=np.int16)
        self._lock = threading.Lock()
        self._head = 0  # next read position
        self._depth = 0
        self._refilling = True  # output silence until `target` samples are queued
        self._history = np.zeros(_HISTORY, dtype=np.int32)
        self._hist_n = 0
        self._written = self._read = 0
        self._overruns = self._dropped = self._underruns = self._inserted = 0
        self._max_depth = 0
        self.margin = target // 2 if margin is None else margin
        self.follow_drift = follow_drift
        self._win_low = 1 << 30  # smallest depth left after a read in this window
        self._win_read = 0
        self._slip = 0  # samples still to leave out (< 0) or repeat (> 0)
        self._settling = True  # the first window after a (re)fill sets the level at once
        self._pad = 0  # silence to put before the next write (settling up)
        self._slipped = 0

    def _slip_block(self, samples: Int16Array) -> Int16Array:
        """Leave out or repeat one sample per 10 ms of the block at most, spread evenly."""
        n = len(samples)
        k = min(abs(self._slip), max(1, n * 100 // self.rate))
        at = np.linspace(0, n - 1, k + 2)[1:-1].astype(np.intp)
        if self._slip < 0:
            self._slip += k
            out: Int16Array = np.delete(samples, at)
        else:
            self._slip -= k
            out = np.insert(samples, at, samples[at])
        self._slipped += k
        return out

    def _end_window(self) -> None:
        """A second of reads is over: plan the next slips from its smallest margin."""
        low, self._win_low, self._win_read = self._win_low, 1 << 30, 0
        if self._settling:
            # Right after a (re)fill the sound has just had a break: reach the margin in one
            # step (a few ms of silence, or of the oldest audio skipped) rather than seconds of
            # slipping, which a listener hears as a pitch change.
            self._settling = False
            if low < self.margin:
                self._pad = self.margin - low
            elif low > self.margin + 96:
                skip = min(self._depth, low - self.margin)
                self._head = (self._head + skip) % self._cap
                self._depth -= skip
            return
        cap = self.rate // 200  # 80 samples a second at 16 kHz
        if low > self.margin + 96:
            self._slip = -min(low - self.margin, cap)
        elif low < self.margin:
            self._slip = min(self.margin - low + 16, cap)
        else:
            self._slip = 0

    def write(self, samples: Int16Array) -> None:
        """Queue samples (copied). Drops the oldest ones when past the high-water mark."""
        if self._slip and len(samples) > 16:
            samples = self._slip_block(samples)
        if self._pad:
            samples = np.concatenate([np.zeros(self._pad, dtype=np.int16), samples])
            self._pad = 0
        n = len(samples)
        if n == 0:
            return
        too_many = max(0, n - self._cap)
        if too_many:
            samples = samples[too_many:]
            n = self._cap
        with self._lock:
            self._dropped += too_many
            if self._depth + n > self.high_water:
                drop = min(self._depth, self._depth + n - self.target)
                self._head = (self._head + drop) % self._cap
                self._depth -= drop
                self._overruns += 1
                self._dropped += drop
            tail = (self._head + self._depth) % self._cap
            first = min(n, self._cap - tail)
            self._buf[tail : tail + first] = samples[:first]
            if first < n:
                self._buf[: n - first] = samples[first:]
            self._depth += n
            self._written += n
            self._max_depth = max(self._max_depth, self._depth)
            self._history[self._hist_n % _HISTORY] = self._depth - n + n // 2
            self._hist_n += 1

    def write_bytes(self, data: bytes) -> None:
        """Queue s16le bytes (what pjmedia hands over)."""
        self.write(np.frombuffer(data, dtype=np.int16, count=len(data) // 2))

    def read_into(self, out: Int16Array) -> int:
        """Fill `out` with queued samples, silence for the rest; return how many were real."""
        n = len(out)
        with self._lock:
            # A refill ends once the whole request can be served: a reader taking blocks larger
            # than `target` would otherwise underrun again at once.
            if self._refilling and self._depth >= max(self.target, n):
                self._refilling = False
                if self.follow_drift and self._depth > max(self.target, n):
                    # A burst overshot the refill: start at the target depth (this refill is a
                    # break in the sound anyway), not seconds of slipping down from above it.
                    extra = self._depth - max(self.target, n)
                    self._head = (self._head + extra) % self._cap
                    self._depth -= extra
                self._win_low, self._win_read, self._slip = 1 << 30, 0, 0
                self._settling = True
            take = 0 if self._refilling else min(n, self._depth)
            first = min(take, self._cap - self._head)
            out[:first] = self._buf[self._head : self._head + first]
            if first < take:
                out[first:take] = self._buf[: take - first]
            self._head = (self._head + take) % self._cap
            self._depth -= take
            self._read += n
            if take == n and self.follow_drift:
                self._win_low = min(self._win_low, self._depth)
                self._win_read += n
                if self._win_read >= self.rate:
                    self._end_window()
            if take < n:
                out[take:] = 0
                self._inserted += n - take
                if not self._refilling:
                    self._underruns += 1
                    self._refilling = True
        return take

    def read(self, n: int) -> Int16Array:
        out = np.empty(n, dtype=np.int16)
        self.read_into(out)
        return out

    def read_bytes(self, n: int) -> bytes:
        """n samples as s16le bytes (silence where nothing was queued)."""
        return self.read(n).tobytes()

    def clear(self) -> None:
        with self._lock:
            self._head = self._depth = 0
            self._refilling = True
            self._win_low, self._win_read, self._slip = 1 << 30, 0, 0

    @property
    def depth(self) -> int:
        return self._depth

    def stats(self) -> RingStats:
        with self._lock:
            count = min(self._hist_n, _HISTORY)
            hist = self._history[:count].astype(np.float64)
            written, read, depth = self._written, self._read, self._depth
            counters = (self._overruns, self._dropped, self._underruns, self._inserted)
            max_depth, slipped = self._max_depth, self._slipped
        to_ms = 1000.0 / self.rate
        mean = float(hist.mean()) * to_ms if count else 0.0
        p95 = float(np.percentile(hist, 95)) * to_ms if count else 0.0
        return RingStats(self.rate, written, read, depth, *counters, max_depth, mean, p95, slipped)

    def reset_stats(self) -> None:
        with self._lock:
            self._hist_n = 0
            self._written = self._read = 0
            self._overruns = self._dropped = self._underruns = self._inserted = 0
            self._max_depth = self._depth
            self._slipped = 0
