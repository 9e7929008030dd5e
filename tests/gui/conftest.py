"""Fixtures for the handset window tests (the display itself comes from tests/conftest.py)."""

from __future__ import annotations

import ctypes
import sys

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.harness import Harness

SKINS = ["t46", "t54"]


def _keep_none_alive() -> None:
    """Work around PySide6 6.12.0 on CPython 3.11: every call of a void Qt method drops one
    reference to None without taking it (harmless on 3.12+, where None is immortal), so a
    few thousand paints end in "Fatal Python error: none_dealloc". Give None a large reserve
    of references for the test session. The application needs a real fix (another PySide6
    version or Python 3.12): see the handset branch report.
    """
    if sys.version_info < (3, 12) and sys.implementation.name == "cpython":
        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40


_keep_none_alive()


@pytest.fixture(params=SKINS)
def skin(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def harness(qtbot: QtBot, skin: str) -> Harness:
    return Harness(qtbot, skin)
