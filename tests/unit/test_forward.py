"""Call forward rules as the callee (app/phone/forward.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.phone.forward import (
    ForwardDecision,
    any_forward_on,
    code_to_dial,
    decide_incoming,
    effective_rules,
    forward_now,
    is_international,
    is_number,
    is_sip_uri,
    normalize_target,
    rings_text,
    rings_to_seconds,
    same_address,
    target_error,
    validate_forward,
)
from app.phone.settings import AccountSettings, ForwardRule, ForwardSet, ForwardSettings

BOB = AccountSettings(user="bob", server="pbx.example", port=5060)
CALLER = "sip:alice@pbx.example"


def fwd(**rules: ForwardRule | int) -> ForwardSet:
    return ForwardSet(**rules)  # type: ignore[arg-type]


def phone(**rules: ForwardRule | int) -> ForwardSettings:
    return ForwardSettings(phone=fwd(**rules))


def decide(
    settings: ForwardSettings,
    *,
    busy: bool = False,
    dnd: bool = False,
    account: int = 0,
    acc: AccountSettings = BOB,
    caller: str = CALLER,
) -> ForwardDecision:
    return decide_incoming(settings, dnd, account, acc, caller, busy)


# ---- which set is in effect ------------------------------------------------------------------


def test_phone_mode_uses_the_phone_set_for_every_account() -> None:
    settings = phone(always=ForwardRule(True, "100"))
    settings.accounts[1] = fwd(always=ForwardRule(True, "200"))
    assert effective_rules(settings, 0) is settings.phone
    assert effective_rules(settings, 1) is settings.phone
    assert decide(settings, account=1).target == "sip:100@pbx.example"


def test_custom_mode_uses_the_account_set() -> None:
    settings = phone(always=ForwardRule(True, "100"))
    settings.per_account = True
    settings.accounts[1] = fwd(always=ForwardRule(True, "200"))
    assert effective_rules(settings, 1) is settings.accounts[1]
    assert decide(settings, account=1).target == "sip:200@pbx.example"


def test_custom_mode_account_without_a_set_forwards_nothing() -> None:
    settings = phone(always=ForwardRule(True, "100"))
    settings.per_account = True
    assert effective_rules(settings, 3) == ForwardSet()
    assert 3 not in settings.accounts  # looking does not create one
    assert decide(settings, account=3).kind == "none"


# ---- the three forward types -----------------------------------------------------------------


def test_always_forwards_at_once_with_302_headers() -> None:
    d = decide(phone(always=ForwardRule(True, "3603")))
    assert d.kind == "now"
    assert d.delay == 0
    assert d.reason == "unconditional"
    assert d.code == 302
    assert d.target == "sip:3603@pbx.example"
    assert d.contact == "<sip:3603@pbx.example>"
    assert d.diversion == "<sip:bob@pbx.example>;reason=unconditional"
    assert d.headers == (
        ("Contact", "<sip:3603@pbx.example>"),
        ("Diversion", "<sip:bob@pbx.example>;reason=unconditional"),
    )


def test_busy_forwards_only_when_busy() -> None:
    settings = phone(busy=ForwardRule(True, "sip:carol@127.0.0.1:5080"))
    assert decide(settings).kind == "none"
    d = decide(settings, busy=True)
    assert (d.kind, d.reason, d.delay) == ("now", "user-busy", 0)
    assert d.contact == "<sip:carol@127.0.0.1:5080>"
    assert d.diversion == "<sip:bob@pbx.example>;reason=user-busy"


@pytest.mark.parametrize("rings", [0, 1, 2, 7, 20])
def test_no_answer_rings_then_forwards(rings: int) -> None:
    d = decide(phone(no_answer=ForwardRule(True, "3603"), no_answer_rings=rings))
    assert (d.kind, d.reason) == ("after", "no-answer")
    assert d.delay == rings * 6
    assert d.diversion == "<sip:bob@pbx.example>;reason=no-answer"


@pytest.mark.parametrize(("rings", "seconds"), [(-3, 0), (21, 120), (99, 120)])
def test_no_answer_ring_time_out_of_range_is_clamped(rings: int, seconds: int) -> None:
    d = decide(phone(no_answer=ForwardRule(True, "3603"), no_answer_rings=rings))
    assert d.delay == seconds


def test_no_answer_does_not_apply_when_busy() -> None:
    settings = phone(no_answer=ForwardRule(True, "3603"))
    assert decide(settings, busy=True).kind == "none"


def test_always_wins_over_busy_and_no_answer() -> None:
    settings = phone(
        always=ForwardRule(True, "1"), busy=ForwardRule(True, "2"), no_answer=ForwardRule(True, "3")
    )
    assert decide(settings).target == "sip:1@pbx.example"
    assert decide(settings, busy=True).target == "sip:1@pbx.example"


def test_busy_wins_over_no_answer_when_busy() -> None:
    settings = phone(busy=ForwardRule(True, "2"), no_answer=ForwardRule(True, "3"))
    assert decide(settings, busy=True).target == "sip:2@pbx.example"
    assert decide(settings).target == "sip:3@pbx.example"


def test_disabled_rules_with_targets_do_nothing() -> None:
    settings = phone(
        always=ForwardRule(False, "1"),
        busy=ForwardRule(False, "2"),
        no_answer=ForwardRule(False, "3"),
    )
    assert decide(settings).kind == "none"
    assert decide(settings, busy=True).kind == "none"
    assert decide(settings).headers == ()


def test_forwarding_not_allowed_overrides_everything() -> None:
    settings = phone(always=ForwardRule(True, "1"))
    settings.allowed = False
    d = decide(settings)
    assert d.kind == "none"
    assert "not allowed" in d.note


# ---- DND -------------------------------------------------------------------------------------


def test_dnd_disables_no_answer_forward() -> None:
    d = decide(phone(no_answer=ForwardRule(True, "3")), dnd=True)
    assert d.kind == "none"
    assert "DND" in d.note


def test_dnd_counts_as_busy_for_busy_forward() -> None:
    settings = phone(busy=ForwardRule(True, "2"), no_answer=ForwardRule(True, "3"))
    d = decide(settings, dnd=True)
    assert (d.kind, d.reason, d.target) == ("now", "user-busy", "sip:2@pbx.example")


def test_dnd_keeps_always_forward() -> None:
    d = decide(phone(always=ForwardRule(True, "1")), dnd=True)
    assert (d.kind, d.reason) == ("now", "unconditional")


# ---- never-forward numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "caller"),
    [
        ("112", "sip:112@pbx.example"),
        ("112", '"Emergency" <sip:112@pbx.example;user=phone>;tag=abc'),
        ("112", "tel:112"),
        ("+4930123", "sip:004930123@pbx.example"),
        ("004930123", "<sip:+4930123@pbx.example>"),
        ("sip:boss@pbx.example", "sip:boss@pbx.example:5060"),
        ("sip:Boss@PBX.example", "sip:boss@pbx.example"),
        ("030 123-45", "sip:03012345@pbx.example"),
    ],
)
def test_never_forward_callers_are_not_forwarded(entry: str, caller: str) -> None:
    settings = phone(always=ForwardRule(True, "1"))
    settings.never_forward = ["999", entry]
    d = decide(settings, caller=caller)
    assert d.kind == "none"
    assert "never-forward" in d.note


@pytest.mark.parametrize(
    ("entry", "caller"),
    [
        ("112", "sip:1120@pbx.example"),
        ("sip:boss@pbx.example", "sip:boss@other.example"),
        ("", "sip:alice@pbx.example"),
        ("  ", "sip:alice@pbx.example"),
    ],
)
def test_other_callers_are_still_forwarded(entry: str, caller: str) -> None:
    settings = phone(always=ForwardRule(True, "1"))
    settings.never_forward = [entry]
    assert decide(settings, caller=caller).kind == "now"


# ---- targets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "uri"),
    [
        ("3603", "sip:3603@pbx.example"),
        ("+4930123", "sip:+4930123@pbx.example"),
        ("*72", "sip:*72@pbx.example"),
        ("12#", "sip:12%23@pbx.example"),
        ("sip:carol@127.0.0.1:5080", "sip:carol@127.0.0.1:5080"),
        ("sips:carol@example.com", "sips:carol@example.com"),
        ("SIP:carol@example.com;transport=tcp", "SIP:carol@example.com;transport=tcp"),
        ("carol@example.com", "sip:carol@example.com"),
        ("sip:127.0.0.1:5080", "sip:127.0.0.1:5080"),
        ("sip:carol@[::1]:5080", "sip:carol@[::1]:5080"),
        ("  3603 ", "sip:3603@pbx.example"),
    ],
)
def test_target_normalisation(target: str, uri: str) -> None:
    assert normalize_target(target, "pbx.example") == uri
    d = decide(phone(always=ForwardRule(True, target)))
    assert (d.target, d.contact) == (uri, f"<{uri}>")


def test_number_target_uses_the_account_domain_with_its_port() -> None:
    acc = AccountSettings(user="bob", server="127.0.0.1", port=5070)
    d = decide(phone(always=ForwardRule(True, "3603")), acc=acc)
    assert d.contact == "<sip:3603@127.0.0.1:5070>"
    assert d.diversion == "<sip:bob@127.0.0.1:5070>;reason=unconditional"


def test_local_account_uses_the_fallback_domain() -> None:
    local = AccountSettings(user="", server="")
    settings = phone(always=ForwardRule(True, "3603"))
    d = decide_incoming(settings, False, 0, local, CALLER, False, fallback_domain="127.0.0.1:5062")
    assert d.contact == "<sip:3603@127.0.0.1:5062>"
    assert d.diversion == "<sip:127.0.0.1:5062>;reason=unconditional"
    nothing = decide(settings, acc=local)
    assert nothing.kind == "none"
    assert "no domain" in nothing.note
    uri = decide(phone(always=ForwardRule(True, "sip:c@h")), acc=local)
    assert uri.contact == "<sip:c@h>"


@pytest.mark.parametrize(
    "target", ["sip:bob@pbx.example", "bob@pbx.example", "sip:bob@pbx.example:5060"]
)
def test_never_forwards_to_the_phone_itself(target: str) -> None:
    settings = phone(always=ForwardRule(True, target), no_answer=ForwardRule(True, "3603"))
    d = decide(settings)
    assert (d.kind, d.target) == ("after", "sip:3603@pbx.example")
    assert "this phone" in d.note or d.note == ""  # the used rule carries no note
    alone = decide(phone(always=ForwardRule(True, target)))
    assert alone.kind == "none"
    assert "this phone" in alone.note


@pytest.mark.parametrize("target", ["", "   ", "alice", "sip:", "12 34", "sip:a b@h", "<sip:x@h"])
def test_enabled_rule_with_unusable_target_is_skipped(target: str) -> None:
    settings = phone(always=ForwardRule(True, target), busy=ForwardRule(True, "2"))
    d = decide(settings, busy=True)
    assert (d.kind, d.reason) == ("now", "user-busy")
    assert decide(phone(always=ForwardRule(True, target))).kind == "none"


@pytest.mark.parametrize("target", ["0049301234", "+49301234", "sip:+4930@gw.example", "00"])
def test_international_off_blocks_00_and_plus(target: str) -> None:
    settings = phone(always=ForwardRule(True, target), no_answer=ForwardRule(True, "3603"))
    settings.international = False
    d = decide(settings)
    assert (d.kind, d.target) == ("after", "sip:3603@pbx.example")
    settings.international = True
    assert decide(settings).kind == "now"


def test_international_off_keeps_national_targets() -> None:
    settings = phone(always=ForwardRule(True, "0301234"))
    settings.international = False
    assert decide(settings).kind == "now"
    assert not is_international("0301234")
    assert is_international("sip:0044@h")


# ---- the Forward soft key --------------------------------------------------------------------


def test_forward_now_sends_302_with_the_typed_target() -> None:
    d = forward_now("3603", BOB)
    assert (d.kind, d.delay, d.reason) == ("now", 0, "deflection")
    assert d.headers == (
        ("Contact", "<sip:3603@pbx.example>"),
        ("Diversion", "<sip:bob@pbx.example>;reason=deflection"),
    )
    assert forward_now("sip:c@h", BOB, reason="unconditional").diversion.endswith(
        ";reason=unconditional"
    )


def test_forward_now_refuses_unusable_targets() -> None:
    for target in ["", "alice", "sip:bob@pbx.example"]:
        d = forward_now(target, BOB)
        assert d.kind == "none"
        assert d.note
        assert d.headers == ()
    assert forward_now("0044123", BOB, international=False).kind == "none"
    assert forward_now("0044123", BOB).kind == "now"


# ---- validation ------------------------------------------------------------------------------


def test_valid_settings_have_no_errors() -> None:
    settings = phone(
        always=ForwardRule(True, "3603", "*72", "*73"),
        busy=ForwardRule(True, "sip:carol@127.0.0.1:5080"),
        no_answer=ForwardRule(False, ""),
        no_answer_rings=20,
    )
    settings.never_forward = ["112", "sip:boss@pbx.example", ""]
    assert validate_forward(settings) == {}
    assert validate_forward(ForwardSettings()) == {}


def test_enabled_forward_without_target() -> None:
    errors = validate_forward(phone(busy=ForwardRule(True, "  ")))
    assert set(errors) == {"phone.busy.target"}
    assert "Enter" in errors["phone.busy.target"]


@pytest.mark.parametrize("target", ["alice", "12 34", "sip:a b@h", "3603x", "sip:c@h:99999"])
def test_target_neither_number_nor_uri(target: str) -> None:
    errors = validate_forward(phone(no_answer=ForwardRule(True, target)))
    assert errors == {"phone.no_answer.target": "Not a number or SIP URI"}
    # a malformed target is reported even while its forward is off
    assert set(validate_forward(phone(always=ForwardRule(False, target)))) == {
        "phone.always.target"
    }


def test_target_longer_than_32_characters() -> None:
    assert validate_forward(phone(always=ForwardRule(True, "1" * 32))) == {}
    errors = validate_forward(phone(always=ForwardRule(True, "1" * 33)))
    assert errors == {"phone.always.target": "At most 32 characters"}


@pytest.mark.parametrize("rings", [-1, 21, 100])
def test_rings_out_of_range(rings: int) -> None:
    errors = validate_forward(phone(no_answer_rings=rings))
    assert set(errors) == {"phone.no_answer_rings"}
    assert "0 to 20" in errors["phone.no_answer_rings"]


def test_codes_must_be_dialable() -> None:
    errors = validate_forward(phone(always=ForwardRule(False, "", "*7a", "*" * 33)))
    assert set(errors) == {"phone.always.on_code", "phone.always.off_code"}


def test_custom_mode_validates_account_sets_only() -> None:
    settings = phone(always=ForwardRule(True, ""))
    settings.accounts = {0: fwd(), 2: fwd(busy=ForwardRule(True, "x y"), no_answer_rings=30)}
    assert set(validate_forward(settings)) == {"phone.always.target"}
    settings.per_account = True
    assert set(validate_forward(settings)) == {
        "accounts.2.busy.target",
        "accounts.2.no_answer_rings",
    }


def test_never_forward_entries_must_be_numbers_or_uris() -> None:
    settings = ForwardSettings(never_forward=["112", "not valid", "sip:x@h"])
    assert set(validate_forward(settings)) == {"never_forward.1"}


def test_target_error_texts() -> None:
    assert target_error("3603") == ""
    assert target_error("") != ""
    assert is_number("+12*#")
    assert not is_number("1+2")
    assert not is_number("+")
    assert is_sip_uri("bob@host")
    assert not is_sip_uri("bob")


# ---- ring time display -----------------------------------------------------------------------


def test_rings_in_seconds() -> None:
    assert [rings_to_seconds(n) for n in (0, 1, 2, 20)] == [0, 6, 12, 120]
    assert rings_text(2) == "2 rings = 12 s"
    assert rings_text(1) == "1 ring = 6 s"
    assert rings_text(0) == "0 rings = 0 s"


# ---- on/off codes ----------------------------------------------------------------------------


def test_switching_on_dials_on_code_and_target() -> None:
    old = fwd(always=ForwardRule(False, "3603", "*72", "*73"))
    new = fwd(always=ForwardRule(True, "3603", "*72", "*73"))
    assert code_to_dial(old, new) == ["*723603"]
    assert code_to_dial(new, old) == ["*73"]
    assert code_to_dial(new, new) == []


def test_no_codes_no_dials() -> None:
    assert code_to_dial(fwd(), fwd(busy=ForwardRule(True, "1"))) == []
    assert code_to_dial(fwd(busy=ForwardRule(True, "1")), fwd()) == []


def test_new_target_while_on_dials_on_code_again() -> None:
    old = fwd(no_answer=ForwardRule(True, "100", "*92", "*93"))
    new = fwd(no_answer=ForwardRule(True, "200", "*92", "*93"))
    assert code_to_dial(old, new) == ["*92200"]


def test_uri_target_dials_only_the_code_and_several_switch_in_order() -> None:
    old = fwd(always=ForwardRule(True, "1", "*72", "*73"), busy=ForwardRule(False, "", "*90"))
    new = fwd(always=ForwardRule(False, "1", "*72", ""), busy=ForwardRule(True, "sip:c@h", "*90"))
    # the off code still comes from the old rule when the new one has none
    assert code_to_dial(old, new) == ["*73", "*90"]


# ---- idle icon -------------------------------------------------------------------------------


def test_any_forward_on() -> None:
    settings = ForwardSettings()
    assert not any_forward_on(settings)
    settings.phone.busy.enabled = True
    assert any_forward_on(settings)
    settings.per_account = True
    assert not any_forward_on(settings)
    settings.accounts[1] = fwd(no_answer=ForwardRule(True, "1"))
    assert any_forward_on(settings)
    settings.allowed = False
    assert not any_forward_on(settings)


# ---- properties ------------------------------------------------------------------------------

numbers = st.from_regex(r"\A\+?[0-9*#]{1,31}\Z")
hosts = st.sampled_from(["pbx.example", "127.0.0.1", "127.0.0.1:5070", "[::1]:5080"])
rules = st.builds(
    ForwardRule,
    enabled=st.booleans(),
    target=st.one_of(numbers, st.just("sip:bob@pbx.example"), st.text(max_size=40)),
)
sets = st.builds(
    ForwardSet,
    always=rules,
    busy=rules,
    no_answer=rules,
    no_answer_rings=st.integers(-5, 30),
)


@given(numbers, hosts)
def test_numbers_become_valid_sip_uris(number: str, host: str) -> None:
    uri = normalize_target(number, host)
    assert is_sip_uri(uri)
    assert uri.endswith(f"@{host}")
    assert same_address(uri, number)


def _oracle(rules_: ForwardSet, busy: bool, dnd: bool, intl: bool) -> tuple[str, str] | None:
    """The forward rules written the plain way: first usable rule in precedence order."""
    order = [("always", "unconditional")]
    order.append(("busy", "user-busy") if busy or dnd else ("no_answer", "no-answer"))
    for name, reason in order:
        rule: ForwardRule = getattr(rules_, name)
        uri = normalize_target(rule.target, BOB.domain) if rule.enabled else ""
        if uri and (intl or not is_international(uri)) and not same_address(uri, BOB.aor):
            return reason, uri
    return None


@given(sets, st.booleans(), st.booleans(), st.booleans())
def test_decisions_follow_the_rules(rules_: ForwardSet, busy: bool, dnd: bool, intl: bool) -> None:
    settings = ForwardSettings(phone=rules_, international=intl)
    d = decide(settings, busy=busy, dnd=dnd)
    expected = _oracle(rules_, busy, dnd, intl)
    if expected is None:
        assert d.kind == "none"
        assert d.headers == ()
        return
    assert (d.reason, d.target) == expected
    assert d.contact == f"<{d.target}>"
    assert is_sip_uri(d.target)
    assert d.diversion == f"<{BOB.aor}>;reason={d.reason}"
    if d.reason == "no-answer":
        assert d.kind == "after"
        assert d.delay == 6 * min(max(rules_.no_answer_rings, 0), 20)
    else:
        assert (d.kind, d.delay) == ("now", 0)


@given(sets)
def test_never_forward_callers_always_ring(rules_: ForwardSet) -> None:
    settings = ForwardSettings(phone=rules_, never_forward=["112"])
    assert decide(settings, caller="sip:112@pbx.example").kind == "none"


@given(sets)
def test_every_usable_enabled_rule_validates(rules_: ForwardSet) -> None:
    errors = validate_forward(ForwardSettings(phone=rules_))
    for name in ("always", "busy", "no_answer"):
        rule: ForwardRule = getattr(rules_, name)
        key = f"phone.{name}.target"
        ok_target = (
            rule.target.strip()
            and len(rule.target.strip()) <= 32
            and (is_number(rule.target.strip()) or is_sip_uri(rule.target.strip()))
        )
        assert (key in errors) == bool((rule.enabled or rule.target.strip()) and not ok_target)
    assert ("phone.no_answer_rings" in errors) == (not 0 <= rules_.no_answer_rings <= 20)


def test_a_forward_target_loses_embedded_uri_headers() -> None:
    from app.phone.forward import normalize_target

    assert normalize_target("sip:b@h.example;x?Route=%3Cs%3E", "pbx") == "sip:b@h.example;x"
