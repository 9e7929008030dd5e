"""Waking the SIP thread out of libHandleEvents() from another thread.

pjsua2 offers no wake-up call, but libHandleEvents() returns as soon as any of its sockets has
data. A CRLF keep-alive datagram sent to our own UDP transport is such data, and pjsip drops
keep-alives silently (RFC 5626 §3.5.1), so it costs one loop turn and nothing else. This lets
the loop block for long stretches (idle CPU near zero) while intents still arrive at once.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from app.phone.handset.call_text import next_timer_change
from app.phone.model import CallView

KEEPALIVE = b"\r\n\r\n"

# Upper bounds of one libHandleEvents() wait. Packets, pjsip timers, intents (Waker) and signals
# (set_wakeup_fd) end a wait at once; these only pace what changes by time alone: 200 ms while a
# dial screen, a pop-up or a call being set up is up, 1 s at rest, where only the clock changes
# (idle CPU). In an established call with nothing else up only its timer changes: the wait
# lasts until its next second (1 wake-up a second instead of 5; each loop turn composes the
# screen, ~1 ms of CPU: docs/audio.md §8).
MAX_WAIT_MS = 200
REST_WAIT_MS = 1000


def bound_ms(quiet: bool, calls: list[CallView], now: float) -> int:
    """The longest wait with no deadline. `quiet`: no dial screen, pop-up, tone awaited or
    other work pending; `calls`: the live calls (one being set up keeps the short bound, an
    established one's timer shows its next second on time: handset/call_text.py)."""
    if not quiet:
        return MAX_WAIT_MS
    if not calls:
        return REST_WAIT_MS
    timer_change = next_timer_change(calls, now)
    if timer_change is None:
        return MAX_WAIT_MS
    return max(1, min(REST_WAIT_MS, int((timer_change - now) * 1000) + 1))


def wait_ms(deadline: float | None, bound: Callable[[], int]) -> int:
    """How long the next libHandleEvents() may wait: until the core's next deadline, else the
    bound for now (`bound()`: bound_ms for what the phone shows)."""
    if deadline is None:
        return bound()
    return max(0, min(MAX_WAIT_MS, int((deadline - time.monotonic()) * 1000) + 1))


class Waker:
    def __init__(self, host: str, port: int) -> None:
        self._addr = (host or "127.0.0.1", port)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setblocking(False)
        self._pending = threading.Event()
        self._signal_sock: socket.socket | None = None

    def wake(self) -> None:
        # Coalesce: one datagram in flight is enough to end the current wait.
        if self._pending.is_set():
            return
        self._pending.set()
        try:
            self._sock.sendto(KEEPALIVE, self._addr)
        except OSError:
            self._pending.clear()

    def signal_fd(self) -> int:
        """A non-blocking socket connected to the SIP port, for signal.set_wakeup_fd(): pjsip
        drops the one-byte datagram (shorter than any SIP message) and the wait ends."""
        if self._signal_sock is None:
            self._signal_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._signal_sock.setblocking(False)
            self._signal_sock.connect(self._addr)
        return self._signal_sock.fileno()

    def woken(self) -> None:
        """Called by the SIP thread after each loop turn's wait."""
        self._pending.clear()

    @property
    def pending(self) -> bool:
        """A wake came since woken(). Its datagram may already have been read by a poll inside
        the loop turn (Outbox.flush -> SipStack.poll), and further wakes send none while this
        is set: the next wait must not block, or that intent waited a whole REST_WAIT_MS
        (seen: the window's first message handled 1 s late at start-up)."""
        return self._pending.is_set()

    def close(self) -> None:
        self._sock.close()
        if self._signal_sock is not None:
            self._signal_sock.close()
