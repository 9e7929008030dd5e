"""The engine's garbage collection between loop turns (app/engine/gc_pacer.py)."""

from __future__ import annotations

import gc
import weakref

from app.engine.gc_pacer import GcPacer


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_collections_wait_for_the_turn_and_stop_gives_automatic_collection_back() -> None:
    pacer = GcPacer()
    pacer.start()
    try:
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        gone = weakref.ref(_Node())
        for _ in range(gc.get_threshold()[0] * 3):
            _Node()  # past the threshold: automatic collection would have run by now
        assert gone() is not None
        pacer.turn()
        while gone() is not None and pacer.passes < 20:  # gen 0 first, older ones in turn
            for _ in range(gc.get_threshold()[0]):
                _Node()
            pacer.turn()
        assert gone() is None and pacer.passes >= 1
        passes = pacer.passes
        pacer.turn()  # nothing allocated since: no pass
        assert pacer.passes == passes
    finally:
        pacer.stop()
    assert gc.isenabled() and gc.get_freeze_count() == 0
