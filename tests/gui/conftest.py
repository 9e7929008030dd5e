"""Fixtures for the handset window tests (the display itself comes from tests/conftest.py)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.harness import Harness

SKINS = ["t46", "t54"]


@pytest.fixture(params=SKINS)
def skin(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def harness(qtbot: QtBot, skin: str) -> Harness:
    return Harness(qtbot, skin)
