"""What the handset shows besides the call screens: the power LED, the DND icon on Line keys,
the forwarded-call pop-up, an error prompt without a title and a phone without an account
(app/phone/handset/power_led.py, linekeys/line.py, state.py), on the real phone core
(tests/gui/fake_phone)."""

from __future__ import annotations

from app.phone.intents import ClearMissed, SetForward
from app.phone.messages import AnswerCall
from app.phone.model import AccountView, RegState
from tests.gui.fake_phone import FakePhone

OFF = ("off", "off")
RINGING = ("red", "fast")
WAITING = ("red", "slow")


def test_power_led_flashes_fast_while_a_call_rings_even_silenced() -> None:
    p = FakePhone()
    assert p.handset.screen().power_led() == OFF
    p.ring_in("sip:1002@127.0.0.1")
    assert p.handset.screen().power_led() == RINGING
    p.press("F3")  # Silence: the ringer stops, the call still rings on the line
    assert p.handset.screen().power_led() == RINGING
    p.press("OK")  # answered
    assert p.handset.screen().power_led() == OFF


def test_power_led_flashes_slowly_for_voice_mail_from_its_input() -> None:
    p = FakePhone()
    p.voice_mail_in(1, "Messages-Waiting: yes\r\nVoice-Message: 2/0\r\n")  # MWI
    p.press("X")  # the pop-up seen: the lamp goes on flashing
    assert p.handset.screen().power_led() == WAITING
    p.ring_in("sip:1002@127.0.0.1")
    assert p.handset.screen().power_led() == RINGING  # ringing wins
    p.press("X")  # Reject
    assert p.handset.screen().power_led() == WAITING
    p.voice_mail_in(1, "Messages-Waiting: no\r\nVoice-Message: 0/2\r\n")  # listened to
    assert p.handset.screen().power_led() == OFF


def test_power_led_flashes_slowly_until_a_text_message_is_read() -> None:
    p = FakePhone()
    p.message_in("sip:1002@127.0.0.1", "call me")
    s = p.handset.screen()
    assert s.popup is not None and s.power_led() == WAITING
    p.press("X")  # the pop-up showed the whole message: read
    assert p.handset.screen().power_led() == OFF
    p.ring_in("sip:1003@127.0.0.1")
    p.message_in("sip:1002@127.0.0.1", "again")  # arrives while ringing: no pop-up now
    p.press("X")  # reject the call
    s = p.handset.screen()
    assert s.popup is not None and s.power_led() == WAITING  # still unread
    p.press("F4")  # OK
    assert p.handset.screen().power_led() == OFF


def test_dnd_changes_the_line_keys_icon_too() -> None:
    p = FakePhone()
    assert p.handset.screen().line_keys[0].icon == "registered"
    p.press("F3")  # DND
    s = p.handset.screen()
    assert "dnd" in s.status.icons and s.line_keys[0].icon == "dnd"
    p.press("F3")
    assert p.handset.screen().line_keys[0].icon == "registered"


def test_dnd_per_account_changes_only_that_accounts_key() -> None:
    p = FakePhone(
        [
            AccountView(1, "A1", "sip:101@127.0.0.1", RegState.REGISTERED),
            AccountView(2, "A2", "sip:102@127.0.0.1", RegState.REGISTERED),
        ]
    )
    p.settings.dnd.per_account = True
    p.settings.accounts[1].dnd = True
    p.settings_changed()
    p.sync()
    keys = p.handset.screen().line_keys
    assert (keys[0].icon, keys[1].icon) == ("registered", "dnd")


def test_a_forwarded_call_raises_its_popup_and_view_opens_the_list() -> None:
    p = FakePhone()
    p.apply([SetForward("always", True, "2009")])
    p.ring_in("sip:1002@127.0.0.1", "Bob")  # forwarded at once with 302
    assert isinstance(p.last_command(), AnswerCall) and p.last_command().code == 302
    s = p.handset.screen()
    assert s.name == "idle" and s.popup is not None
    assert (s.popup.title, s.popup.text) == ("Forwarded Calls", "1 New Forwarded Call(s)")
    assert s.softkeys == ["", "", "View", "Exit"]
    p.ring_in("sip:1003@127.0.0.1")
    assert p.handset.screen().popup.text == "2 New Forwarded Call(s)"  # type: ignore[union-attr]
    assert p.press("F3") == []  # View: not the missed calls' counter
    s = p.handset.screen()
    assert (s.name, s.tabs[s.tab]) == ("history", "Forwarded Calls")
    p.press("X")
    assert p.handset.screen().popup is None
    p.ring_in("sip:1004@127.0.0.1")
    assert p.handset.screen().popup.text == "1 New Forwarded Call(s)"  # type: ignore[union-attr]
    assert ClearMissed() not in p.intents


def test_error_prompt_has_no_title() -> None:
    p = FakePhone()
    p.error("Network unavailable!")
    popup = p.handset.screen().popup
    assert popup is not None and (popup.title, popup.text) == ("", "Network unavailable!")


def test_without_an_account_line_key_1_is_blank() -> None:
    p = FakePhone()
    p.settings.accounts.clear()
    p.core.reconfigure_accounts(p.settings)  # only the built-in local account is left
    p.sync()
    s = p.handset.screen()
    key = s.line_keys[0]
    assert (key.label, key.icon, s.led("L1")) == ("", "", OFF)
    assert (s.status.account, s.status.registration) == ("", "No Service")
    assert p.press("L1") == []  # a blank key does nothing
    assert p.press("5")  # the keypad still opens the dial screen (direct IP calls)
    s = p.handset.screen()
    assert s.name == "dialing" and s.detail == "" and s.line_keys[0].label == ""
    p.press("X")
    p.press("F4", "1")  # Menu -> Status lists no account
    assert p.handset.screen().items == []
