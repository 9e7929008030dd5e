"""The callback guard in isolation (the engine-level proof is in tests/integration)."""

from __future__ import annotations

import logging
import sys

import pytest

from app.sip import guard


def test_exception_becomes_the_safe_value_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    @guard.guarded(default=4)
    def onCallRedirected(x: int) -> int:
        raise ValueError(f"bad {x}")

    before = guard.failures
    with caplog.at_level(logging.ERROR, logger="deskphone.sip"):
        assert onCallRedirected(7) == 4
    assert guard.failures == before + 1
    assert "callback onCallRedirected raised" in caplog.text and "bad 7" in caplog.text
    assert not hasattr(sys, "last_traceback")


def test_none_becomes_the_default_and_values_pass_through() -> None:
    @guard.guarded(default=3)
    def returns_none() -> None:
        return None

    @guard.guarded(default=3)
    def returns_one() -> int:
        return 1

    assert returns_none() == 3
    assert returns_one() == 1
