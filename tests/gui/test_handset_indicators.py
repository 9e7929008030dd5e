"""The window's indicators and prompts, per skin: the power LED (ringing, voice mail, an unread
text message), DND on the line key, the forwarded-call prompt, error prompts without a title,
"Forbidden number!", "Call Finish" with its duration once, "Forward to" gone once talking, and
a phone without an account. Each asserts the screen data and what is painted, and saves a
screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.intents import SetForward
from app.phone.messages import AnswerCall, CallRedirected
from app.phone.settings import BlockOutRule, DialPlanSettings
from app.phone.sipuri import parse_contacts
from tests.gui.conftest import IDLE, assert_led
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui


def test_power_led_ringing_voice_mail_and_text(harness: Harness, screens_dir: Path) -> None:
    h = harness
    assert h.widget.screen_model().power_led() == ("off", "off") and not h.power_led_lit()
    h.ring_in("sip:1002@127.0.0.1", "Bob")
    assert h.screen.power_led() == ("red", "fast") and h.power_led_lit()
    assert_led(h, "L1", "green", "fast")  # the same rules light the line key
    h.shot(screens_dir, "60_power_led_ringing")
    h.click("F4")  # Reject
    assert h.screen.power_led() == ("off", "off") and not h.power_led_lit()
    h.phone.voice_mail_in(1, "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n")  # MWI
    h.press("X")  # the pop-up seen
    assert h.screen.power_led() == ("red", "slow") and h.power_led_lit()
    h.shot(screens_dir, "61_power_led_voice_mail")
    h.phone.voice_mail_in(1, "Messages-Waiting: no\r\nVoice-Message: 0/1\r\n")
    h.phone.message_in("sip:1002@127.0.0.1", "Lunch at 1?")
    h.refresh()
    assert h.screen.popup is not None and h.screen.popup.kind == "message"
    assert h.screen.power_led() == ("red", "slow") and h.power_led_lit()
    h.shot(screens_dir, "62_power_led_text_message")
    h.press("X")  # read
    assert h.screen.power_led() == ("off", "off") and not h.power_led_lit()


def test_dnd_changes_the_line_key_icon(harness: Harness, screens_dir: Path) -> None:
    h = harness
    assert h.screen.line_keys[0].icon == "registered"
    h.click("F3")  # DND
    h.expect("idle", IDLE)
    assert "dnd" in h.screen.status.icons and h.screen.line_keys[0].icon == "dnd"
    h.shot(screens_dir, "63_dnd_line_key")
    h.click("F3")
    assert h.screen.line_keys[0].icon == "registered"


def test_forwarded_call_prompt(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.phone.apply([SetForward("always", True, "2009")])
    h.ring_in("sip:1002@127.0.0.1", "Bob")
    answer = h.phone.last_command()
    assert isinstance(answer, AnswerCall) and answer.code == 302  # forwarded at once
    assert ("Contact", "<sip:2009@127.0.0.1>") in answer.headers
    popup = h.screen.popup
    assert popup is not None and (popup.title, popup.text) == (
        "Forwarded Calls",
        "1 New Forwarded Call(s)",
    )
    assert h.screen.softkeys == ["", "", "View", "Exit"]
    assert "Forwarded Calls" in h.drawn_texts()  # the title band
    h.shot(screens_dir, "64_forwarded_popup")
    h.click("F3")  # View
    h.expect("history", ["Send", "", "", "Back"], "History")
    assert h.screen.tabs[h.screen.tab] == "Forwarded Calls"


def test_error_prompt_without_title_and_forbidden_number(
    harness: Harness, screens_dir: Path
) -> None:
    h = harness
    h.phone.settings.dialplan = DialPlanSettings(block_out={1: BlockOutRule("4321")})
    h.phone.settings_changed()
    h.press("4", "3", "2", "1")
    h.click("F1")  # Send: a block-out rule refuses it
    popup = h.screen.popup
    assert popup is not None and (popup.title, popup.text) == ("", "Forbidden number!")
    assert "Warning" not in h.drawn_texts()
    h.shot(screens_dir, "65_forbidden_number")


def test_call_finish_shows_the_duration_once(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.press("1", "0", "0", "2", "OK")
    h.far_answers()
    h.advance(84)
    h.far_hangs_up()
    h.expect("finished", ["", "", "", "Cancel"], "Call Finish")
    assert h.screen.timer == "01:24"
    assert h.drawn_texts().count("01:24") == 1
    h.shot(screens_dir, "66_call_finish")


def test_forward_to_is_gone_once_talking(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.press("1", "0", "0", "2", "OK")
    h.far_rings()
    contacts = tuple(parse_contacts("<sip:carol@127.0.0.1>"))
    h.phone.feed(CallRedirected("o1", 302, "Moved Temporarily", contacts))
    h.sync()
    h.far_rings()
    h.expect("ringback", ["", "", "", "End Call"], "Ringing")
    assert h.screen.detail == "Forward to: carol"  # no "(Always)" after the name
    h.shot(screens_dir, "67_forward_to")
    h.far_answers()
    h.expect("talking", ["Transfer", "Hold", "Conference", "End Call"], "Talking")
    assert h.screen.detail == "" and not any("Forward to" in t for t in h.drawn_texts())


def test_no_account_leaves_line_key_1_blank(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.phone.settings.accounts.clear()
    h.phone.core.reconfigure_accounts(h.phone.settings)
    h.sync()
    # F3 is Accounts with no account (the first-start hint, docs/yealink.md §3)
    h.expect("idle", ["History", "Directory", "Accounts", "Menu"])
    key = h.screen.line_keys[0]
    assert (key.label, key.icon) == ("", "")
    assert (h.screen.status.account, h.screen.status.registration) == ("", "No Service")
    assert "DeskPhone" not in h.drawn_texts()
    assert_led(h, "L1", "off", "off")
    h.shot(screens_dir, "68_no_account")
