"""The engine loop's wake-up: a wake whose datagram a poll inside the loop turn already read
must still keep the next wait from blocking; in an established call with nothing else on
screen the loop wakes when the call timer turns a second (app/engine/wake.py)."""

from __future__ import annotations

import socket
import time

from app.engine.wake import KEEPALIVE, MAX_WAIT_MS, REST_WAIT_MS, Waker, bound_ms, wait_ms
from app.phone.handset.call_text import call_timer, next_timer_change
from app.phone.model import CallState, CallView, Direction


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


def _call(state: CallState, answered: float) -> CallView:
    return CallView(
        "c1", 1, Direction.OUTGOING, "sip:bob@127.0.0.1", state=state, answered=answered
    )


def test_an_established_call_wakes_the_loop_when_its_timer_turns_a_second() -> None:
    now = 100.25
    talking = _call(CallState.TALKING, 90.5)  # shows 00:09 until 100.5
    held = _call(CallState.HOLD, 99.9)  # shows 00:00 until 100.9
    assert next_timer_change([talking, held], now) == 100.5
    assert bound_ms(True, [talking], now) == 251
    # the timer then turns exactly on time, not up to MAX_WAIT_MS late
    assert call_timer(talking, 100.5) == "00:10" and call_timer(talking, 100.499) == "00:09"


def test_a_call_not_yet_established_or_anything_on_screen_keeps_the_short_bound() -> None:
    now = 50.0
    ringing = _call(CallState.RINGBACK, 0.0)
    talking = _call(CallState.TALKING, 40.0)
    assert next_timer_change([talking, ringing], now) is None
    assert next_timer_change([], now) is None
    assert bound_ms(True, [talking, ringing], now) == MAX_WAIT_MS  # one still being set up
    assert bound_ms(False, [talking], now) == MAX_WAIT_MS  # pop-up
    assert bound_ms(True, [], now) == REST_WAIT_MS  # no call: only the clock
    assert wait_ms(None, lambda: 700) == 700
    assert wait_ms(time.monotonic() + 5.0, lambda: 700) == MAX_WAIT_MS  # a core deadline
