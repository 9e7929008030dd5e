"""Fixtures for the GUI tests (the display itself comes from tests/conftest.py): the handset
window's skins and harness, and the real app registered as alice at a private Kamailio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.engine_harness import write_account
from tests.gui.harness import Harness
from tests.sipnet import HOST, Kamailio, kamailio
from ui.app import DeskPhoneApp, UiOptions

SKINS = ["t46", "t54"]
IDLE = ["History", "Directory", "DND", "Menu"]  # the idle screen's soft keys


def assert_led(h: Harness, key: str, colour: str, mode: str) -> None:
    """The widget reports the LED so, and the drawn LED is lit exactly when it is green."""
    assert h.widget.led(key) == (colour, mode)
    assert h.led_lit(key) == (colour == "green"), h.led_pixel(key).name()


@pytest.fixture(params=SKINS)
def skin(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def harness(qtbot: QtBot, skin: str) -> Harness:
    return Harness(qtbot, skin)


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[Kamailio]:
    with kamailio(tmp_path / "kam") as k:
        yield k


def start_alice_app(
    qtbot: QtBot, config_dir: Path, kam: Kamailio, *, test_hooks: bool = False
) -> DeskPhoneApp:
    """The real app (window and engine) with one account, alice at `kam`, started; the caller
    shuts it down."""
    write_account(config_dir, "alice", HOST, kam.port, label="Alice")
    app = DeskPhoneApp(
        UiOptions(
            config_dir=config_dir,
            control_path=config_dir / "ui.sock",
            sip_port=0,
            bind=HOST,
            test_hooks=test_hooks,
        )
    )
    qtbot.addWidget(app.window)
    app.start()
    return app


@pytest.fixture
def app(qtbot: QtBot, config_dir: Path, kam: Kamailio) -> Iterator[DeskPhoneApp]:
    """The real app, registered as alice at `kam`."""
    phone = start_alice_app(qtbot, config_dir, kam)
    try:
        qtbot.waitUntil(lambda: phone.window.registration_text() == "Registered", timeout=10000)
        yield phone
    finally:
        phone.shutdown()
