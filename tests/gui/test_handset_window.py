"""The handset window driven through every handset screen, for each skin, with screenshots.

The window runs on the real phone core and the engine's Display; only the SIP side is scripted
(tests/gui/fake_phone.py answers the core's commands as pjsua2 would and plays the far end).
Each step asserts the soft key labels, the state text and the line key LED (both the LED the
screen asks for and the colour actually painted), then saves a screenshot.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.phone.handset.flags import HistoryItem
from app.phone.intents import Mute, SetDnd, SetForward
from app.phone.messages import AnswerCall, HangupCall, HoldCall, PlaceCall, TransportInfo
from tests.gui.conftest import IDLE, assert_led
from tests.gui.fake_phone import FakePhone
from tests.gui.harness import Harness

pytestmark = pytest.mark.gui

DIALING = ["Send", "IME", "Delete", "Cancel"]
TALKING = ["Transfer", "Hold", "Conference", "End Call"]


def test_idle_and_popups(qtbot: QtBot, skin: str, tmp_path: Path, screens_dir: Path) -> None:
    h = Harness(qtbot, skin, FakePhone(history_dir=tmp_path))
    h.expect("idle", IDLE)
    assert (h.screen.status.account, h.screen.status.registration) == ("1001", "Registered")
    assert_led(h, "L1", "off", "off")
    h.shot(screens_dir, "01_idle")
    for caller in ("1005", "1006"):  # two calls ring out: the far end CANCELs
        h.ring_in(f"sip:{caller}@127.0.0.1")
        h.far_hangs_up()
    # DND and forward as Action URI or the desktop's dialogs set them; mute from the core
    h.phone.apply([SetDnd(True), SetForward("always", True, "2009"), Mute(True)])
    h.refresh()
    assert h.screen.status.icons == ["dnd", "forward", "missed", "mute"]
    assert h.screen.popup is not None and h.screen.popup.text == "2 New Missed Call(s)"
    assert h.screen.softkeys == ["", "", "View", "Exit"]
    h.shot(screens_dir, "02_popup_missed")
    h.press("X")
    h.expect("idle", IDLE)
    assert h.screen.popup is None
    h.shot(screens_dir, "03_idle_icons")
    h.phone.error("Network unavailable!")
    h.refresh()
    assert h.screen.popup is not None and h.screen.popup.kind == "error"
    assert h.screen.softkeys == ["", "", "", "OK"]
    h.shot(screens_dir, "04_popup_error")
    h.press("X")
    assert h.screen.popup is None


def test_outgoing_call_screens(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.phone.display.directory = [("Alice Smith", "1002"), ("Bob Jones", "1020")]
    h.phone.display.history = [HistoryItem("Carol", "1003", "placed")]
    h.sync()
    h.press("1", "0")
    h.expect("dialing", DIALING, "Dial")
    assert h.screen.input == "10" and h.screen.items == ["Alice Smith", "Bob Jones", "Carol"]
    assert_led(h, "L1", "green", "solid")  # off hook: the line is seized
    h.shot(screens_dir, "05_dialing")
    h.press("0", "2", "OK")
    assert h.phone.last_command() == PlaceCall("o1", 1, "sip:1002@127.0.0.1")
    h.expect("calling", ["", "", "", "End Call"], "Connecting...")
    assert_led(h, "L1", "green", "solid")
    h.shot(screens_dir, "06_calling")
    h.far_rings(180)
    h.expect("ringback", ["", "", "", "End Call"], "Ringing")
    assert h.screen.lines[0] == "1002"
    assert_led(h, "L1", "green", "solid")
    h.shot(screens_dir, "07_ringback")
    h.far_answers()
    h.advance(83)
    h.expect("talking", TALKING, "Talking")
    assert h.screen.timer == "01:23"
    assert_led(h, "L1", "green", "solid")
    h.shot(screens_dir, "08_talking")
    h.press("HOLD")
    assert h.phone.last_command() == HoldCall("o1", True)
    h.expect("hold", ["Transfer", "Resume", "New Call", "End Call"], "Hold")
    assert_led(h, "L1", "green", "slow")
    h.shot(screens_dir, "09_hold")
    h.press("F2")
    assert h.phone.last_command() == HoldCall("o1", False)
    h.far_holds()  # the peer's re-INVITE with a=sendonly
    h.expect("held", ["Transfer", "Hold", "", "End Call"], "Held")
    assert_led(h, "L1", "green", "slow")
    h.shot(screens_dir, "10_held")
    h.far_holds(False)
    h.expect("talking", TALKING, "Talking")
    h.press("F1")  # Transfer: the call goes on hold, the dial screen asks for the target
    h.expect("dialing", ["B Transfer", "IME", "Delete", "Cancel"], "Transfer")
    h.shot(screens_dir, "11_transfer_dialing")
    h.press("1", "0", "0", "9", "OK")
    assert h.phone.last_command() == PlaceCall("o2", 1, "sip:1009@127.0.0.1")
    h.far_answers()
    h.expect("talking", TALKING, "Talking")  # the consultation call: Transfer completes it
    assert h.screen.call_index == "2/2"
    assert_led(h, "L1", "green", "slow")
    assert_led(h, "L2", "green", "solid")
    h.shot(screens_dir, "12_two_calls")
    h.press("F4")  # end the consultation, back to the held call
    h.expect("hold", ["Transfer", "Resume", "New Call", "End Call"], "Hold")
    h.press("F2")
    h.advance(1)
    h.far_hangs_up()  # BYE from the far end
    h.expect("finished", ["", "", "", "Cancel"], "Call Finish")
    assert (h.screen.detail, h.screen.timer) == ("", "01:24")  # title once, then duration
    assert_led(h, "L1", "off", "off")
    h.shot(screens_dir, "13_finished")
    h.advance(4)
    h.expect("idle", IDLE)


def test_incoming_and_failed_screens(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.ring_in("sip:1005@127.0.0.1", "Eve Adams", diverted_by="sip:1009@127.0.0.1")
    assert h.phone.last_command() == AnswerCall("i1", 180)
    h.expect("incoming", ["Answer", "Forward", "Silence", "Reject"], "Incoming call")
    assert h.screen.lines == ["Eve Adams", "1005@127.0.0.1", "From FWD 1009@127.0.0.1"]
    assert_led(h, "L1", "green", "fast")
    h.shot(screens_dir, "14_incoming_from_fwd")
    h.press("F2")
    h.expect("dialing", DIALING, "Forward to")
    h.shot(screens_dir, "15_forward_to")
    h.press("X")
    h.press("F4")  # Reject
    assert h.phone.last_command() == HangupCall("i1", 486)
    h.expect("idle", IDLE)
    h.press("1", "0", "0", "4", "#")
    h.far_fails(486, "Busy Here")
    h.expect("failed", ["", "", "", "End Call"], "Call failed!")
    assert h.screen.detail == "Busy here!"
    h.shot(screens_dir, "16_failed_busy")
    h.press("X")
    h.expect("idle", IDLE)
    h.press("1", "0", "0", "5", "#")
    h.far_fails(404, "Not Found")
    assert h.screen.detail == "Not found!"
    h.shot(screens_dir, "17_failed_not_found")


def test_menu_screens(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.phone.display.history = [
        HistoryItem("Bob Jones", "1020", "missed", "14:01"),
        HistoryItem("Carol", "1003", "placed", "13:40"),
        HistoryItem("Dan", "1004", "received", "12:12"),
        HistoryItem("Erin", "1006", "forwarded", "11:05"),
    ]
    h.phone.display.directory = [("Alice Smith", "1002"), ("Bob Jones", "1020")]
    h.phone.feed(TransportInfo(5062, 5060, "5062 (5060 in use)"))
    h.sync()
    h.press("F1")
    h.expect("history", ["Send", "", "", "Back"], "History")
    assert h.screen.tabs[h.screen.tab] == "All Calls" and len(h.screen.items) == 4
    h.shot(screens_dir, "18_history_all")
    h.press("RIGHT")
    assert h.screen.tabs[h.screen.tab] == "Missed Calls" and h.screen.items == ["Bob Jones"]
    h.shot(screens_dir, "19_history_missed")
    h.press("RIGHT", "RIGHT", "RIGHT")
    assert h.screen.tabs[h.screen.tab] == "Forwarded Calls" and h.screen.items == ["Erin"]
    h.press("X", "F2")
    h.expect("directory", ["Send", "", "", "Back"], "Local Directory")
    h.shot(screens_dir, "20_directory")
    h.press("X", "F4")
    h.expect("menu", ["Back", "", "", "Enter"], "Menu")
    # the T46G's top level (docs/yealink.md §15), on both skins
    assert h.screen.items == [
        "Status",
        "Features",
        "Directory",
        "History",
        "Message",
        "Basic",
        "Advanced",
    ]
    h.shot(screens_dir, "21_menu")
    h.press("DOWN", "OK")
    h.expect("menu", ["Back", "", "", "Enter"], "Features")
    h.shot(screens_dir, "22_features")
    h.press("OK")
    assert h.screen.title == "Call Forward"
    h.press("OK", "RIGHT", "DOWN")
    h.widget.textTyped.emit("2009")
    h.expect("form", ["Back", "", "Delete", "Save"], "Always Forward")
    assert h.screen.items == ["Always Forward", "Forward to", "On Code", "Off Code"]
    assert h.screen.values == ["Enabled", "2009", "", ""]
    h.shot(screens_dir, "23_call_forward")
    h.press("X", "X", "X", "DOWN", "DOWN", "DOWN", "DOWN", "OK")  # Features -> Basic
    h.expect("menu", ["Back", "", "", "Enter"], "Basic")
    h.shot(screens_dir, "24_basic")
    h.press("X", "X", "OK")
    h.expect("status", ["Back", "", "", ""], "Status")
    assert h.screen.values == ["Registered", "5062 (5060 in use)"]
    h.shot(screens_dir, "25_status")


@pytest.mark.parametrize("percent", [60, 100, 200])
def test_resize_keeps_layout(harness: Harness, screens_dir: Path, percent: int) -> None:
    h = harness
    h.ring_in("sip:1005@127.0.0.1", "Eve Adams")
    base_key = h.widget.key_rect("5")
    base_display = h.widget.display_rect()
    w, hh = h.widget.skin().size
    k = percent / 100
    h.widget.resize(round(w * k), round(hh * k))
    h.qtbot.waitUntil(lambda: h.widget.width() == round(w * k))
    assert h.widget.scale() == pytest.approx(k, rel=0.01)
    key, disp = h.widget.key_rect("5"), h.widget.display_rect()
    assert key.width() == pytest.approx(base_key.width() * k, rel=0.01)
    assert disp.width() / disp.height() == pytest.approx(480 / 272, rel=0.01)
    assert disp.x() == pytest.approx(base_display.x() * k, rel=0.01)
    for name in ("L1", "L10", "F4", "OK", "X", "#", "SPEAKER", "VOL+"):
        assert h.widget.rect().contains(h.widget.key_rect(name).toRect()), name
    assert h.led_lit("L1")
    image = h.widget.grab()
    assert (image.width(), image.height()) == (h.widget.width(), h.widget.height())
    h.shot(screens_dir, f"26_size_{percent}")
    # a non-proportional window keeps the faceplate's proportions, centred
    h.widget.resize(round(w * k * 1.5), round(hh * k))
    h.qtbot.waitUntil(lambda: h.widget.width() == round(w * k * 1.5))
    assert h.widget.scale() == pytest.approx(k, rel=0.01)
