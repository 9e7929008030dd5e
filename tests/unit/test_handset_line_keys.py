"""Line keys (app/phone/handset/linekeys/): the default keys, pages, LEDs and presses, and the
type table with a key list given, on the real phone core (tests/gui/fake_phone)."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone.handset import KEYS, LineKey
from app.phone.handset.linekeys.config import LINE, NA
from app.phone.handset.linekeys.table import TYPES, type_of
from app.phone.intents import NewCall, OffHook, Swap
from app.phone.messages import Answer
from app.phone.model import AccountView, CallState, RegState
from app.phone.settings.linekeys import KNOWN_TYPES
from tests.gui.fake_phone import FakePhone

BLF_LIST = 39  # a Yealink type the table has no row for


def three_accounts() -> list[AccountView]:
    return [
        AccountView(i, f"A{i}", f"sip:{100 + i}@127.0.0.1", RegState.REGISTERED) for i in (1, 2, 3)
    ]


def with_keys(p: FakePhone, *keys: LineKey) -> FakePhone:
    """The key list as the engine will pass it once the linekey.X.* settings exist."""
    flags = p.display.flags
    p.display.flags = lambda: replace(flags(), line_keys=tuple(keys))  # type: ignore[method-assign]
    p.sync()
    return p


def test_line_key_answers_and_opens_dialing() -> None:
    p = FakePhone()
    assert p.press("L1") == [OffHook(1)]
    assert p.handset.screen().name == "dialing"
    p.press("X")
    p.ring_in("sip:1002@127.0.0.1")
    assert p.press("L1") == [Answer("i1")]


def test_line_key_pages() -> None:
    accounts = [
        AccountView(i, f"A{i}", f"sip:{i}@127.0.0.1", RegState.REGISTERED) for i in range(12)
    ]
    p = FakePhone(accounts)
    s = p.handset.screen()
    assert (s.line_page, s.line_pages) == (1, 2)
    assert s.line_keys[9].label == "1/2" and s.line_keys[8].label == "A8"
    p.press("L10")
    s = p.handset.screen()
    assert s.line_page == 2 and [k.label for k in s.line_keys[:3]] == ["A9", "A10", "A11"]


def test_page_key_flashes_for_a_call_on_another_page() -> None:
    accounts = [
        AccountView(i, f"A{i}", f"sip:{i}@127.0.0.1", RegState.REGISTERED) for i in range(12)
    ]
    p = FakePhone(accounts)
    p.ring_in("sip:9@127.0.0.1", account=12)  # rings on A11, on page 2
    assert p.handset.screen().line_page == 1
    assert p.handset.screen().led("L10") == ("green", "fast")


def test_registration_failed_words() -> None:
    p = FakePhone([AccountView(1, "Office", "sip:1@127.0.0.1", RegState.FAILED, 403)])
    s = p.handset.screen()
    assert s.status.registration == "Register failed!" and s.line_keys[0].icon == "failed"


def test_the_table_has_a_row_for_each_type_in_use_and_unknown_types_are_empty() -> None:
    assert sorted(TYPES) == [0, 2, 5, 9, 10, 12, 13, 14, 15, 16, 23, 56]
    # the settings' list of supported types (import warnings, the dialog) is the table's
    assert {n: t.name for n, t in TYPES.items()} == KNOWN_TYPES
    assert (type_of(NA).name, type_of(LINE).name) == ("N/A", "Line")
    assert type_of(BLF_LIST) is type_of(NA)
    assert type_of(LINE).holds_calls and not type_of(NA).holds_calls


def test_a_key_list_places_lines_and_empty_keys() -> None:
    p = with_keys(
        FakePhone(three_accounts()),
        LineKey(LINE, 1),
        LineKey(NA),
        LineKey(LINE, 3, label="Sales"),
        LineKey(BLF_LIST, 1, value="1005", label="Bob"),
    )
    s = p.handset.screen()
    assert [(k.key, k.label, k.icon) for k in s.line_keys[:5]] == [
        ("L1", "A1", "registered"),
        ("L2", "", ""),
        ("L3", "Sales", "registered"),
        ("L4", "", ""),  # no BLF List row: drawn as an empty key
        ("L5", "", ""),
    ]
    assert (s.line_page, s.line_pages, len(s.line_keys)) == (1, 1, 10)
    assert p.press("L2") == [] and p.press("L4") == []
    assert p.handset.screen().name == "idle"
    assert p.press("L3") == [OffHook(3)]
    s = p.handset.screen()
    assert (s.name, s.detail) == ("dialing", "A3")
    assert s.led("L3") == ("green", "solid") and s.led("L1") == ("off", "off")


def test_calls_sit_on_their_accounts_keys() -> None:
    p = with_keys(
        FakePhone(three_accounts()),
        LineKey(LINE, 2),
        LineKey(NA),
        LineKey(LINE, 1),
        LineKey(LINE, 1, label="A1 second"),
    )
    p.ring_in("sip:2001@127.0.0.1", account=1)
    s = p.handset.screen()
    assert s.led("L3") == ("green", "fast") and s.line_keys[2].icon == "ringing"
    assert s.led("L1") == ("off", "off") and s.led("L2") == ("off", "off")
    assert p.press("L3") == [Answer("i1")]
    p.press("HOLD")
    p.ring_in("sip:2002@127.0.0.1", account=1)
    s = p.handset.screen()
    assert s.led("L3") == ("green", "slow") and s.led("L4") == ("green", "fast")
    assert s.line_keys[3].label == "A1 second"
    assert p.press("L4") == [Answer("i2")]
    assert p.press("L3") == [Swap("i1")]
    p.ring_in("sip:2003@127.0.0.1", account=2)
    assert p.handset.screen().led("L1") == ("green", "fast")


def test_a_third_call_on_a_busy_account_gets_a_key_after_the_list() -> None:
    p = with_keys(FakePhone(three_accounts()), LineKey(LINE, 1), LineKey(NA))
    p.ring_in("sip:2001@127.0.0.1", account=1)
    p.press("OK", "HOLD")
    assert p.press("L2") == []  # the empty key takes no call
    p.ring_in("sip:2002@127.0.0.1", account=1)
    s = p.handset.screen()
    assert [(k.label, k.icon) for k in s.line_keys[:3]] == [
        ("A1", "hold"),
        ("", ""),
        ("A1", "ringing"),
    ]
    assert s.led("L3") == ("green", "fast")


def test_a_line_key_on_the_second_page_seizes_its_own_account() -> None:
    accounts = [
        AccountView(i, f"A{i}", f"sip:{i}@127.0.0.1", RegState.REGISTERED) for i in range(12)
    ]
    p = FakePhone(accounts)
    p.press("L10")
    s = p.handset.screen()
    assert s.line_page == 2 and s.line_keys[0].label == "A9"
    assert p.press("L1") == [OffHook(10)]  # the 10th account: the key shows A9
    s = p.handset.screen()
    assert (s.name, s.detail, s.led("L1")) == ("dialing", "A9", ("green", "solid"))
    p.press("X")
    assert p.press("L5") == []  # a blank key on the last page
    assert p.handset.screen().name == "idle"


def test_a_line_key_in_a_call_holds_it_for_a_new_call() -> None:
    p = FakePhone(three_accounts())
    p.ring_in("sip:2001@127.0.0.1", account=1)
    p.press("OK")
    assert p.handset.screen().led("L1") == ("green", "solid")
    assert p.press("L2") == [NewCall()]
    s = p.handset.screen()
    assert (s.name, s.detail) == ("dialing", "A2")
    assert (s.line_keys[0].icon, s.led("L1")) == ("hold", ("green", "slow"))
    assert s.led("L2") == ("off", "off")  # a second line is seized only with no call at all
    assert p.core.calls["i1"].state == CallState.HOLD


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            LineKey,
            st.sampled_from([*sorted(TYPES), 99]),
            st.integers(0, 4),
            value=st.sampled_from(["", "1005", "*8"]),
            label=st.sampled_from(["", "Key"]),
        ),
        max_size=30,
    ),
    st.lists(st.sampled_from(sorted(KEYS)), max_size=30),
    st.booleans(),
)
def test_any_key_list_keeps_a_valid_screen(
    config: list[LineKey], keys: list[str], incoming: bool
) -> None:
    p = with_keys(FakePhone(three_accounts()), *config)
    if incoming:
        p.ring_in("sip:2001@127.0.0.1", account=2)
    for key in keys:
        p.press(key)
        p.advance(0.5)
        s = p.handset.screen()
        assert len(s.line_keys) == 10 and [k.key for k in s.line_keys] == [
            f"L{n}" for n in range(1, 11)
        ]
        assert 1 <= s.line_page <= s.line_pages <= 3
        json.dumps(s.to_dict())
