"""The flood guard's budget arithmetic (app/sip/flood_guard.py), without pjsip."""

from __future__ import annotations

import time

from app.sip.flood_guard import FloodGuard


def test_admits_up_to_the_budget_then_refuses() -> None:
    guard = FloodGuard(budget=6, window_s=1.0)
    assert [guard.admit(10.0, 0) for _ in range(8)] == [True] * 6 + [False] * 2
    assert (guard.admitted, guard.refused) == (6, 2)


def test_live_calls_and_recent_ends_use_the_budget() -> None:
    guard = FloodGuard(budget=6, window_s=1.0)
    now = time.monotonic()
    assert guard.admit(now, 4)  # 4 live + this one = 5
    guard.note_call_ended()  # 6
    assert not guard.admit(now + 0.1, 4)
    assert guard.usage(now + 0.1, 0) == 2
    assert guard.admit(now + 5, 4)  # the admit and the end are out of the window


def test_budget_comes_back_after_the_window() -> None:
    guard = FloodGuard(budget=3, window_s=1.0)
    assert all(guard.admit(5.0, 0) for _ in range(3))
    assert not guard.admit(5.5, 0)
    assert guard.admit(6.01, 0)  # the first three are older than the window now


def test_recent_ends_count_until_their_slots_are_free() -> None:
    guard = FloodGuard(budget=2, window_s=100.0)
    guard.note_call_ended()
    guard.note_call_ended()
    assert not guard.admit(time.monotonic(), 0)
