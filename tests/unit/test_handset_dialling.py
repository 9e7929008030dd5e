"""The dial screen (app/phone/handset/dialling.py, dial_buffer.py): digits, Send, editing, IME,
typed URIs and matches, on the real phone core (tests/gui/fake_phone)."""

from __future__ import annotations

from app.phone.handset.flags import HistoryItem
from app.phone.intents import OffHook
from app.phone.messages import Dial
from tests.gui.fake_phone import FakePhone


def test_digits_open_dial_screen_and_send_dials() -> None:
    p = FakePhone()
    out = p.press("1", "0", "0", "3")
    assert out == [OffHook()]
    s = p.handset.screen()
    assert (s.name, s.title, s.input, s.cursor) == ("dialing", "Dial", "1003", 4)
    assert s.led("L1") == ("green", "solid")  # off hook: the line is seized
    assert s.softkeys == ["Send", "IME", "Delete", "Cancel"]
    assert p.press("F1") == [Dial("1003")]
    s = p.handset.screen()
    assert (s.name, s.title) == ("calling", "Connecting...")
    assert s.softkeys == ["", "", "", "End Call"]
    assert s.led("L1") == ("green", "solid")


def test_pound_is_send_and_delete_edits() -> None:
    p = FakePhone()
    p.press("1", "2", "3", "DELETE", "LEFT", "9")
    assert p.handset.screen().input == "192"
    assert p.press("#") == [Dial("192")]


def test_inter_digit_timeout_dials() -> None:
    p = FakePhone()
    p.press("5", "5")
    p.advance(1.0)
    assert not any(isinstance(i, Dial) for i in p.intents)
    p.advance(4.0)
    assert Dial("55") in p.intents
    assert p.handset.screen().name == "calling"


def test_cancel_returns_to_idle() -> None:
    p = FakePhone()
    p.press("7")
    p.press("F4")
    assert p.handset.screen().name == "idle"


def test_ime_multitap_and_typed_uri() -> None:
    p = FakePhone()
    p.press("SPEAKER", "F2")  # 123 -> abc
    assert p.handset.screen().ime == "abc"
    p.press("2", "2", "2")  # a -> b -> c within the multi-tap time
    assert p.handset.screen().input == "c"
    p.type("@127.0.0.1")
    assert p.handset.screen().input == "c@127.0.0.1"
    assert p.press("OK") == [Dial("c@127.0.0.1")]


def test_typing_in_idle_opens_dialing() -> None:
    p = FakePhone()
    assert p.type("sip:bob@127.0.0.1") == [OffHook()]
    assert p.handset.screen().input == "sip:bob@127.0.0.1"


def test_matches_from_history_and_directory() -> None:
    p = FakePhone()
    p.display.directory = [("Alice", "2001"), ("Bob", "2002")]
    p.display.history = [HistoryItem("Carol", "3001", "placed")]
    p.sync()
    p.press("2", "0")
    s = p.handset.screen()
    assert s.items == ["Alice", "Bob"] and s.values == ["2001", "2002"]
    p.press("DOWN", "DOWN")
    assert p.handset.screen().selected == 1
    assert p.press("OK") == [Dial("2002")]
    # T9: 2-2-7 spells "Car"
    q = FakePhone()
    q.display.history = p.display.history
    q.sync()
    q.press("2", "2", "7")
    assert q.handset.screen().items == ["Carol"]
