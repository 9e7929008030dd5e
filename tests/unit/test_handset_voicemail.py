"""Voice mail on the handset: the status bar's count, the pop-up, the lamp, the Message menu's
Voice Mail list with Connect, and Set Voice Mail when no number is set (docs/yealink.md §16)."""

from __future__ import annotations

from app.phone.intents import SetVoiceMail
from app.phone.messages import Dial
from app.phone.model import AccountView, CallState, RegState
from tests.gui.fake_phone import HOST, FakePhone


def mwi(new: int, old: int) -> str:
    waiting = "yes" if new else "no"
    return f"Messages-Waiting: {waiting}\r\nVoice-Message: {new}/{old} (0/0)\r\n"


def two_accounts() -> FakePhone:
    return FakePhone(
        [
            AccountView(1, "Office", f"sip:1001@{HOST}", RegState.REGISTERED),
            AccountView(2, "Sales", f"sip:2001@{HOST}", RegState.REGISTERED),
        ]
    )


def test_counts_up_down_and_to_zero_on_the_idle_screen_lamp_and_pop_up() -> None:
    p = FakePhone()
    s = p.handset.screen()
    assert "voice_mail" not in s.status.icons and s.power_led() == ("off", "off")

    p.voice_mail_in(1, mwi(2, 8))
    s = p.handset.screen()
    assert "voice_mail" in s.status.icons and s.status.voice_mail == "2"
    assert s.power_led() == ("red", "slow")  # the power LED flashes slowly (UG-T46G)
    assert s.popup is not None and s.popup.kind == "voice_mail"
    assert (s.popup.title, s.popup.text) == ("Voice Mail", "2 New Voice Mail(s)")
    assert s.softkeys == ["", "", "View", "Exit"]
    p.press("F4")  # Exit
    assert p.handset.screen().popup is None

    p.voice_mail_in(1, mwi(3, 8))  # one more: the pop-up again
    s = p.handset.screen()
    assert s.popup is not None and s.popup.text == "3 New Voice Mail(s)"
    p.press("X")
    p.voice_mail_in(1, mwi(1, 10))  # fewer: no pop-up, the count follows
    s = p.handset.screen()
    assert s.popup is None and s.status.voice_mail == "1" and s.power_led() == ("red", "slow")

    p.voice_mail_in(1, mwi(0, 11))  # none left: everything clears
    s = p.handset.screen()
    assert "voice_mail" not in s.status.icons and s.status.voice_mail == "0"
    assert s.power_led() == ("off", "off") and s.popup is None


def test_view_lists_the_accounts_and_connect_dials_the_voice_mail_number() -> None:
    p = two_accounts()
    p.settings.accounts[0].voice_mail = "*97"
    p.voice_mail_in(2, mwi(1, 4))
    p.voice_mail_in(1, mwi(2, 8))
    s = p.handset.screen()
    assert s.popup is not None
    assert s.popup.text == "3 New Voice Mail(s)\nOffice: 2\nSales: 1"  # per account
    p.press("F3")  # View
    s = p.handset.screen()
    assert (s.name, s.title, s.items, s.values) == (
        "voice_mail",
        "Voice Mail",
        ["Office", "Sales"],
        ["2/8", "1/4"],
    )
    assert s.softkeys == ["Back", "", "", "Connect"] and s.selected == 0
    assert p.press("F4") == [Dial("*97", 1)]  # Connect, on the account's own line
    assert p.handset.screen().name == "calling"
    assert [(c.account, c.uri) for c in p.commands if hasattr(c, "uri")] == [(1, f"sip:*97@{HOST}")]


def test_connect_without_a_number_asks_for_it_saves_it_and_dials() -> None:
    p = two_accounts()
    p.voice_mail_in(2, mwi(1, 0))
    p.press("X", "MESSAGE", "OK")  # Message -> Voice Mail
    s = p.handset.screen()
    assert s.name == "voice_mail" and s.selected == 1  # the account with new voice mail
    p.press("F4")  # Connect: Sales has no number yet
    s = p.handset.screen()
    assert (s.name, s.title, s.items, s.values) == ("form", "Set Voice Mail", ["Sales"], [""])
    p.press("X")  # Back: the list again, nothing saved
    assert p.handset.screen().name == "voice_mail"
    p.press("OK")
    p.press("*", "9", "8")
    out = p.press("F4")  # Save
    assert out == [SetVoiceMail(2, "*98"), Dial("*98", 2)]
    assert p.settings.accounts[1].voice_mail == "*98"  # kept (voice_mail.number.2)
    assert p.handset.screen().name == "calling"


def test_huge_counts_unknown_counts_and_hidden_accounts() -> None:
    p = two_accounts()
    p.voice_mail_in(1, mwi(99999, 99999))
    s = p.handset.screen()
    assert s.status.voice_mail == "99+" and s.popup is not None
    assert s.popup.text == "99999 New Voice Mail(s)"
    p.press("F3")
    assert p.handset.screen().values == ["99999/99999", "0/0"]

    p.settings.accounts[0].display_mwi = False  # Office's count is not shown anywhere
    p.voice_mail_in(2, "Messages-Waiting: yes\r\n")  # Sales: waiting, no count
    p.sync()
    s = p.handset.screen()
    assert s.values == ["", "?/0"] and s.status.voice_mail == ""
    assert "voice_mail" in s.status.icons and s.power_led() == ("red", "slow")
    assert s.popup is not None and s.popup.text == "New Voice Mail"


def test_pop_up_and_lamp_switches() -> None:
    p = FakePhone()
    p.settings.features.voice_mail_popup = False
    p.settings.features.mail_power_led = False
    p.voice_mail_in(1, mwi(4, 0))
    s = p.handset.screen()
    assert s.popup is None and s.power_led() == ("off", "off") and s.status.voice_mail == "4"


def test_message_key_and_back() -> None:
    p = FakePhone()
    p.press("MESSAGE")
    assert p.handset.screen().title == "Message"
    p.press("OK")  # Voice Mail
    assert p.handset.screen().values == ["0/0"]
    p.press("X")
    assert p.handset.screen().name == "menu"
    p.press("X")
    assert p.handset.screen().name == "idle"
    p.ring_in("sip:1003@127.0.0.1")  # in a call the MESSAGE key leaves the call screen
    p.press("MESSAGE")
    s = p.handset.screen()
    assert s.name == "incoming" and p.core.calls[next(iter(p.core.calls))].state == CallState.CALLIN


def test_menu_message_voice_mail() -> None:
    p = FakePhone()
    p.voice_mail_in(1, mwi(1, 2))
    p.press("X", "F4")  # Menu
    assert p.handset.screen().items[4] == "Message"
    p.press("5", "1")  # Message -> Voice Mail
    s = p.handset.screen()
    assert (s.name, s.values) == ("voice_mail", ["1/2"])
    p.press("X")
    assert p.handset.screen().title == "Message"
