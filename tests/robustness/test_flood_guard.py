"""The incoming guard's budget arithmetic (app/sip/admission.py), without pjsip."""

from __future__ import annotations

from app.sip.admission import Admission


def test_admits_up_to_the_budget_then_refuses() -> None:
    guard = Admission(budget=6, window_s=1.0)
    assert [guard.admit(10.0, 0) for _ in range(8)] == [True] * 6 + [False] * 2
    assert (guard.admitted, guard.refused) == (6, 2)


def test_live_calls_and_recent_ends_use_the_budget() -> None:
    guard = Admission(budget=6, window_s=1.0)
    now = 100.0
    assert guard.admit(now, 4)  # 4 live + this one = 5
    guard.call_ended(now)  # 6
    assert not guard.admit(now + 0.1, 4)
    assert guard.usage(now + 0.1, 0) == 2
    assert guard.admit(now + 5, 4)  # the admit and the end are out of the window


def test_budget_comes_back_after_the_window() -> None:
    guard = Admission(budget=3, window_s=1.0)
    assert all(guard.admit(5.0, 0) for _ in range(3))
    assert not guard.admit(5.5, 0)
    assert guard.admit(6.01, 0)  # the first three are older than the window now


def test_recent_ends_count_until_their_slots_are_free() -> None:
    guard = Admission(budget=2, window_s=100.0)
    guard.call_ended(1.0)
    guard.call_ended(1.0)
    assert not guard.admit(1.5, 0)


def test_one_source_cannot_take_the_budget_from_the_others() -> None:
    guard = Admission(budget=24, window_s=1.0, share=8, reserved=8)
    flood = [guard.admit(1.0, 0, "127.0.0.2:5060", False, f"f{n}") for n in range(50)]
    assert flood.count(True) == 8  # its share, then 503
    # another stranger still gets its own share, the registrar the rest of the budget
    assert guard.admit(1.0, 0, "127.0.0.3:5060", False, "other")
    assert all(guard.admit(1.0, 0, "127.0.0.1:5060", True, f"pbx{n}") for n in range(15))


def test_strangers_together_leave_the_reserve_to_the_servers() -> None:
    guard = Admission(budget=24, window_s=1.0, share=8, reserved=8)
    for host in range(2, 6):  # four scanners, each within its own share
        for n in range(8):
            guard.admit(1.0, 0, f"127.0.0.{host}:5060", False, f"{host}-{n}")
    assert guard.usage(1.0, 0) == 16  # budget - reserved: the last ones were refused
    assert all(guard.admit(1.0, 0, "127.0.0.1:5060", True) for _ in range(8))
    assert not guard.admit(1.0, 0, "127.0.0.1:5060", True)  # now the whole budget is used


def test_a_stranger_rings_at_most_live_share_calls_at_once() -> None:
    guard = Admission(budget=24, window_s=0.5, share=8, live_share=2)
    for n, t in enumerate((1.0, 2.0, 3.0)):  # each admit outside the last one's window
        assert guard.admit(t, n, "127.0.0.9:5060", False, f"c{n}") is (n < 2)
        if n < 2:
            guard.call_started(f"c{n}")
    guard.call_ended(4.0, "c0")  # one of its calls ended: it may ring another
    assert guard.admit(5.0, 1, "127.0.0.9:5060", False, "c3")


def test_a_stranger_never_takes_the_last_call_slot() -> None:
    guard = Admission(budget=24, window_s=0.5, share=8, live_share=2)
    for n, source in enumerate(("a:1", "a:1", "b:1")):
        guard.admit(float(n), n, source, False, f"c{n}")
        guard.call_started(f"c{n}")
    assert not guard.admit(9.0, 3, "c:1", False, "c3")  # pjsua has 4 slots: one stays free
    assert guard.admit(9.0, 3, "pbx:5060", True, "c4")


def test_admissions_pjsua_never_made_a_call_of_are_forgotten() -> None:
    guard = Admission(budget=24, window_s=0.5, share=8, live_share=1)
    assert guard.admit(1.0, 0, "s:1", False, "refused-by-pjsua")
    assert guard.admit(20.0, 0, "s:1", False, "next")  # not counted as live forever
