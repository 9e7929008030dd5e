"""Giving memory back to the system once a burst of calls is over.

Why: after a call ends, pjsip keeps its dialog, the BYE's server transaction and the response
for Timer J (64*T1 = 32 s over UDP, RFC 3261 17.2.2): about 28 KB a call, so ten calls a second
hold about 9 MB of pjsip pools (measured, tests/robustness/test_soak.py). When they are freed
glibc keeps the pages in the process's main heap, so the resident size of an always-on phone
would stay at its busiest hour's level. Once no call has been up for longer than that hold
time, one malloc_trim(0) returns the free pages (glibc only; a no-op elsewhere).
"""

from __future__ import annotations

import ctypes
import logging

from app.libc import libc_function

log = logging.getLogger("deskphone.engine")

QUIET_S = 35.0  # > Timer J (32 s): by then pjsip has freed every ended call's state


class HeapTrimmer:
    """Call `note(now, busy)` once a loop turn; trims once per quiet spell after calls."""

    def __init__(self, quiet_s: float = QUIET_S) -> None:
        self.quiet_s = quiet_s
        self.trims = 0
        self._trim = libc_function("malloc_trim", [ctypes.c_size_t], ctypes.c_int)
        self._busy_at: float | None = None  # the last turn that had a call; None: trimmed

    def note(self, now: float, busy: bool) -> None:
        if busy:
            self._busy_at = now
        elif self._busy_at is not None and now - self._busy_at >= self.quiet_s:
            self._busy_at = None
            if self._trim is not None:
                self._trim(0)
                self.trims += 1
                log.info("no call for %.0f s: freed memory returned to the system", self.quiet_s)
