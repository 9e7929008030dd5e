"""The engine loop serves SIP first for a moment after an INVITE went out (app/sip/stack.py)."""

from __future__ import annotations

import time

from app.sip.stack import ANSWER_GRACE, SipStack, StackOptions


class FakeEndpoint:
    """Stands in for pjsua2's Endpoint: records each libHandleEvents wait and sleeps through it."""

    def __init__(self) -> None:
        self.waits: list[int] = []

    def libHandleEvents(self, ms: int) -> int:
        self.waits.append(ms)
        time.sleep(ms / 1000)
        return 0


def _stack() -> tuple[SipStack, FakeEndpoint]:
    stack = SipStack(StackOptions(port=0))
    ep = FakeEndpoint()
    stack.ep = ep
    return stack, ep


def test_nothing_waits_without_an_invite() -> None:
    stack, ep = _stack()
    stack.serve_answers()
    assert ep.waits == []


def test_sip_is_served_until_the_grace_after_an_invite_and_then_not_again() -> None:
    stack, ep = _stack()
    start = time.monotonic()
    stack.expect_answer()
    stack.serve_answers()
    took = time.monotonic() - start
    assert ep.waits and all(ms >= 1 for ms in ep.waits)
    assert took >= ANSWER_GRACE
    assert sum(ep.waits) <= ANSWER_GRACE * 1000 + 1  # never longer than the grace (rounding)
    before = len(ep.waits)
    stack.serve_answers()  # the grace is over: the bookkeeping goes on at once
    assert len(ep.waits) == before
