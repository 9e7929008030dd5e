"""The handset as one piece: its idle screen, status bar and when it may rest, driven through
its keys on the real phone core with a scripted SIP side (tests/gui/fake_phone)."""

from __future__ import annotations

from app.phone.intents import SetDnd, SetForward
from tests.gui.fake_phone import FakePhone

SOFT_IDLE = ["History", "Directory", "DND", "Menu"]


def test_idle_screen_shows_account_registration_and_default_soft_keys() -> None:
    p = FakePhone()
    s = p.handset.screen()
    assert s.name == "idle"
    assert s.softkeys == SOFT_IDLE
    assert (s.status.account, s.status.registration) == ("1001", "Registered")
    assert (s.status.time, s.status.date) == ("14:05", "Sat Nov 21")
    assert s.line_keys[0].label == "1001" and s.line_keys[0].icon == "registered"
    assert s.led("L1") == ("off", "off")
    assert len(s.line_keys) == 10


def test_status_icons_follow_flags() -> None:
    p = FakePhone()
    p.apply([SetDnd(True), SetForward("always", True, "2009")])
    p.display.missed = 3
    p.settings.accounts[0].auto_answer = True
    p.settings_changed()
    p.sync()
    assert p.handset.screen().status.icons == ["dnd", "forward", "missed", "auto_answer"]


def test_the_handset_rests_only_when_nothing_but_the_clock_changes() -> None:
    """The engine waits longer between turns while resting (app/engine/runtime.py)."""
    p = FakePhone()
    assert p.handset.resting()
    p.press("1")
    assert not p.handset.resting()  # the dial screen auto-dials after the inter-digit wait
    p.press("X")
    assert p.handset.resting()
    p.ring_in("sip:1002@127.0.0.1")
    p.press("OK")
    p.far_hangs_up()
    assert not p.handset.resting()  # "Call Finish" clears itself
    p.advance(4)
    assert p.handset.screen().name == "idle" and p.handset.resting()
