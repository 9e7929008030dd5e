"""The engine returns freed memory once calls have been quiet past Timer J (app/engine/heap.py)."""

from __future__ import annotations

from app.engine.heap import QUIET_S, HeapTrimmer


def test_trims_once_per_quiet_spell_after_calls() -> None:
    calls: list[int] = []

    def counting_trim(pad: int) -> int:
        calls.append(pad)
        return 1

    heap = HeapTrimmer()
    heap._trim = counting_trim  # count instead of trimming
    heap.note(0.0, busy=False)
    heap.note(100.0, busy=False)
    assert calls == []  # never busy: nothing to give back
    heap.note(200.0, busy=True)
    heap.note(200.0 + QUIET_S - 1, busy=False)
    assert calls == []  # pjsip may still hold the last call's state
    heap.note(200.0 + QUIET_S, busy=False)
    heap.note(300.0, busy=False)
    assert calls == [0] and heap.trims == 1
    heap.note(400.0, busy=True)
    heap.note(400.0 + QUIET_S, busy=False)
    assert heap.trims == 2


def test_the_real_trim_runs_here() -> None:
    heap = HeapTrimmer(quiet_s=0)
    assert heap._trim is not None  # glibc: malloc_trim is there
    heap.note(0.0, busy=True)
    heap.note(0.0, busy=False)
    assert heap.trims == 1
