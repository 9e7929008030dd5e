"""Python's cyclic garbage collection at the end of the SIP loop's turn, not inside pjsip's work.

Why: with automatic collection, a generation-0 pass starts whenever 700 objects were allocated,
wherever that happens, and on the SIP thread that is mostly inside a pjsua2 callback: in 60
redirects of tests/bench/redirect_bench.py the engine ran 87 generation-0 passes (167 µs on
average, up to 0.7 ms) and 8 generation-1 passes (1.7 ms on average), any of which could land
between a 302 arriving and the new INVITE leaving (docs/pjsua2.md §7). So automatic
collection is off and the loop collects with CPython's own thresholds once its turn is done,
when the packets that caused the garbage have left. Other threads' cyclic garbage waits for
that (the loop turns at least once a second). Objects alive after start-up are frozen: the
full collections never walk them again.
"""

from __future__ import annotations

import gc


class GcPacer:
    def __init__(self) -> None:
        self.passes = 0
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        """After start-up: what exists now lives as long as the engine (no full collection
        first: it would cost the start-up ~20 ms for a little garbage kept)."""
        gc.freeze()
        gc.disable()

    def turn(self) -> None:
        """Collect as CPython would have by now; call where nothing waits on the SIP thread."""
        count0, count1, count2 = gc.get_count()
        limit0, limit1, limit2 = gc.get_threshold()
        if count0 < limit0:
            return
        generation = 0
        if count1 >= limit1:
            generation = 2 if count2 >= limit2 else 1
        gc.collect(generation)
        self.passes += 1

    def stop(self) -> None:
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()
