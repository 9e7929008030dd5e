"""Handset pop-ups, menus, lists and forms (app/phone/handset/navigation.py, menus.py), on the
real phone core (tests/gui/fake_phone)."""

from __future__ import annotations

from pathlib import Path

from app.phone.handset.flags import HistoryItem
from app.phone.intents import ClearMissed, OpenSettings, SetDnd, SetForward
from app.phone.messages import AnswerCall, Dial, PlaceCall, TransportInfo
from app.phone.settings import Settings
from tests.gui.fake_phone import FakePhone


def test_missed_calls_popup_cleared_with_x() -> None:
    p = FakePhone()
    p.display.missed = 2  # what the engine reads from the call history
    p.sync()
    s = p.handset.screen()
    assert s.popup is not None and s.popup.text == "2 New Missed Call(s)"
    assert s.softkeys == ["", "", "View", "Exit"]
    p.press("X")
    s = p.handset.screen()
    assert s.popup is None and s.softkeys[0] == "History"
    p.display.missed = 3
    p.sync()
    assert p.handset.screen().popup is not None  # a new missed call shows it again


def test_a_call_missed_for_real_raises_the_popup(tmp_path: Path) -> None:
    p = FakePhone(history_dir=tmp_path)
    p.ring_in("sip:1002@127.0.0.1", "Bob")
    p.far_hangs_up()  # CANCEL before anyone answered
    s = p.handset.screen()
    assert s.popup is not None and s.popup.text == "1 New Missed Call(s)"
    assert p.press("F3") == [ClearMissed()]  # View: the missed list, counter reset
    s = p.handset.screen()
    assert (s.name, s.tabs[s.tab], s.items) == ("history", "Missed Calls", ["Bob"])
    assert p.display.missed == 0 and p.history is not None
    assert p.history.history.missed_unviewed() == 0


def test_missed_popup_view_opens_missed_list() -> None:
    p = FakePhone()
    p.display.history = [
        HistoryItem("Bob", "1002", "missed", "11-21 14:01"),
        HistoryItem("Ann", "1003", "placed"),
    ]
    p.display.missed = 1
    p.sync()
    assert p.press("F3") == [ClearMissed()]
    s = p.handset.screen()
    assert (s.name, s.tab, s.items, s.values) == ("history", 1, ["Bob"], ["11-21 14:01"])
    assert s.tabs[1] == "Missed Calls"


def test_error_popup_overlays_call_screen() -> None:
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1")
    p.error("Network unavailable!")
    s = p.handset.screen()
    assert s.name == "incoming" and s.popup is not None
    assert s.popup.text == "Network unavailable!" and s.softkeys == ["", "", "", "OK"]
    p.press("F4")
    assert p.handset.screen().softkeys == ["Answer", "Forward", "Silence", "Reject"]


def test_message_popup_and_message_key_shows_it_again_under_text_message() -> None:
    p = FakePhone()
    p.message_in("sip:1002@127.0.0.1", "hi")  # a SIP MESSAGE, through the core
    popup = p.handset.screen().popup
    assert popup is not None and popup.kind == "message" and "hi" in popup.text
    assert "1002" in popup.text
    p.press("X")
    assert p.handset.screen().popup is None
    p.press("MESSAGE")  # the Message menu: Voice Mail, Text Message
    s = p.handset.screen()
    assert (s.name, s.title, s.items) == ("menu", "Message", ["Voice Mail", "Text Message"])
    p.press("DOWN", "OK")
    s = p.handset.screen()
    assert (s.name, s.title, s.items, s.values) == (
        "messages",
        "Text Message",
        ["1002@127.0.0.1"],
        ["hi"],
    )
    p.press("OK")  # shows it whole again
    popup = p.handset.screen().popup
    assert popup is not None and popup.kind == "message" and "hi" in popup.text
    p.press("X", "X")
    assert p.handset.screen().name == "menu"


def test_history_tabs_and_dial_from_list() -> None:
    p = FakePhone()
    p.display.history = [
        HistoryItem("Bob", "1002", "missed"),
        HistoryItem("Ann", "1003", "placed"),
        HistoryItem("Cy", "1004", "received"),
        HistoryItem("Di", "1005", "forwarded"),
    ]
    p.sync()
    p.press("F1")
    s = p.handset.screen()
    assert s.name == "history" and s.tabs == [
        "All Calls",
        "Missed Calls",
        "Placed Calls",
        "Received Calls",
        "Forwarded Calls",
    ]
    assert s.items == ["Bob", "Ann", "Cy", "Di"] and s.softkeys == ["Send", "", "", "Back"]
    p.press("LEFT")  # wraps to Forwarded
    assert p.handset.screen().items == ["Di"]
    p.press("RIGHT", "RIGHT", "RIGHT")  # Placed
    assert p.handset.screen().items == ["Ann"]
    assert p.handset.screen().rows == [0]  # history rows, for the window's call flow
    assert p.press("OK") == [Dial("1003")]
    assert p.handset.screen().name == "calling"


def test_a_history_list_names_its_call_history_rows() -> None:
    p = FakePhone()
    p.display.history = [
        HistoryItem("Bob", "1002", "missed", row=7),
        HistoryItem("Ann", "1003", "placed", row=5),
        HistoryItem("Cy", "1004", "missed", row=2),
    ]
    p.sync()
    p.press("F1", "DOWN")
    s = p.handset.screen()
    assert (s.rows, s.selected) == ([7, 5, 2], 1)  # Ctrl+F opens row 5's call flow
    p.press("RIGHT")  # Missed Calls
    assert p.handset.screen().rows == [7, 2]
    p.press("RIGHT")  # Placed, then Received: empty
    p.press("RIGHT")
    assert (p.handset.screen().rows, p.handset.screen().selected) == ([], -1)


def test_redial_opens_placed_list_then_dials() -> None:
    p = FakePhone()
    p.display.history = [HistoryItem("Ann", "1003", "placed")]
    p.sync()
    p.press("REDIAL")
    assert p.handset.screen().tab == 2
    assert p.press("REDIAL") == [Dial("1003")]


def test_directory_lists_contacts() -> None:
    p = FakePhone()
    p.display.directory = [("Alice", "2001"), ("Bob", "2002")]
    p.sync()
    p.press("F2", "DOWN")
    s = p.handset.screen()
    assert (s.name, s.title, s.items, s.selected) == (
        "directory",
        "Local Directory",
        ["Alice", "Bob"],
        1,
    )
    assert p.press("F1") == [Dial("2002")]


def test_dnd_soft_key() -> None:
    p = FakePhone()
    assert p.press("F3") == [SetDnd(True)]
    assert p.settings.dnd.enabled and "dnd" in p.handset.screen().status.icons
    p.ring_in("sip:1002@127.0.0.1")  # DND: the core refuses it, the handset stays idle
    assert p.last_command() == AnswerCall("i1", 480, "Do Not Disturb")
    assert p.handset.screen().name == "idle"
    assert p.press("F3") == [SetDnd(False)]
    assert "dnd" not in p.handset.screen().status.icons


def test_menu_top_level_is_the_t46g_one() -> None:
    """Basic and Advanced at the top with Status, Features, Directory, History and Message
    (docs/yealink.md §15), not under a Settings item."""
    p = FakePhone()
    p.press("F4")
    s = p.handset.screen()
    assert (s.name, s.title) == ("menu", "Menu")
    assert s.items == [
        "Status",
        "Features",
        "Directory",
        "History",
        "Message",
        "Basic",
        "Advanced",
    ]
    assert s.softkeys == ["Back", "", "", "Enter"]
    p.press("6")  # Basic
    assert p.handset.screen().items == ["Language", "Time & Date", "Ring Tones", "Volume"]
    p.press("X", "7")  # Advanced
    assert p.handset.screen().items == ["Accounts", "Network", "Action URI"]
    assert p.press("OK") == [OpenSettings("accounts")]


def test_menu_features_call_forward_form() -> None:
    p = FakePhone()
    p.press("F4", "DOWN", "OK")
    assert p.handset.screen().items[:2] == ["Call Forward", "DND"]
    p.press("OK")
    assert p.handset.screen().items == ["Always Forward", "Busy Forward", "No Answer Forward"]
    p.press("OK")
    s = p.handset.screen()
    assert (s.name, s.items) == ("form", ["Always Forward", "Forward to", "On Code", "Off Code"])
    assert s.values == ["Disabled", "", "", ""] and s.switches == [0]
    assert s.softkeys == ["Back", "", "Switch", "Save"]  # Switch on an Enabled/Disabled row
    p.press("RIGHT", "DOWN")
    assert p.handset.screen().softkeys == ["Back", "", "Delete", "Save"]  # a typed row
    p.type("2009")
    p.press("DOWN", "*", "7", "2", "DOWN", "*", "7", "3")
    assert p.handset.screen().values == ["Enabled", "2009", "*72", "*73"]
    assert p.press("F4") == [SetForward("always", True, "2009", None, "*72", "*73")]
    rule = p.settings.forward.phone.always
    assert (rule.enabled, rule.target, rule.on_code, rule.off_code) == (True, "2009", "*72", "*73")
    # switching it on dials the on code with the target to the server, as the phone does
    placed = [c for c in p.commands if isinstance(c, PlaceCall)]
    assert [c.uri for c in placed] == ["sip:*722009@127.0.0.1"]
    assert "forward" in p.handset.screen().status.icons


def test_forward_form_saved_without_codes_goes_back_to_the_menu() -> None:
    p = FakePhone()
    p.press("F4", "2", "1", "2", "RIGHT", "DOWN")  # Busy Forward
    p.type("2009")
    assert p.press("OK") == [SetForward("busy", True, "2009", None, "", "")]
    assert p.handset.screen().name == "menu"
    p.press("X", "X", "X")
    assert p.handset.screen().name == "idle"


def test_no_answer_ring_time_is_chosen_from_the_list() -> None:
    p = FakePhone()
    p.press("F4", "2", "1", "3")  # Features -> Call Forward -> No Answer Forward
    s = p.handset.screen()
    assert s.items == ["No Answer Forward", "Forward to", "After Ring Time", "On Code", "Off Code"]
    assert s.values[2] == "12s" and s.switches == [0, 2]  # 2 rings of 6 s, the default
    p.press("DOWN", "DOWN")
    assert p.handset.screen().softkeys == ["Back", "", "Switch", "Save"]
    p.press("5")  # typing does nothing on a list row
    assert p.handset.screen().values[2] == "12s"
    p.press("RIGHT", "RIGHT")
    assert p.handset.screen().values[2] == "24s"
    p.press("F3")  # Switch: the next one
    assert p.handset.screen().values[2] == "30s"
    p.press("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT")
    assert p.handset.screen().values[2] == "120s"  # wraps from 0s to the last, 20 rings
    p.press("UP", "UP", "RIGHT", "DOWN")
    p.type("2010")
    assert p.press("F4") == [SetForward("no_answer", True, "2010", 120, "", "")]
    assert p.settings.forward.phone.no_answer_rings == 20


def test_menu_dnd_form_and_settings_and_status() -> None:
    p = FakePhone()
    p.press("F4", "2", "2")  # Features -> DND by number
    s = p.handset.screen()
    assert (s.title, s.items, s.values) == ("DND", ["DND Status"], ["Disabled"])
    assert s.softkeys == ["Back", "", "Switch", "Save"]  # no Delete on a form with no text
    p.press("F3")
    assert p.press("OK") == [SetDnd(True)]
    p.press("X")  # Save left us in Features; X goes up to the main menu
    p.press("6", "1")  # Basic -> Language
    assert p.intents[-1] == OpenSettings("language")
    assert p.events[-1].kind == "open_settings" and p.events[-1].data == {"section": "language"}
    q = FakePhone()
    q.feed(TransportInfo(5062, 5060, "5062"))  # the asked port was taken
    q.press("OK")
    s = q.handset.screen()
    assert (s.name, s.items, s.values) == ("status", ["1001", "SIP Port"], ["Registered", "5062"])


def test_with_no_account_the_idle_screen_says_how_to_add_one() -> None:
    p = FakePhone()
    assert p.handset.screen().softkeys == ["History", "Directory", "DND", "Menu"]
    p.core.reconfigure_accounts(Settings())  # every account removed: the built-in one only
    p.sync()
    s = p.handset.screen()
    assert s.status.registration == "No Service"  # Yealink's word stays
    assert s.note == "No account yet: press Accounts to add one"
    assert s.softkeys == ["History", "Directory", "Accounts", "Menu"]
    assert p.press("F3") == [OpenSettings("accounts")]  # the dialog's Accounts tab
