"""Events wait here until SIP has been served: the wire first, the bookkeeping after.

Every event the engine publishes costs Python work on the SIP thread (Action URL, history,
the display's lists, JSON for the control socket: 50-200 µs each). Done inline it delayed the
next SIP packet: a far end answering a new INVITE with 302 within 0.2 ms found the engine still
publishing the call it had just placed, and the 302 waited in the socket (profiled with
tests/bench/redirect_bench.py). So `put` only queues, and `flush` lets pjsip handle whatever
has arrived (`libHandleEvents(0)`, about 2 µs when nothing has) before each event goes out.
`flush` runs only where the SIP thread is outside pjsip (the engine's loop, never a callback).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

Emit = Callable[[str, dict[str, Any]], None]


class Outbox:
    def __init__(self, emit: Emit, serve_sip: Callable[[], None]) -> None:
        self._emit = emit
        self._serve_sip = serve_sip
        self._queue: deque[tuple[str, dict[str, Any]]] = deque()
        self._owner = threading.get_ident()  # the SIP thread (the engine is made on it)
        self.wake: Callable[[], None] | None = None  # for events queued by other threads

    def put(self, kind: str, data: dict[str, Any]) -> None:
        self._queue.append((kind, data))
        if threading.get_ident() != self._owner and self.wake is not None:
            self.wake()  # the loop may be waiting up to a second: flush now

    def flush(self) -> None:
        """Emit every queued event in order, serving SIP before each (SIP thread only)."""
        queue = self._queue
        while queue:
            self._serve_sip()  # may queue more events (callbacks): they follow in order
            if not queue:
                return
            kind, data = queue.popleft()
            self._emit(kind, data)

    def __len__(self) -> int:
        return len(self._queue)
