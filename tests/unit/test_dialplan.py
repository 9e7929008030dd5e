"""The dial plan's pattern language and rules (app/phone/dialplan.py), with the examples of
Yealink's T4x/T5x admin guide ("Dial Plan") as the reference cases."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone.dialing import plain_number
from app.phone.dialplan import (
    DialPlan,
    NumberBlocked,
    PatternError,
    compile_pattern,
    expand,
    pattern_error,
    plan_for,
    planned_target,
    replacement_error,
)
from app.phone.settings import (
    AreaCode,
    BlockOutRule,
    DialNowRule,
    DialPlanSettings,
    ReplaceRule,
)


def replaced(prefix: str, replace: str, number: str, account: int = 1) -> str:
    plan = DialPlan.from_settings(DialPlanSettings(replace={1: ReplaceRule(prefix, replace)}))
    return plan.apply(number, account).number


# ---- the guide's own examples ---------------------------------------------------------------


def test_manual_replace_examples() -> None:
    assert replaced("001(xxx)45(xx)", "9001$145$2", "0012354599") == "90012354599"
    assert replaced("9([5-7])(.)", "5$2", "96123") == "5123"
    assert replaced("1", "104", "1") == "104"
    assert replaced("2xx", "12345", "234") == "12345"


def test_manual_matching_examples() -> None:
    assert all(compile_pattern("12.").match(n) is not None for n in ("123", "1234", "12abc"))
    assert all(compile_pattern("12x").match(n) is not None for n in ("121", "123", "12a"))
    assert [compile_pattern("[5-7]").match(c) is not None for c in "4567"] == [
        False,
        True,
        True,
        True,
    ]
    assert [compile_pattern("[2,5,8]").match(c) is not None for c in "2345678"] == [
        True, False, False, True, False, False, True,
    ]  # fmt: skip
    for n in ("9151234", "9161234", "9171234"):
        assert compile_pattern("91[5-7]1234").match(n) == ()
    assert compile_pattern("([1-9])([2-7])3").match("923") == ("9", "2")
    assert compile_pattern("91([5-7])1(x)").match("91618") == ("6", "8")


# ---- whole-number matching and the wildcards ------------------------------------------------


def test_rules_match_the_whole_number_only() -> None:
    assert replaced("1", "104", "12") == "12"  # not a prefix match
    assert replaced("1", "104", "01") == "01"  # nor a search
    assert compile_pattern("1xxx").match("123") is None
    assert compile_pattern("1xxx").match("12345") is None


def test_dot_is_one_or_more_characters() -> None:
    assert compile_pattern("12.").match("12") is None
    assert replaced("0(.)", "$1", "0") == "0"  # never an empty number
    assert replaced("0(.)", "$1", "0123") == "123"


def test_groups_are_greedy_and_numbered_by_their_open_parenthesis() -> None:
    assert compile_pattern("(.)(.)").match("123") == ("12", "3")
    assert compile_pattern("((x)x)(x)").match("123") == ("12", "1", "3")
    assert expand("$3-$1", ("a", "b", "c")) == "c-a"
    assert expand("$145", ("235",)) == "23545"  # $N is one digit: "$1" then "45"


def test_sets_and_literals() -> None:
    assert compile_pattern("[135]").match("3") == ()
    assert compile_pattern("*72(.)").match("*721001") == ("1001",)
    assert compile_pattern("+49(.)").match("+4930123") == ("30123",)
    assert compile_pattern("X").match("7") == ()  # X as x: admins write both


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("", "empty"),
        ("1" * 33, "longer than 32"),
        ("1 2", "space"),
        ("12[", "not closed"),
        ("12]", "out of place"),
        ("(12", "not closed"),
        ("12)", "has no '('"),
        ("[]", "empty []"),
        ("[7-5]", "low first"),
        ("[a-c]", "digit-digit"),
        ("[1-]", "is not a set"),
        ("1$1", "out of place"),
        ("[(1]", "cannot be inside"),
    ],
)
def test_malformed_patterns_say_why(pattern: str, why: str) -> None:
    with pytest.raises(PatternError, match=why.replace("[", r"\[").replace("(", r"\(")):
        compile_pattern(pattern)
    assert why in pattern_error(pattern)


def test_replacement_checks() -> None:
    assert replacement_error("9001$145$2", 2) == ""
    assert "$3 but the pattern has 2 groups" in replacement_error("$3", 2)
    assert "group number" in replacement_error("12$", 1)
    assert "group number" in replacement_error("$0", 1)
    assert "empty" in replacement_error("", 0)
    assert "longer than 32" in replacement_error("1" * 33, 0)


def test_no_exponential_backtracking() -> None:
    pattern = compile_pattern("(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)1")
    started = time.perf_counter()
    assert pattern.match("0" * 128) is None
    assert time.perf_counter() - started < 2.0
    assert compile_pattern(".").match("1" * 129) is None  # beyond any phone number


# ---- the plan: order, accounts, area code, block out ----------------------------------------


def plan(**kw: object) -> DialPlan:
    return DialPlan.from_settings(DialPlanSettings(**kw))  # type: ignore[arg-type]


def test_first_matching_rule_by_slot_wins() -> None:
    p = plan(replace={9: ReplaceRule("1.", "second"), 2: ReplaceRule("1x", "first")})
    assert p.apply("12", 1).number == "first"
    assert p.apply("123", 1).number == "second"
    assert p.apply("123", 1).rule == "replace 9"


def test_line_id_restricts_rules_to_accounts() -> None:
    p = plan(replace={1: ReplaceRule("1", "111", [2, 3]), 2: ReplaceRule("1", "999", [0])})
    assert p.apply("1", 2).number == "111"
    assert p.apply("1", 1).number == "999"  # 0 in the list: every account
    p = plan(replace={1: ReplaceRule("1", "111", [2])})
    assert p.apply("1", 1).number == "1"
    assert p.apply("1", 0).number == "1"  # the local account only gets "all" rules


def test_area_code_by_length_and_not_after_a_replacement() -> None:
    area = AreaCode("011", 4, 11)
    p = plan(area_code=area)
    assert p.apply("56789", 1).number == "01156789"  # the guide's example
    assert p.apply("123", 1).number == "123"
    assert p.apply("123456789012", 1).number == "123456789012"
    p = plan(area_code=area, replace={1: ReplaceRule("5xxxx", "777")})
    assert p.apply("56789", 1).number == "777"
    p = plan(area_code=AreaCode("011", 4, 11, [2]))
    assert p.apply("56789", 1).number == "56789"


def test_block_out_on_typed_and_on_dialled_number() -> None:
    p = plan(block_out={1: BlockOutRule("4321")}, replace={1: ReplaceRule("9", "4321")})
    assert p.apply("4321", 1).blocked
    result = p.apply("9", 1)
    assert (result.blocked, result.rule) == (True, "block out 1")
    p = plan(block_out={1: BlockOutRule("1900.", [2])})
    assert not p.apply("1900123", 1).blocked
    assert p.apply("1900123", 2).blocked


def test_dial_now_needs_a_complete_match() -> None:
    p = plan(dialnow={1: DialNowRule("1xxx")}, dialnow_delay=3)
    assert not p.dial_now("123", 1)
    assert p.dial_now("1234", 1)
    assert not p.dial_now("12345", 1)
    assert p.delay == 3.0


def test_bad_rules_are_skipped_not_raised() -> None:
    p = plan(
        replace={1: ReplaceRule("1(", "x"), 2: ReplaceRule("1", "$2"), 3: ReplaceRule("1", "7")}
    )
    assert set(p.errors) == {"dialplan.replace.1", "dialplan.replace.2"}
    assert p.apply("1", 1).number == "7"


def test_planned_target_leaves_uris_alone_and_raises_forbidden() -> None:
    p = plan(replace={1: ReplaceRule("1(.)", "0$1")}, block_out={1: BlockOutRule("666")})
    assert planned_target(p, "12-34", 1) == "0234"  # separators dropped first
    assert planned_target(p, "sip:1234@host", 1) == "sip:1234@host"
    assert planned_target(p, "1234@host", 1) == "1234@host"
    assert planned_target(p, "tel:1234", 1) == "tel:1234"
    assert planned_target(p, "alice", 1) == "alice"
    with pytest.raises(NumberBlocked, match="Forbidden number!"):
        planned_target(p, "666", 1)
    assert plain_number(" 0 30-12 ") == "03012"


def test_plan_for_recompiles_only_on_change() -> None:
    s = DialPlanSettings(replace={1: ReplaceRule("1", "2")})
    first = plan_for(s)
    assert plan_for(s) is first
    s.replace[1].replace = "3"
    assert plan_for(s) is not first and plan_for(s).apply("1", 1).number == "3"


# ---- never raises at dial time --------------------------------------------------------------

PATTERN_CHARS = st.text(alphabet="0123456789x.()[],-$*#+ a", max_size=34)
NUMBERS = st.text(alphabet="0123456789*#+", max_size=40)


@settings(max_examples=400, deadline=None)
@given(prefix=PATTERN_CHARS, replace=PATTERN_CHARS, block=PATTERN_CHARS, number=NUMBERS)
def test_apply_never_raises(prefix: str, replace: str, block: str, number: str) -> None:
    p = plan(
        replace={1: ReplaceRule(prefix, replace)},
        dialnow={1: DialNowRule(prefix)},
        block_out={1: BlockOutRule(block)},
        area_code=AreaCode("0", 1, 15),
    )
    result = p.apply(number, 1)
    assert isinstance(result.number, str) and result.original == number
    assert isinstance(p.dial_now(number, 1), bool)
    if not prefix:
        assert "dialplan.replace.1" not in p.errors and result.rule != "replace 1"
    elif pattern_error(prefix) or replacement_error(replace, compile_pattern(prefix).groups):
        assert "dialplan.replace.1" in p.errors
    elif not result.blocked and compile_pattern(prefix).match(number) is not None:
        assert result.rule == "replace 1"


@settings(max_examples=300, deadline=None)
@given(number=st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_a_literal_pattern_matches_exactly_itself(number: str) -> None:
    pattern = compile_pattern(number)
    assert pattern.match(number) == ()
    assert pattern.match(number + "1") is None
