"""The engine loop's wake-up: a wake whose datagram a poll inside the loop turn already read
must still keep the next wait from blocking (app/engine/wake.py)."""

from __future__ import annotations

import socket

from app.engine.wake import KEEPALIVE, Waker


def _udp_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    return sock


def test_a_wake_read_by_a_poll_still_counts_until_the_loop_has_waited() -> None:
    sip = _udp_port()  # stands in for pjsip's UDP transport
    waker = Waker("127.0.0.1", sip.getsockname()[1])
    try:
        assert not waker.pending
        waker.wake()
        assert sip.recv(64) == KEEPALIVE  # read inside the turn (Outbox.flush -> poll)
        assert waker.pending  # so the loop's next wait is 0, not REST_WAIT_MS
        waker.wake()  # coalesced: no second datagram while one is pending
        sip.settimeout(0.05)
        try:
            extra = sip.recv(64)
        except TimeoutError:
            extra = b""
        assert extra == b""
        waker.woken()  # the loop waited (0 ms) and handles what the wakes were for
        assert not waker.pending
        waker.wake()  # the next wake sends a datagram again
        sip.settimeout(2)
        assert sip.recv(64) == KEEPALIVE
    finally:
        waker.close()
        sip.close()
