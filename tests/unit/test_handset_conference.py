"""The Conference screen and its Manage list (app/phone/handset/conference.py) on the real phone
core (app/phone/conference.py), down to the bridge commands the SIP side gets
(tests/gui/fake_phone)."""

from __future__ import annotations

from app.phone.intents import Conference, FarMute, Hold, Resume, SplitConference
from app.phone.messages import ConferenceCalls, Hangup, HoldCall
from app.phone.model import CallState
from tests.gui.fake_phone import FakePhone

CONFERENCE = ["Hold", "Manage", "Split", "End Call"]


def joined() -> FakePhone:
    """Bob (i1) answered, 1003 (o1) called with the Conference key, both joined."""
    p = FakePhone()
    p.ring_in("sip:1002@127.0.0.1", "Bob")
    p.press("OK", "F3")  # Answer; Conference: Bob held, dial the second party
    p.press("1", "0", "0", "3", "OK")
    p.far_answers()
    assert p.press("F3") == [Conference(("i1", "o1"))]
    return p


def test_joined_calls_show_the_conference_screen() -> None:
    p = joined()
    s = p.handset.screen()
    assert (s.name, s.title, s.softkeys) == ("conference", "Conference", CONFERENCE)
    assert s.items == ["Bob", "1003"] and s.values == ["", ""] and s.detail == ""
    assert s.led("L1") == ("green", "solid") and s.led("L2") == ("green", "solid")
    assert ConferenceCalls(("i1", "o1")) in p.commands  # the bridge, nobody far-muted
    assert {p.call("i1").state, p.call("o1").state} == {CallState.TALKING}


def test_hold_and_resume_the_whole_conference() -> None:
    p = joined()
    assert p.press("F1") == [Hold("i1"), Hold("o1")]
    s = p.handset.screen()
    assert (s.name, s.detail, s.softkeys[0]) == ("conference", "Hold", "Resume")
    assert p.press("HOLD") == [Resume("i1"), Resume("o1")]  # the hard key too
    assert {p.call("i1").state, p.call("o1").state} == {CallState.TALKING}
    assert p.handset.screen().softkeys == CONFERENCE


def test_manage_far_mutes_and_unmutes_a_party() -> None:
    p = joined()
    p.press("F2")
    s = p.handset.screen()
    assert (s.name, s.selected, s.softkeys) == ("manage", 0, ["Far Mute", "Remove", "", "Back"])
    p.press("DOWN")
    assert p.press("F1") == [FarMute("o1", True)]
    assert p.last_command() == ConferenceCalls(("i1", "o1"), ("o1",))
    assert p.handset.screen().values == ["", "Far Mute"]
    assert p.press("F1") == [FarMute("o1", False)]
    assert p.last_command() == ConferenceCalls(("i1", "o1"), ())
    assert p.handset.screen().values == ["", ""]
    p.press("X")  # back to the Conference screen
    assert p.handset.screen().name == "conference"


def test_remove_hangs_up_that_party_and_the_other_is_a_plain_call() -> None:
    p = joined()
    p.press("F2", "DOWN")
    p.press("F1")  # far mute 1003 first: leaving clears it
    assert p.press("F2") == [Hangup("o1")]
    assert ConferenceCalls((), ()) in p.commands
    s = p.handset.screen()
    assert (s.name, s.lines[0], s.detail) == ("talking", "Bob", "")  # no "Conference" left
    assert p.core.conference == () and p.core.far_muted == set()


def test_a_party_hanging_up_ends_the_conference_screen() -> None:
    p = joined()
    p.press("F2")  # on the Manage list when it happens
    p.far_hangs_up("i1")
    s = p.handset.screen()
    assert (s.name, s.lines[0]) == ("talking", "1003")


def test_three_parties_stay_joined_when_one_leaves() -> None:
    p = joined()
    p.ring_in("sip:1004@127.0.0.1", "Cy")  # call waiting during the conference
    p.press("OK")  # answering Cy (i2) holds the conference
    assert {p.call("i1").state, p.call("o1").state} == {CallState.HOLD}
    p.apply([Conference(("i1", "o1", "i2"))])  # as the core takes a join of three
    assert p.handset.screen().items == ["Bob", "1003", "Cy"]
    p.far_hangs_up("o1")
    assert p.core.conference == ("i1", "i2")
    assert p.last_command() == ConferenceCalls(("i1", "i2"), ())
    s = p.handset.screen()
    assert (s.name, s.items) == ("conference", ["Bob", "Cy"])


def test_split_leaves_each_call_on_hold() -> None:
    p = joined()
    assert p.press("F3") == [SplitConference()]
    tail = p.commands[-3:]
    assert tail == [ConferenceCalls((), ()), HoldCall("i1", True), HoldCall("o1", True)]
    assert {p.call("i1").state, p.call("o1").state} == {CallState.HOLD}
    s = p.handset.screen()
    assert s.name == "hold" and s.call_index in ("1/2", "2/2")
    assert s.softkeys == ["Transfer", "Resume", "New Call", "End Call"] and s.detail == ""


def test_end_call_ends_every_party() -> None:
    p = joined()
    assert p.press("F4") == [Hangup("i1"), Hangup("o1")]
    assert p.core.live_calls() == []
    assert p.handset.screen().name == "idle"
