"""Every form of a number: what the block lists compare."""

from __future__ import annotations

import pytest

from app.phone.dialplan import DialPlan, NumberBlocked, planned_target
from app.phone.numbers import NO_COUNTRY, number_of, numbering_for, spellings
from app.phone.redirect import DecisionKind, RedirectTracker
from app.phone.settings import BlockOutRule, DialPlanSettings, RedirectSettings
from app.phone.sipuri import parse_contacts

GERMANY = numbering_for("Germany")


@pytest.mark.parametrize(
    ("target", "number"),
    [
        ("0900 12-34", "09001234"),
        ("tel:+49-900-1234;phone-context=x", "+499001234"),
        ("sip:0049900123@pbx.example", "0049900123"),
        ("SIPS:+49900123@pbx.example;user=phone", "+49900123"),
        ("sip:%2B49900123@pbx.example", "+49900123"),
        ("sip:0900123;isub=5@pbx.example", "0900123"),
        ("0900123@pbx.example", "0900123"),
        ("sip:0900123@pbx.example?Route=<sip:x>", "0900123"),
        ("sip:alice@pbx.example", None),
        ("alice", None),
        ("sip:pbx.example", None),
        ("http://0900123", None),
        ("9" * 65, None),
    ],
)
def test_the_number_behind_every_form(target: str, number: str | None) -> None:
    assert number_of(target) == number


def test_spellings_of_one_number() -> None:
    assert spellings("+49900123456", GERMANY) == [
        "+49900123456",
        "0049900123456",
        "0900123456",
    ]
    assert spellings("0900123456", GERMANY) == ["0900123456", "+49900123456", "0049900123456"]
    assert spellings("+1900555", NO_COUNTRY) == ["+1900555", "001900555"]
    # An extension is never taken for a national number.
    assert spellings("0123", GERMANY) == ["0123"]
    assert spellings("1234", numbering_for("United States")) == ["1234"]
    assert spellings("+39061234567", numbering_for("Italy"))[-1] == "061234567"
    assert numbering_for("Custom") == NO_COUNTRY


def _plan(*patterns: str) -> DialPlan:
    rules = {i: BlockOutRule(p) for i, p in enumerate(patterns, start=1)}
    return DialPlan.from_settings(DialPlanSettings(block_out=rules))


@pytest.mark.parametrize(
    "target",
    [
        "0900123456",
        "+49 900 123456",
        "0049900123456",
        "tel:+49900123456",
        "sip:0049900123456@pbx",
        "sips:+49900123456@pbx",
        "0900123456@pbx",
    ],
)
def test_block_out_stops_every_form(target: str) -> None:
    with pytest.raises(NumberBlocked):
        planned_target(_plan("0900."), target, 1, GERMANY)


def test_block_out_written_internationally_stops_the_national_form() -> None:
    with pytest.raises(NumberBlocked):
        planned_target(_plan("+49900."), "0900123456", 1, GERMANY)
    with pytest.raises(NumberBlocked):
        planned_target(_plan("00."), "sip:+1555123@pbx", 1, NO_COUNTRY)
    # Names and other numbers pass untouched.
    assert planned_target(_plan("0900."), "sip:alice@pbx", 1, GERMANY) == "sip:alice@pbx"
    assert planned_target(_plan("00."), "1234", 1, GERMANY) == "1234"
    assert planned_target(_plan("0900."), "+49301234567", 1, GERMANY) == "+49301234567"


def test_the_redirect_block_list_and_block_out_match_every_form() -> None:
    def tracker(prefixes: list[str], rule: str = "") -> RedirectTracker:
        settings = RedirectSettings(block_prefixes=prefixes)
        plan = _plan(rule) if rule else _plan()

        def block_out(number: str) -> str | None:
            hit = plan.blocked(number, 1, GERMANY)
            return hit.pattern.text if hit is not None else None

        return RedirectTracker("sip:bob@pbx", "pbx", settings, GERMANY, block_out)

    for contact in ("<sip:%2B49190123@h>", "<sip:0049190123@h>", "<sip:0190123@h;user=phone>"):
        decision = tracker(["0190"]).on_redirect(302, parse_contacts(contact), None)
        assert decision.kind == DecisionKind.FAIL, contact
        assert decision.screen_text.endswith("blocked: prefix 0190"), decision
    decision = tracker(["+49190"]).on_redirect(302, parse_contacts("<sip:0190123456@h>"), None)
    assert decision.kind == DecisionKind.FAIL
    decision = tracker([], "0900.").on_redirect(302, parse_contacts("<sip:+49900123@h>"), None)
    assert decision.screen_text.endswith("blocked: rule 0900."), decision
    decision = tracker(["0190"], "0900.").on_redirect(302, parse_contacts("<sip:+4930123@h>"), None)
    assert decision.kind == DecisionKind.FOLLOW
