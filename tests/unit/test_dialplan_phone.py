"""The dial plan on the phone: keys typed on the handset, through the real core (FakePhone),
to the request URI the SIP side is told to call."""

from __future__ import annotations

from app.phone.messages import Dial, Hangup, PlaceCall
from app.phone.model import AccountView, RegState
from app.phone.settings import (
    AreaCode,
    BlockOutRule,
    DialNowRule,
    DialPlanSettings,
    ReplaceRule,
)
from tests.gui.fake_phone import HOST, FakePhone


def phone(plan: DialPlanSettings, accounts: list[AccountView] | None = None) -> FakePhone:
    p = FakePhone(accounts)
    p.settings.dialplan = plan
    p.settings_changed()
    p.sync()
    return p


def placed(p: FakePhone) -> list[PlaceCall]:
    return [c for c in p.commands if isinstance(c, PlaceCall)]


def test_replace_rule_changes_the_request_uri_not_what_was_typed() -> None:
    p = phone(DialPlanSettings(replace={1: ReplaceRule("001(xxx)45(xx)", "9001$145$2")}))
    p.press(*"0012354599", "F1")
    assert Dial("0012354599") in p.intents
    assert [c.uri for c in placed(p)] == [f"sip:90012354599@{HOST}"]
    assert p.last().remote_uri == f"sip:90012354599@{HOST}"
    assert p.core.last_dialed == "0012354599"  # redial goes through the plan again


def test_replace_applies_to_numbers_not_to_uris() -> None:
    p = phone(DialPlanSettings(replace={1: ReplaceRule("1.", "999")}))
    p.type("sip:1234@example.org")
    p.press("OK")
    p.press("X")
    p.advance(5)
    p.type("1234@example.org")
    p.press("OK")
    p.press("X")
    p.advance(5)
    p.type("1234")
    p.press("OK")
    assert [c.uri for c in placed(p)] == [
        "sip:1234@example.org",
        "sip:1234@example.org",
        f"sip:999@{HOST}",
    ]


def test_line_id_uses_the_line_key_account() -> None:
    accounts = [
        AccountView(1, "1001", f"sip:1001@{HOST}", RegState.REGISTERED),
        AccountView(2, "2002", f"sip:2002@{HOST}", RegState.REGISTERED),
    ]
    plan = DialPlanSettings(replace={1: ReplaceRule("1", "200", [2])})
    p = phone(plan, accounts)
    p.press("1", "F1")
    assert placed(p)[-1].uri == f"sip:1@{HOST}"  # account 1: the rule is account 2's
    p.press("X")
    p.advance(5)
    p.press("L2", "1", "F1")
    assert placed(p)[-1].account == 2
    assert placed(p)[-1].uri == f"sip:200@{HOST}"


def test_area_code_is_prepended_by_length() -> None:
    p = phone(DialPlanSettings(area_code=AreaCode("011", 4, 11)))
    p.press(*"56789", "F1")
    assert placed(p)[-1].uri == f"sip:01156789@{HOST}"
    p.press("X")
    p.advance(5)
    p.press(*"123", "F1")
    assert placed(p)[-1].uri == f"sip:123@{HOST}"


def test_block_out_refuses_with_forbidden_number_and_no_invite() -> None:
    p = phone(DialPlanSettings(block_out={1: BlockOutRule("4321")}))
    p.press(*"4321", "F1")
    assert Dial("4321") in p.intents
    assert placed(p) == []
    assert p.core.calls == {}
    popup = p.handset.screen().popup
    assert popup is not None and popup.text == "Forbidden number!"
    p.advance(4)
    assert p.handset.screen().name == "idle"


def test_block_out_also_stops_a_replacement_that_dials_a_blocked_number() -> None:
    plan = DialPlanSettings(
        replace={1: ReplaceRule("9", "4321")}, block_out={1: BlockOutRule("43.")}
    )
    p = phone(plan)
    p.press("9", "F1")
    assert placed(p) == []


def test_dial_now_dials_after_its_delay_without_send() -> None:
    p = phone(DialPlanSettings(dialnow={1: DialNowRule("1xxx")}, dialnow_delay=1))
    p.press("1", "2", "3")
    p.advance(2.0)
    assert not any(isinstance(i, Dial) for i in p.intents)  # "123" is no full match yet
    p.press("4")
    p.advance(0.5)
    assert not any(isinstance(i, Dial) for i in p.intents)  # the delay runs from the last key
    p.advance(1.0)
    assert Dial("1234") in p.intents
    assert placed(p)[-1].uri == f"sip:1234@{HOST}"


def test_dial_now_with_zero_delay_dials_on_the_key() -> None:
    p = phone(DialPlanSettings(dialnow={1: DialNowRule("11[2,7]")}, dialnow_delay=0))
    out = p.press("1", "1", "2")
    assert Dial("112") in out
    assert placed(p)[-1].uri == f"sip:112@{HOST}"


def test_dial_now_then_replace_and_its_line_id() -> None:
    plan = DialPlanSettings(
        dialnow={1: DialNowRule("8xx", [2])},
        replace={1: ReplaceRule("8(xx)", "55$1")},
        dialnow_delay=0,
    )
    p = phone(plan)
    p.press("8", "1", "2")
    assert not any(isinstance(i, Dial) for i in p.intents)  # rule is for account 2 only
    p.press("F1")
    assert placed(p)[-1].uri == f"sip:5512@{HOST}"


def test_without_dial_now_rules_the_inter_digit_timeout_still_dials() -> None:
    p = phone(DialPlanSettings(replace={1: ReplaceRule("5(.)", "0$1")}))
    p.press("5", "5")
    p.advance(4.5)
    assert placed(p)[-1].uri == f"sip:05@{HOST}"
    p.press("X")
    assert any(isinstance(i, Hangup) for i in p.intents)


def test_redial_goes_through_the_plan() -> None:
    p = phone(DialPlanSettings(replace={1: ReplaceRule("7", "700")}))
    p.press("7", "F1")
    p.far_answers()
    p.press("X")
    p.advance(5)
    p.settings.dialplan.replace[1].replace = "701"  # edited since: the new rule counts
    p.press("REDIAL")
    assert [c.uri for c in placed(p)] == [f"sip:700@{HOST}", f"sip:701@{HOST}"]
