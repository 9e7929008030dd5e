"""The handset's screen data contract and catalog: JSON round trip, translation, a pure core, and
any key sequence keeping a valid screen (tests/gui/fake_phone)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone import texts
from app.phone.handset import KEYS
from app.phone.handset.screens import ScreenModel
from app.phone.model import CallState
from tests.gui.fake_phone import FakePhone

ROOT = Path(__file__).resolve().parents[2]


def test_screen_round_trips_through_json() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1", "Bob")
    p.error("x")
    s = p.handset.screen()
    back = ScreenModel.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s


def test_translator_changes_screen_words() -> None:
    p = FakePhone()
    try:
        texts.set_translator(lambda ctx, s: f"<{s}>" if ctx == texts.CONTEXT else s)
        assert p.handset.screen().softkeys[0] == "<History>"
    finally:
        texts.set_translator(lambda _c, s: s)
    assert "From FWD" in texts.catalog() and "{n} New Missed Call(s)" in texts.catalog()


def test_every_catalog_text_is_used() -> None:
    """The catalog holds what the handset shows, nothing else: each entry is read somewhere."""
    sources = "\n".join(
        f.read_text(encoding="utf-8")
        for folder in ("app", "ui")
        for f in (ROOT / folder).rglob("*.py")
        if f.name != "texts.py"
    )
    names = [k for k, v in vars(texts.T).items() if k.isupper() and isinstance(v, str)]
    unused = [n for n in names if not re.search(rf"\bT\.{n}\b", sources)]
    assert names and unused == []


def test_pure_core_imports_no_qt_or_pjsua2() -> None:
    bad = re.compile(r"^\s*(from|import)\s+(PySide6|pjsua2|sounddevice)", re.M)
    for path in (ROOT / "app" / "phone").rglob("*.py"):
        assert not bad.search(path.read_text()), path


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(KEYS)), max_size=40),
    st.sampled_from(list(CallState)),
    st.booleans(),
)
def test_any_key_sequence_keeps_a_valid_screen(
    keys: list[str], state: CallState, incoming: bool
) -> None:
    p = FakePhone()
    if incoming:
        p.ring_in("sip:1002@127.0.0.1")
        p.far(state)
    for key in keys:
        p.press(key)
        p.advance(0.5)
        s = p.handset.screen()
        assert len(s.softkeys) == 4 and len(s.line_keys) == 10
        json.dumps(s.to_dict())
        if s.name == "idle":
            assert s.softkeys == ["History", "Directory", "DND", "Menu"] or s.popup
