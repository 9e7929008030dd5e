"""The window drawing a configured line key list: Line keys where they are configured, empty (N/A
or a type DeskPhone does not support) keys blank and dark, a call lighting its own account's key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.phone.handset import LineKey
from app.phone.handset.linekeys.config import LINE, NA
from app.phone.intents import OffHook
from app.phone.model import AccountView, RegState
from tests.gui.conftest import assert_led
from tests.gui.fake_phone import FakePhone
from tests.gui.harness import Harness

BLF_LIST = 39  # no row in the type table: drawn as an empty key


def test_a_key_list_drawn(qtbot: QtBot, skin: str, screens_dir: Path) -> None:
    accounts = [
        AccountView(i, f"A{i}", f"sip:{100 + i}@127.0.0.1", RegState.REGISTERED) for i in (1, 2)
    ]
    phone = FakePhone(accounts)
    keys = (
        LineKey(LINE, 1),
        LineKey(NA),
        LineKey(LINE, 2, label="Sales"),
        LineKey(BLF_LIST, 1, "7"),
    )
    flags = phone.display.flags
    phone.display.flags = lambda: replace(flags(), line_keys=keys)  # type: ignore[method-assign]
    phone.sync()
    h = Harness(qtbot, skin, phone)
    labels = [(k.label, k.icon) for k in h.screen.line_keys[:4]]
    assert labels == [("A1", "registered"), ("", ""), ("Sales", "registered"), ("", "")]
    h.ring_in("sip:2001@127.0.0.1", "Bob")
    assert_led(h, "L1", "green", "fast")  # account 1's call on account 1's key
    for key in ("L2", "L3", "L4"):
        assert_led(h, key, "off", "off")
    h.shot(screens_dir, "40_line_key_list_ringing")
    h.press("X")
    h.click("L3")
    assert phone.intents[-1] == OffHook(2)
    assert_led(h, "L3", "green", "solid")  # Sales (account 2) seized
    assert_led(h, "L1", "off", "off")
    assert h.screen.detail == "A2"
    h.shot(screens_dir, "41_line_key_list_seized")
