"""Voice mail in the handset window, for each skin, with screenshots: the power LED flashing red,
the idle screen's voice mail icon with the count, the "New Voice Mail" pop-up, the Message menu,
the Voice Mail list and Set Voice Mail; everything clear again at 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.phone.messages import Dial
from app.phone.model import AccountView, RegState
from tests.gui.conftest import IDLE
from tests.gui.fake_phone import HOST, FakePhone
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui


def mwi(new: int, old: int) -> str:
    return f"Messages-Waiting: {'yes' if new else 'no'}\r\nVoice-Message: {new}/{old} (0/0)\r\n"


def power_led_lit(h: Harness) -> bool:
    """The power LED is painted lit red (the harness draws flashing LEDs lit)."""
    image = h.widget.grab().toImage()
    centre = h.widget.power_led_rect().center().toPoint()
    ratio = image.devicePixelRatio()
    c = image.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio))
    return c.red() > 180 and c.red() > c.green() + 60


def test_voice_mail_lamp_idle_pop_up_and_menu(qtbot: QtBot, skin: str, screens_dir: Path) -> None:
    phone = FakePhone(
        [
            AccountView(1, "Office", f"sip:1001@{HOST}", RegState.REGISTERED),
            AccountView(2, "Sales", f"sip:2001@{HOST}", RegState.REGISTERED),
        ]
    )
    phone.settings.accounts[0].voice_mail = "*97"
    h = Harness(qtbot, skin, phone)
    assert not power_led_lit(h)

    phone.voice_mail_in(1, mwi(2, 8))
    h.refresh()
    s = h.screen
    assert s.popup is not None and s.popup.title == "Voice Mail"
    assert s.popup.text == "2 New Voice Mail(s)" and s.softkeys == ["", "", "View", "Exit"]
    assert s.power_led() == ("red", "slow") and power_led_lit(h)
    h.shot(screens_dir, "vm_01_popup")

    h.press("F4")  # Exit: the idle screen keeps the icon and the count, the lamp flashes
    h.expect("idle", IDLE)
    assert "voice_mail" in h.screen.status.icons and h.screen.status.voice_mail == "2"
    assert power_led_lit(h)
    h.shot(screens_dir, "vm_02_idle_count")

    phone.voice_mail_in(2, mwi(1, 0))  # the other account too: the pop-up per account
    h.refresh()
    assert h.screen.popup is not None
    assert h.screen.popup.text == "3 New Voice Mail(s)\nOffice: 2\nSales: 1"
    h.shot(screens_dir, "vm_03_popup_two_accounts")
    h.press("X")

    h.press("MESSAGE")
    h.expect("menu", ["Back", "", "", "Enter"], "Message")
    assert h.screen.items == ["Voice Mail", "Text Message"]
    h.shot(screens_dir, "vm_04_message_menu")

    h.press("OK")
    h.expect("voice_mail", ["Back", "", "", "Connect"], "Voice Mail")
    assert (h.screen.items, h.screen.values) == (["Office", "Sales"], ["2/8", "1/0"])
    h.shot(screens_dir, "vm_05_voice_mail_list")

    h.press("DOWN", "F4")  # Sales has no number: Set Voice Mail asks for it
    h.expect("form", ["Back", "", "Delete", "Save"], "Set Voice Mail")  # a typed row
    h.press("*", "9", "8")
    assert h.screen.values == ["*98"]
    h.shot(screens_dir, "vm_06_set_voice_mail")
    h.press("F1")  # Back
    h.press("UP", "F4")  # Office: Connect dials *97 on its line
    assert phone.intents[-1] == Dial("*97", 1)
    h.far_hangs_up()
    h.advance(4)

    phone.voice_mail_in(1, mwi(0, 10))
    phone.voice_mail_in(2, mwi(0, 1))
    h.refresh()
    h.expect("idle", IDLE)
    assert "voice_mail" not in h.screen.status.icons and h.screen.popup is None
    assert h.screen.power_led() == ("off", "off") and not power_led_lit(h)
    h.shot(screens_dir, "vm_07_cleared")
