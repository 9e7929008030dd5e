"""The handset window drawing every line key LED state on both skins: BLF idle (solid green),
ringing with the caller on the key (fast red), busy (solid red), held (slow red), refused
(dark), a parked call on a park key (slow red), DND on (solid green), and the page key telling
of a ringing BLF on the other page (fast red); a Voice Mail key on page two (no LED).
Screenshots: handset_<skin>_50_blf_states.png, handset_<skin>_51_blf_page_key.png,
handset_<skin>_52_blf_page_two.png."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.phone.handset import LineKey
from app.phone.handset.linekeys import config as C
from tests.gui.fake_phone import FakePhone
from tests.gui.harness import Harness
from tests.unit.test_blf_state import body, dialog
from tests.unit.test_line_key_types import Keys

STATES = (
    ("L2", "Bob", ("green", "solid")),  # idle
    ("L3", "Carol", ("red", "fast")),  # ringing: the caller's name, not the key's label
    ("L4", "Dave", ("red", "solid")),  # talking
    ("L5", "Erin", ("red", "slow")),  # held
    ("L6", "Frank", ("off", "off")),  # subscription refused
    ("L7", "Park 1", ("red", "slow")),  # a call parked on the orbit
    ("L8", "DND", ("green", "solid")),  # DND on
    ("L9", "Taxi", ("off", "off")),  # speed dial: no LED
)


def red_lit(h: Harness, key: str) -> bool:
    c = h.led_pixel(key)
    return c.red() > 180 and c.red() > c.green() + 60


def blf_phone() -> tuple[FakePhone, Keys]:
    keys = (
        LineKey(C.LINE, 1),
        LineKey(C.BLF, 1, "1005", "Bob"),
        LineKey(C.BLF, 1, "1006", "Carl"),
        LineKey(C.BLF, 1, "1007", "Dave"),
        LineKey(C.BLF, 1, "1008", "Erin"),
        LineKey(C.BLF, 1, "1009", "Frank"),
        LineKey(C.CALL_PARK, 1, "701", "Park 1"),
        LineKey(C.DND, 1),
        LineKey(C.SPEED_DIAL, 1, "5551234", "Taxi"),
        LineKey(C.INTERCOM, 1, "1010", "Ops"),
        LineKey(C.BLF, 1, "1011", "Gina"),  # page 2
        LineKey(C.VOICE_MAIL, 1),
    )
    phone = FakePhone()
    source = Keys(keys)
    source.board.watch({(1, k.value) for k in keys if k.value})
    phone.display.keys = source
    board = source.board
    board.notify((1, "1005"), body(0))
    board.notify((1, "1006"), body(1, dialog("a", "early")))
    board.notify((1, "1007"), body(1, dialog("b", "confirmed")))
    board.notify((1, "1008"), body(1, dialog("c", "confirmed", rendering="no")))
    board.failed((1, "1009"), "403 Forbidden")
    board.notify((1, "701"), body(1, dialog("p", "confirmed")))
    board.notify((1, "1011"), body(0))
    phone.apply(phone.display.press("F3"))  # DND on
    phone.sync()
    return phone, source


def test_every_led_state_drawn(qtbot: QtBot, skin: str, screens_dir: Path) -> None:
    phone, source = blf_phone()
    h = Harness(qtbot, skin, phone)
    shown = {k.key: (k.label, (k.led_colour, k.led_mode)) for k in h.screen.line_keys}
    for key, label, led in STATES:
        assert shown[key] == (label, led), key
        if led[0] == "green":
            assert h.led_lit(key), h.led_pixel(key).name()
        elif led[0] == "red":
            assert red_lit(h, key), h.led_pixel(key).name()
        else:
            assert not h.led_lit(key) and not red_lit(h, key), h.led_pixel(key).name()
    assert shown["L10"] == ("1/2", ("off", "off"))  # nothing happens on page 2 yet
    h.shot(screens_dir, "50_blf_states")
    source.board.notify((1, "1011"), body(2, dialog("g", "early")))
    h.sync()
    assert h.screen.led("L10") == ("red", "fast") and red_lit(h, "L10")
    h.shot(screens_dir, "51_blf_page_key")
    h.press("L10")
    # page 2: the Intercom key, Gina's BLF key ringing, the Voice Mail key (no LED)
    # (keys 1-9 on page 1, L10 pages)
    assert [k.label for k in h.screen.line_keys[:3]] == ["Ops", "Carol", "Voice Mail"]
    assert red_lit(h, "L2") and not h.led_lit("L3") and not red_lit(h, "L3")
    h.shot(screens_dir, "52_blf_page_two")
