"""A ring buffer of int16 samples between two clocks (pjmedia's and the sound card's).

One writer and one reader, each on its own thread. The lock is held only for index arithmetic
and one or two small byte copies, so neither side waits measurably on the other.

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
neither drops nor refills. A reader that waits for the writer when the ring is short (the
bridge's playback callback does, briefly) tells `read_into` how short it was; that read counts
as a negative margin, and `tolerate` lets that fraction of a window's reads fall under the
margin unheeded: a source that delivers one block late now and then is waited for on those
reads instead of the ring holding a block more on all the others. The depth seen by each new
sample is the latency the buffer adds: a written block's samples wait, on average, the depth
before the write plus half the block. That wait is sampled at every write and summarised in
`stats()`.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass

from app.audio.pcm import WIDTH, Pcm

_HISTORY = 2048  # depth samples kept for percentiles
STEADY_WINDOWS = 4  # windows slipping one way (none the other) that make a drift
# Slip rates, as one sample in N: a steady drift's (0.5 %, 5 Hz at 1 kHz) and a first slip's
# (0.1 %). The full rate is also how far a late source can bend a tone's pitch for a while.
FULL_SLIP, GENTLE_SLIP = 200, 1000


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
    # The half block in mean_latency_ms: how long a written block's samples waited, on
    # average, for the block to be complete (every 20 ms client has it for its frames); the
    # rest of the mean is the time they spend in the ring.
    fill_ms: float = 0.0
    short_reads: int = 0  # reads that found the ring short and whose reader waited
    max_short: int = 0  # the largest shortfall such a read found (samples)

    @property
    def depth_ms(self) -> float:
        return 1000.0 * self.depth / self.rate


def _percentile(ordered: list[int], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default method)."""
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


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
        slack: int = 96,
        tolerate: float = 0.0,
    ) -> None:
        if not 0 < target < high_water:
            raise ValueError("need 0 < target < high_water")
        self.rate = rate
        self.target = target
        self.high_water = high_water
        self._cap = capacity or high_water + 8192
        self._buf = bytearray(WIDTH * self._cap)
        self._view = memoryview(self._buf)
        self._lock = threading.Lock()
        self._head = 0  # next read position
        self._depth = 0
        self._refilling = True  # output silence until `target` samples are queued
        self._history = array("i", bytes(4 * _HISTORY))
        self._halves = array("i", bytes(4 * _HISTORY))  # each write's n // 2, same slots
        self._hist_n = 0
        self._written = self._read = 0
        self._overruns = self._dropped = self._underruns = self._inserted = 0
        self._max_depth = 0
        self.margin = target // 2 if margin is None else margin
        self.follow_drift = follow_drift
        self.slack = slack  # samples above the margin before slipping down (the dead zone)
        self.tolerate = tolerate  # fraction of a window's reads allowed under the margin
        self._spares = array("i")  # this window's depth left after each full read (< 0: short)
        self._win_read = 0
        self._short_reads = self._max_short = 0
        self._slip = 0  # samples still to leave out (< 0) or repeat (> 0)
        self._settling = True  # the first window after a (re)fill sets the level at once
        self._pad = 0  # silence to put before the next write (settling up)
        self._slipped = 0
        self._run = 0  # windows in a row that slipped one way (signed)

    def _slip_block(self, data: Pcm) -> bytes:
        """Leave out or repeat one sample per 10 ms of the block at most, spread evenly."""
        n = len(data) // WIDTH
        k = min(abs(self._slip), max(1, n * 100 // self.rate))
        at = sorted({(n - 1) * j // (k + 1) for j in range(1, k + 1)})
        view = memoryview(data).cast("B")
        parts: list[Pcm] = []
        start = 0
        for i in at:
            parts.append(view[start : WIDTH * i])
            # left out: the piece after it starts past it; repeated: it starts at it again
            start = WIDTH * (i + 1) if self._slip < 0 else WIDTH * i
            if self._slip > 0:
                parts.append(view[WIDTH * i : WIDTH * (i + 1)])
        parts.append(view[start:])
        self._slip += len(at) if self._slip < 0 else -len(at)
        self._slipped += len(at)
        return b"".join(parts)

    def _new_window(self, keep_slip: bool = False) -> None:
        """Start a window of reads afresh; after a (re)fill or a clear, with no slip pending."""
        del self._spares[:]
        self._win_read = 0
        if not keep_slip:
            self._slip = 0

    def _end_window(self) -> None:
        """A second of reads is over: plan the next slips from its smallest margin (or, with
        `tolerate`, the smallest once that fraction of the reads is set aside)."""
        spares = sorted(self._spares)
        low = spares[int(len(spares) * self.tolerate)] if spares else 1 << 30
        self._new_window(keep_slip=True)
        if self._settling:
            # Right after a (re)fill the sound has just had a break: reach the margin in one
            # step (a few ms of silence, or of the oldest audio skipped) rather than seconds of
            # slipping, which a listener hears as a pitch change.
            self._settling = False
            if low < self.margin:
                self._pad = self.margin - low
            elif low > self.margin + self.slack:
                skip = min(self._depth, low - self.margin)
                self._head = (self._head + skip) % self._cap
                self._depth -= skip
            return
        # A real clock drift is steady: it shows as slips one way, window after window. A
        # loaded machine's late callbacks also move the low mark, but only for a moment, and
        # slipping at full rate after one of them changed the pitch for seconds (a 1000 Hz
        # echo measured 994 Hz). So a slip starts gently (0.1 %, 1 Hz at 1 kHz) and only a
        # drift that lasts STEADY_WINDOWS windows gets the full rate (0.5 %).
        want = 0
        if low > self.margin + self.slack:
            want = -(low - self.margin)
        elif low < self.margin:
            want = self.margin - low + 16
        direction = (want > 0) - (want < 0)
        if direction:  # windows in the dead zone between slips keep the count
            self._run = self._run + direction if self._run * direction > 0 else direction
        # Except when the low mark is already down to half the margin: then the next window
        # could run dry (a break in the sound), which is worse than a pitch change.
        steady = abs(self._run) >= STEADY_WINDOWS or low < self.margin // 2
        cap = self.rate // (FULL_SLIP if steady else GENTLE_SLIP)  # 80 or 16 a second at 16 kHz
        self._slip = max(-cap, min(cap, want))

    def write(self, data: Pcm) -> None:
        """Queue int16 samples (copied). Drops the oldest ones when past the high-water mark."""
        if self._slip and len(data) > WIDTH * 16:
            data = self._slip_block(data)
        if self._pad:
            data = bytes(WIDTH * self._pad) + data
            self._pad = 0
        view = memoryview(data).cast("B")
        n = len(view) // WIDTH
        if n == 0:
            return
        too_many = max(0, n - self._cap)
        if too_many:
            view = view[WIDTH * too_many :]
            n = self._cap
        buf = self._view
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
            buf[WIDTH * tail : WIDTH * (tail + first)] = view[: WIDTH * first]
            if first < n:
                buf[: WIDTH * (n - first)] = view[WIDTH * first : WIDTH * n]
            self._depth += n
            self._written += n
            self._max_depth = max(self._max_depth, self._depth)
            slot = self._hist_n % _HISTORY
            self._history[slot] = self._depth - n + n // 2
            self._halves[slot] = n // 2
            self._hist_n += 1

    def read_into(self, out: memoryview, short: int = 0) -> int:
        """Fill `out` (writable, format "B") with queued samples, silence for the rest; return
        how many samples were real. `short`: how many samples the ring lacked when this read
        was due and the reader waited for them."""
        n = len(out) // WIDTH
        buf = self._view
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
                self._new_window()
                self._settling = True
            take = 0 if self._refilling else min(n, self._depth)
            first = min(take, self._cap - self._head)
            head = self._head
            out[: WIDTH * first] = buf[WIDTH * head : WIDTH * (head + first)]
            if first < take:
                out[WIDTH * first : WIDTH * take] = buf[: WIDTH * (take - first)]
            self._head = (self._head + take) % self._cap
            self._depth -= take
            self._read += n
            if short > 0 and not self._refilling:
                self._short_reads += 1
                self._max_short = max(self._max_short, short)
            if take == n and self.follow_drift:
                self._spares.append(-short if short > 0 else self._depth)
                self._win_read += n
                if self._win_read >= self.rate:
                    self._end_window()
            if take < n:
                out[WIDTH * take : WIDTH * n] = bytes(WIDTH * (n - take))
                self._inserted += n - take
                if not self._refilling:
                    self._underruns += 1
                    self._refilling = True
        return take

    def read(self, n: int) -> bytes:
        """n samples (silence where nothing was queued)."""
        out = bytearray(WIDTH * n)
        self.read_into(memoryview(out))
        return bytes(out)

    def clear(self) -> None:
        with self._lock:
            self._head = self._depth = 0
            self._refilling = True
            self._new_window()

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def refilling(self) -> bool:
        """Handing out silence until `target` samples gather (a reader need not wait)."""
        return self._refilling

    def stats(self) -> RingStats:
        with self._lock:
            count = min(self._hist_n, _HISTORY)
            hist = sorted(self._history[:count])
            halves = sum(self._halves[:count])
            written, read, depth = self._written, self._read, self._depth
            counters = (self._overruns, self._dropped, self._underruns, self._inserted)
            max_depth, slipped = self._max_depth, self._slipped
            shorts = (self._short_reads, self._max_short)
        to_ms = 1000.0 / self.rate
        mean = sum(hist) / count * to_ms if count else 0.0
        p95 = _percentile(hist, 0.95) * to_ms if count else 0.0
        fill = halves / count * to_ms if count else 0.0
        return RingStats(
            self.rate, written, read, depth, *counters, max_depth, mean, p95, slipped, fill, *shorts
        )

    def reset_stats(self) -> None:
        with self._lock:
            self._hist_n = 0
            self._written = self._read = 0
            self._overruns = self._dropped = self._underruns = self._inserted = 0
            self._max_depth = self._depth
            self._slipped = 0
            self._short_reads = self._max_short = 0
