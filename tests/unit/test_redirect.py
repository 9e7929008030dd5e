"""The caller's redirect policy, driven the way the SIP adapter drives it."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone.redirect import (
    TEXT_BLOCKED,
    TEXT_DECLINED,
    TEXT_INSECURE,
    TEXT_LOOP,
    TEXT_NO_CONTACT,
    TEXT_OFF,
    TEXT_TOO_MANY,
    TEXT_UNUSABLE,
    TEXT_USE_PROXY,
    DecisionKind,
    Hop,
    RedirectDecision,
    RedirectTracker,
    challenge_realms,
    credentials_allowed,
    parse_auth_realm,
)
from app.phone.settings import RedirectSettings
from app.phone.sipheaders import contacts_in, diversion_in
from app.phone.sipuri import Contact, Diversion, parse_contacts

DOMAIN = "127.0.0.1:5070"
FOLLOW, ASK, FAIL = DecisionKind.FOLLOW, DecisionKind.ASK, DecisionKind.FAIL


def tracker(original: str = "bob", **kw: object) -> RedirectTracker:
    return RedirectTracker(original, DOMAIN, RedirectSettings(**kw))  # type: ignore[arg-type]


def c(value: str) -> list[Contact]:
    return parse_contacts(value)


def test_seed_flow_always_forward() -> None:
    t = tracker()
    d = t.on_redirect(302, c("<sip:carol@127.0.0.1:5072>"), Diversion("sip:bob@h", "unconditional"))
    assert d == RedirectDecision(FOLLOW, "sip:carol@127.0.0.1:5072", "Forward to: carol")
    t.on_answered()
    assert t.chain == [
        Hop("sip:bob@127.0.0.1:5070", 302, "Moved Temporarily", "unconditional"),
        Hop("sip:carol@127.0.0.1:5072", 200, "OK", ""),
    ]
    assert t.redirects == 1 and t.current_target == "sip:carol@127.0.0.1:5072"


def test_screen_text_uses_display_name_and_no_diversion() -> None:
    d = tracker().on_redirect(301, c('"Carol Smith" <sip:carol@h>'), None, "Moved Permanently")
    assert d.kind == FOLLOW and d.screen_text == "Forward to: Carol Smith"


def test_contacts_tried_in_q_order_then_next_on_4xx_5xx() -> None:
    t = tracker()
    d = t.on_redirect(302, c("<sip:c@h>;q=0.5, <sip:d@h>;q=0.9, <sip:e@h>, <sip:f@h>;q=0.5"), None)
    tried = [d.target]
    for code in (486, 503, 404):
        d = t.on_target_failed(code, "x")
        tried.append(d.target)
    assert tried == ["sip:e@h", "sip:d@h", "sip:c@h", "sip:f@h"]
    d = t.on_target_failed(480, "Temporarily Unavailable")
    assert d.kind == FAIL and d.failure_text == "Temporarily unavailable!" and d.code == 480
    assert [h.code for h in t.chain] == [302, 486, 503, 404, 480]


def test_6xx_stops_even_with_contacts_left() -> None:
    t = tracker()
    t.on_redirect(302, c("<sip:c@h>, <sip:d@h>"), None)
    d = t.on_target_failed(603, "Decline")
    assert d.kind == FAIL and d.failure_text == "Decline" and d.code == 603
    assert t.on_target_failed(486, "Busy") == d  # a FAIL is final


def test_original_target_failing_without_redirect() -> None:
    d = tracker().on_target_failed(486, "Busy Here")
    assert (d.kind, d.failure_text, d.code) == (FAIL, "Busy here!", 486)


@pytest.mark.parametrize(
    ("code", "reason", "text"),
    [
        (305, "", TEXT_USE_PROXY),
        (380, "Alternative Service", "Alternative Service!"),
        (380, "", "Alternative Service!"),
        (300, "Multiple Choices", "Multiple Choices!"),
        (399, "Odd", "Odd!"),
    ],
)
def test_other_3xx_end_the_call_with_their_reason(code: int, reason: str, text: str) -> None:
    t = tracker()
    d = t.on_redirect(code, c("<sip:carol@h>"), None, reason)
    assert (d.kind, d.failure_text, d.code, d.target) == (FAIL, text, code, "")
    assert t.chain[0].code == code and len(t.chain) == 1


def test_no_contact_fails_clearly() -> None:
    for contacts in ([], [Contact("*")]):
        d = tracker().on_redirect(302, contacts, None)
        assert (d.kind, d.failure_text, d.code) == (FAIL, TEXT_NO_CONTACT, 302)


def test_mode_never_and_ask() -> None:
    d = tracker(mode="never").on_redirect(302, c("<sip:carol@h>"), None)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_OFF)
    t = tracker(mode="ask")
    d = t.on_redirect(302, c("<sip:carol@h>, <sip:dave@h>;q=0.1"), None)
    assert (d.kind, d.target, d.screen_text) == (ASK, "sip:carol@h", "Forward to: carol")
    assert len(t.chain) == 1  # not placed until the user says so
    d = t.confirm(True)
    assert (d.kind, d.target) == (FOLLOW, "sip:carol@h") and t.current_target == "sip:carol@h"
    d = t.on_target_failed(486, "Busy Here")
    assert (d.kind, d.target) == (ASK, "sip:dave@h")  # each new target is asked again
    d = t.confirm(False)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_DECLINED)
    assert t.current_target == "sip:carol@h"


def test_confirm_without_question_fails() -> None:
    assert tracker().confirm(True).kind == FAIL


def test_tel_and_bare_number_targets_use_the_account_domain() -> None:
    d = tracker().on_redirect(302, c("<tel:+1-555-0100>"), None)
    assert d.target == "sip:+15550100@127.0.0.1:5070" and d.screen_text == "Forward to: +15550100"
    assert tracker().on_redirect(302, c("5550100"), None).target == "sip:5550100@127.0.0.1:5070"


def test_unusable_schemes_are_skipped() -> None:
    t = tracker()
    d = t.on_redirect(302, c("<http://evil.example/>, <mailto:x@y>;q=1, <sip:ok@h>;q=0.1"), None)
    assert d.target == "sip:ok@h"
    d = tracker().on_redirect(302, c("<http://evil.example/>"), None)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_UNUSABLE)


def test_embedded_headers_are_ignored() -> None:
    d = tracker().on_redirect(302, c("<sip:c@h:5072?Route=%3Csip:evil%3E&Subject=x>"), None)
    assert d.target == "sip:c@h:5072"


def test_no_sips_downgrade_unless_allowed() -> None:
    contacts = c("<sip:c@h>;q=1, <sips:d@h>;q=0.5")
    d = tracker("sips:bob@h").on_redirect(302, contacts, None)
    assert d.target == "sips:d@h"
    d = tracker("sips:bob@h").on_redirect(302, c("<sip:c@h>"), None)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_INSECURE)
    assert "sip:c@h" in d.screen_text
    assert tracker("sips:bob@h", allow_sips_downgrade=True).on_redirect(
        302, c("<sip:c@h>"), None
    ).target == ("sip:c@h")
    # A tel: target of a secure call stays secure.
    assert tracker("sips:bob@h").on_redirect(302, c("<tel:123>"), None).target == (
        "sips:123@127.0.0.1:5070"
    )


def test_once_upgraded_to_sips_stays_secure() -> None:
    t = tracker()
    assert t.on_redirect(302, c("<sips:c@h>"), None).target == "sips:c@h"
    assert t.on_redirect(302, c("<sip:d@h>"), None).failure_text == TEXT_INSECURE


@pytest.mark.parametrize(
    "target",
    [
        "<tel:+44-20-7946-0000>",
        "<sip:0044207946@h>",
        "<sip:1900-555-0100@h>",
        "<sip:%31900555@h>",
        "<sip:+1900555;phone-context=x@h;user=phone>",
        "19005550100",
    ],
)
def test_block_list_prefixes(target: str) -> None:
    t = tracker(block_prefixes=["00", "1900"])
    d = t.on_redirect(302, c(target), None)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_BLOCKED)
    assert "blocked: prefix" in d.screen_text
    assert len(t.chain) == 1


def test_plus_prefix_entry_blocks_both_spellings() -> None:
    for target in ("<tel:+1900555>", "<sip:001900555@h>"):
        assert tracker(block_prefixes=["+1900"]).on_redirect(302, c(target), None).kind == FAIL
    assert tracker(block_prefixes=["+1900"]).on_redirect(302, c("<sip:1900@h>"), None).kind == (
        FOLLOW
    )


def test_blocked_contact_skipped_for_an_allowed_one() -> None:
    t = tracker(block_prefixes=["1900"])
    d = t.on_redirect(302, c("<sip:19005550100@h>;q=1, <sip:carol@h>;q=0.2"), None)
    assert d.target == "sip:carol@h"
    d = t.on_target_failed(486, "Busy Here")
    assert (d.kind, d.failure_text) == (FAIL, "Busy here!")
    assert d.screen_text == "Forward to 19005550100 blocked: prefix 1900"


def test_original_target_and_duplicates_skipped() -> None:
    t = tracker("sip:bob@127.0.0.1:5070")
    d = t.on_redirect(
        302,
        c("<sip:bob@127.0.0.1:5070>, <sip:BOB@127.0.0.1:5070>;q=0.9, <sip:carol@h>;q=0.1"),
        None,
    )
    assert d.target == "sip:BOB@127.0.0.1:5070"  # user parts are case-sensitive: another user
    assert t.on_target_failed(486, "Busy Here").target == "sip:carol@h"
    t2 = tracker("bob")
    d = t2.on_redirect(302, c("<sip:bob@127.0.0.1:5070;transport=udp>, <sip:c@h:5060>"), None)
    assert d.target == "sip:c@h:5060"
    d = t2.on_redirect(302, c("<sip:c@h>"), None)  # c itself redirects to c (default port)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_LOOP)


def test_loop_a_b_a_stops() -> None:
    t = tracker("sip:a@h")
    assert t.on_redirect(302, c("<sip:b@h>"), None).target == "sip:b@h"
    d = t.on_redirect(302, c("<sip:a@h>"), None)
    assert (d.kind, d.failure_text, d.code) == (FAIL, TEXT_LOOP, 302)
    assert [h.target for h in t.chain] == ["sip:a@h", "sip:b@h"]


def test_chain_of_six_stops_after_five() -> None:
    t = tracker("sip:hop0@h")
    for n in range(1, 6):
        d = t.on_redirect(302, c(f"<sip:hop{n}@h>"), Diversion("sip:x@h", "deflection"))
        assert (d.kind, d.target) == (FOLLOW, f"sip:hop{n}@h")
    d = t.on_redirect(302, c("<sip:hop6@h>"), None)
    assert (d.kind, d.failure_text) == (FAIL, TEXT_TOO_MANY)
    assert t.redirects == 5 and len(t.chain) == 6
    assert [h.code for h in t.chain] == [302] * 6


@pytest.mark.parametrize("limit", [0, 1, 3, -2])
def test_configurable_hop_limit(limit: int) -> None:
    t = tracker("sip:hop0@h", max_redirects=limit)
    followed = 0
    for n in range(1, 10):
        if t.on_redirect(302, c(f"<sip:hop{n}@h>"), None).kind == FOLLOW:
            followed += 1
    assert followed == max(0, limit)


def test_hostile_diversion_reason_not_shown() -> None:
    d = tracker().on_redirect(302, c("<sip:carol@h>"), Diversion("sip:b@h", "x\x1b[2J <script>"))
    assert d.screen_text == "Forward to: carol"


def test_display_name_is_cleaned_and_bounded() -> None:
    d = tracker().on_redirect(302, [Contact("sip:c@h", display="A\x00B\x1b" + "x" * 200)], None)
    assert d.screen_text.startswith("Forward to: AB") and len(d.screen_text) <= 60


def test_from_a_raw_302() -> None:
    raw = (
        "SIP/2.0 302 Moved Temporarily\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n"
        "Contact: <sip:c@127.0.0.1:5072>;q=0.1,\r\n <sip:d@127.0.0.1:5073>;q=0.7\r\n"
        "Diversion: <sip:bob@127.0.0.1>;reason=no-answer\r\n\r\n"
    )
    d = tracker().on_redirect(302, contacts_in(raw), diversion_in(raw))
    assert d.target == "sip:d@127.0.0.1:5073" and d.screen_text == "Forward to: d"


def test_decisions_are_fast() -> None:
    contacts = c("<sip:c@127.0.0.1:5072>;q=0.5, <sip:d@127.0.0.1:5073>;q=0.9")
    start = time.perf_counter()
    for _ in range(1000):
        RedirectTracker("sip:bob@127.0.0.1", DOMAIN, RedirectSettings()).on_redirect(
            302, contacts, None
        )
    assert (time.perf_counter() - start) / 1000 < 0.001  # well under a millisecond each


# ---- realm guard ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "realm"),
    [
        ('Digest realm="pbx.local", nonce="abc", algorithm=MD5', "pbx.local"),
        ('Digest nonce="x,realm=fake", realm="real"', "real"),
        ("DIGEST REALM=token.example, nonce=1", "token.example"),
        ('Digest realm="a \\"quoted\\" realm"', 'a "quoted" realm'),
        ('Digest realm=""', ""),
        ('Digest opaque="realm=\\"x\\", realm=y", realm="z"', "z"),
        ('realm="bare"', "bare"),
        ('Digest nonce="abc"', None),
        ("", None),
    ],
)
def test_parse_auth_realm(value: str, realm: str | None) -> None:
    assert parse_auth_realm(value) == realm


def test_credentials_allowed_only_for_own_realm() -> None:
    assert credentials_allowed("pbx.local", "pbx.local")
    assert not credentials_allowed("pbx.local", "evil.example")
    assert not credentials_allowed("pbx.local", "PBX.local")
    assert not credentials_allowed("", "")
    assert not credentials_allowed("*", "*")
    assert not credentials_allowed("", "anything")


def test_challenge_realms_from_raw_401() -> None:
    raw = (
        "SIP/2.0 401 Unauthorized\r\n"
        'WWW-Authenticate: Digest realm="evil.example", nonce="n1"\r\n'
        'Proxy-Authenticate: Digest realm="other",\r\n nonce="n2"\r\n\r\n'
    )
    assert challenge_realms(raw) == ["evil.example", "other"]


# ---- properties -------------------------------------------------------------------------------

_contact = st.one_of(
    st.builds(
        lambda user, q: f"<sip:{user}@h>;q={q}",
        st.sampled_from(["a", "b", "c", "bob", "1900", "+44", "%61"]),
        st.sampled_from(["0", "0.5", "1", "x"]),
    ),
    st.sampled_from(["<tel:+1555>", "<sips:s@h>", "*", "<http://x>", "junk<", '"x']),
    st.text(max_size=30),
)
_event: st.SearchStrategy[tuple[str, object, list[str]]] = st.one_of(
    st.tuples(st.just("3xx"), st.integers(300, 399), st.lists(_contact, max_size=5)),
    st.tuples(st.just("fail"), st.integers(0, 799), st.just([])),
    st.tuples(st.just("confirm"), st.booleans(), st.just([])),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_event, max_size=25),
    st.integers(-1, 6),
    st.sampled_from(["auto", "ask", "never", "bogus"]),
)
def test_never_raises_and_stays_within_the_hop_limit(
    events: list[tuple[str, object, list[str]]], limit: int, mode: str
) -> None:
    t = tracker("sip:a@h", max_redirects=limit, mode=mode, block_prefixes=["1900"])
    followed: set[str] = set()
    for kind, arg, contacts in events:
        if kind == "3xx":
            parsed = [x for value in contacts for x in parse_contacts(value)]
            d = t.on_redirect(int(str(arg)), parsed, None)
        elif kind == "fail":
            d = t.on_target_failed(int(str(arg)), "reason")
        else:
            d = t.confirm(bool(arg))
        assert isinstance(d, RedirectDecision)
        assert (d.kind == FAIL) == (d.target == "")
        if d.kind == FOLLOW:
            assert d.target not in followed and d.target != "sip:a@h"  # nothing tried twice
            assert "1900" not in d.target and "?" not in d.target
            followed.add(d.target)
        assert t.redirects <= max(0, limit)
        assert mode != "never" or t.redirects == 0
    assert len(t.chain) == 1 + len(followed)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(alphabet='Digest realm=",\\ \tnonce'))
def test_realm_helpers_never_raise(text: str, challenge: str) -> None:
    for value in (text, challenge):
        realm = parse_auth_realm(value)
        assert realm is None or isinstance(realm, str)
        assert credentials_allowed(value, value) == (bool(value.strip()) and value.strip() != "*")
        challenge_realms(f"SIP/2.0 401 x\r\nWWW-Authenticate: {value}\r\n\r\n")


def test_a_302_with_dozens_of_failing_contacts_stops_after_max_attempts() -> None:
    """Each leg costs pjsua2 media sockets: a hostile list must not become a leg storm."""
    from app.phone.redirect import MAX_ATTEMPTS, TEXT_ATTEMPTS

    tracker = RedirectTracker("sip:bob@pbx", "pbx", RedirectSettings())
    contacts = [Contact(f"sip:t{i}@pbx") for i in range(60)]
    decision = tracker.on_redirect(302, contacts, None)
    legs = 0
    while decision.kind == DecisionKind.FOLLOW:
        legs += 1
        decision = tracker.on_target_failed(486, "Busy Here")
    assert legs == MAX_ATTEMPTS
    assert decision.kind == DecisionKind.FAIL and decision.failure_text == TEXT_ATTEMPTS
