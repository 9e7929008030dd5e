"""SIP URI and header parsing on wire text: well-formed, folded, compact and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.phone.sipheaders import (
    contacts_in,
    diversion_in,
    header_values,
    history_info_in,
    status_of,
)
from app.phone.sipuri import (
    Contact,
    SipUri,
    normalise_target,
    normalise_uri,
    parse_contacts,
    parse_diversion,
    parse_history_info,
    parse_params,
    parse_uri,
    strip_uri_headers,
)

# A 302 as Kamailio relays it (the seed flow, F5), with a folded multi-value compact Contact.
RAW_302 = (
    "SIP/2.0 302 Moved Temporarily\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;rport=5060;branch=z9hG4bKPj1\r\n"
    'From: "Alice" <sip:alice@127.0.0.1>;tag=a1\r\n'
    "To: <sip:bob@127.0.0.1:5070>;tag=b1\r\n"
    "Call-ID: 5f2a@127.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "m: <sip:carol@127.0.0.1:5072>;q=0.5,\r\n"
    "\t<sip:dave@127.0.0.1:5073>;q=0.9\r\n"
    'CONTACT : "Eve, Esq." <sip:eve@127.0.0.1:5074?Subject=x,y>;q=0.1\r\n'
    "Diversion: <sip:bob@127.0.0.1:5070>;reason=user-busy;counter=2,"
    " <sip:old@127.0.0.1>;reason=unconditional\r\n"
    "History-Info: <sip:bob@127.0.0.1?Reason=SIP%3Bcause%3D302%3Btext%3D%22Moved%22>;index=1.1\r\n"
    "Content-Length: 0\r\n"
    "\r\n"
    "Contact: <sip:in-body@127.0.0.1>\r\n"
)


def test_parse_sip_uri_fields() -> None:
    uri = parse_uri("<SIP:Bob:secret@Example.COM:5072;transport=UDP;lr?Subject=hi&Priority=urgent>")
    assert uri == SipUri(
        "sip",
        "Bob",
        "example.com",
        5072,
        (("transport", "UDP"), ("lr", "")),
        (("Subject", "hi"), ("Priority", "urgent")),
    )
    assert uri.param("TRANSPORT") == "UDP"
    assert str(uri) == "sip:Bob@example.com:5072;transport=UDP;lr"  # no password, no headers


def test_parse_uri_variants() -> None:
    assert parse_uri("sips:[::1]:5061").host == "[::1]"  # type: ignore[union-attr]
    assert parse_uri("sip:pbx.local").user == ""  # type: ignore[union-attr]
    phone = parse_uri("sip:+1-555;phone-context=x@h;user=phone")
    assert phone is not None and phone.user == "+1-555;phone-context=x" and phone.host == "h"
    tel = parse_uri("tel:+1-201-555-0123;phone-context=example.com")
    assert tel is not None and tel.scheme == "tel" and tel.number == "+12015550123"
    assert tel.param("phone-context") == "example.com"
    assert parse_uri("sip:h?A=b@c") == SipUri("sip", "", "h", 0, (), (("A", "b@c"),))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "carol",
        "http://example.com/",
        "sip:",
        "sip:@host",
        "sip:bob@",
        "sip:bob@host:99999",
        "sip:bob@host:0",
        "sip:bob@host:port",
        "sip:bob@ho st",
        'sip:bob@"host"',
        "sip:bob@[::1",
        "tel:",
        "tel:xyz",
        "<sip:bob@host",
    ],
)
def test_parse_uri_rejects(text: str) -> None:
    assert parse_uri(text) is None


def test_uri_key_normalises_case_port_and_escapes() -> None:
    a = parse_uri("sip:bob@Example.com")
    b = parse_uri("sip:%62ob@example.COM:5060;transport=udp")
    c = parse_uri("sips:bob@example.com:5061")
    assert a is not None and b is not None and c is not None
    assert a.key() == b.key() == ("sip", "bob", "example.com", 5060)
    assert c.key() != a.key()
    assert parse_uri("sip:Bob@example.com").key() != a.key()  # type: ignore[union-attr]


def test_strip_uri_headers() -> None:
    assert strip_uri_headers("<sip:c@h:5072;transport=tcp?Route=%3Csip:evil%3E>") == (
        "sip:c@h:5072;transport=tcp"
    )
    assert strip_uri_headers("weird:thing?x=y") == "weird:thing"


def test_parse_params_quotes_and_case() -> None:
    assert parse_params(';Reason="a;b, c";Counter=3;lr') == (
        ("reason", "a;b, c"),
        ("counter", "3"),
        ("lr", ""),
    )


def test_contacts_several_per_header_with_quotes_and_brackets() -> None:
    contacts = parse_contacts(
        '"Carol, the \\"boss\\"" <sip:carol@h:5072;x=1?A=b,c>;q=0.5, <sip:d@h>;q=0.9;expires=30'
    )
    assert contacts == [
        Contact("sip:carol@h:5072;x=1?A=b,c", 0.5, 'Carol, the "boss"', (("q", "0.5"),)),
        Contact("sip:d@h", 0.9, "", (("q", "0.9"), ("expires", "30"))),
    ]
    assert contacts[1].param("expires") == "30"


def test_contact_without_brackets_params_belong_to_header() -> None:
    (contact,) = parse_contacts("sip:e@h;q=0.3;transport=tcp")
    assert contact.uri == "sip:e@h" and contact.q == 0.3 and contact.param("transport") == "tcp"
    (inside,) = parse_contacts("<sip:e@h;q=0.3>")
    assert inside.q == 1.0  # a URI parameter, not the Contact's q


@pytest.mark.parametrize("q", ["abc", "2", "1.5", "-0.5", "nan", "inf", "", "0x1", "1e-1"])
def test_invalid_q_defaults_to_one(q: str) -> None:
    assert parse_contacts(f"<sip:a@h>;q={q}")[0].q == 1.0


def test_valid_q_values() -> None:
    values = [c.q for c in parse_contacts("<sip:a@h>;q=0, <sip:b@h>;q=1.000, <sip:c@h>;q=.25")]
    assert values == [0.0, 1.0, 0.25]


def test_wildcard_contact() -> None:
    assert parse_contacts(" * ") == [Contact("*")]
    assert parse_contacts(" * ")[0].is_wildcard


def test_malformed_contacts_are_skipped_not_fatal() -> None:
    # The quote swallows the rest of the value: nothing in it can be trusted.
    assert parse_contacts('"unterminated <sip:x@h>, <sip:ok@h>;q=0.2') == []
    assert parse_contacts('<sip:ok@h>, "Name" sip:no-brackets@h, <sip:after@h>') == [
        Contact("sip:ok@h"),
        Contact("sip:after@h"),
    ]
    good = parse_contacts('<sip:ok@h>;q=0.2, "x <sip:y@h>, <sip:z@h')
    assert [c.uri for c in good] == ["sip:ok@h"]
    assert parse_contacts("<sip:a@h> trailing, <sip:b@h>") == [Contact("sip:b@h")]


def test_diversion_rfc5806() -> None:
    entries = parse_diversion(
        '"Bob" <sip:bob@h?X=y>;reason="No-Answer";counter=2;privacy=off, <tel:+1555>;counter=x'
    )
    assert entries[0].uri == "sip:bob@h" and entries[0].display == "Bob"
    assert entries[0].reason == "no-answer" and entries[0].counter == 2
    assert entries[1].uri == "tel:+1555" and entries[1].reason == "" and entries[1].counter == 1


def test_history_info_minimal() -> None:
    (entry,) = parse_history_info(
        "<sip:bob@h?Reason=SIP%3Bcause%3D302%3Btext%3D%22Moved%22>;index=1.1"
    )
    assert (entry.uri, entry.index, entry.cause, entry.reason_text) == (
        "sip:bob@h",
        "1.1",
        302,
        "Moved",
    )
    (rfc4458,) = parse_history_info("<sip:carol@h;cause=486>;index=1.2")
    assert rfc4458.cause == 486 and rfc4458.index == "1.2"


def test_header_values_from_raw_message() -> None:
    assert header_values(RAW_302, "Contact") == [
        "<sip:carol@127.0.0.1:5072>;q=0.5, <sip:dave@127.0.0.1:5073>;q=0.9",
        '"Eve, Esq." <sip:eve@127.0.0.1:5074?Subject=x,y>;q=0.1',
    ]
    assert header_values(RAW_302, "m") == header_values(RAW_302, "contact")
    assert header_values(RAW_302, "i") == ["5f2a@127.0.0.1"]
    assert header_values(RAW_302, "X-Missing") == []
    assert header_values("\n\n", "contact") == []


def test_header_values_folding_compact_forms_and_body() -> None:
    message = (
        "\r\nSIP/2.0 302 Moved\r\nMax-Forwards: 70\r\nCONTACT :  <sip:a@h>,\r\n\t <sip:b@h>\r\n"
        "m:<sip:c@h>\r\n  \r\nContact: <sip:body@h>\r\n"
    )
    # folded lines joined, compact and spaced names matched, nothing after the blank line
    assert header_values(message, "contact") == ["<sip:a@h>, <sip:b@h>", "<sip:c@h>"]
    assert header_values(message, " M ") == header_values(message, "contact")
    assert header_values(message, "max-forwards") == ["70"]
    assert header_values("SIP/2.0 302 Moved", "contact") == []


@pytest.mark.parametrize("target", ["sip:c@h:5072?Route=x", "tel:+1-555", "bob", "x y", "http://a"])
def test_normalise_uri_is_normalise_target_parsed(target: str) -> None:
    uri = normalise_uri(target, "pbx.local")
    text = normalise_target(target, "pbx.local")
    assert (str(uri) if uri is not None else "") == text
    assert uri == (parse_uri(text) if text else None)


def test_messages_helpers() -> None:
    assert [(c.uri, c.q) for c in contacts_in(RAW_302)] == [
        ("sip:carol@127.0.0.1:5072", 0.5),
        ("sip:dave@127.0.0.1:5073", 0.9),
        ("sip:eve@127.0.0.1:5074?Subject=x,y", 0.1),
    ]
    div = diversion_in(RAW_302)
    assert div is not None and div.uri == "sip:bob@127.0.0.1:5070" and div.reason == "user-busy"
    assert div.counter == 2
    assert [h.cause for h in history_info_in(RAW_302)] == [302]
    assert status_of(RAW_302) == (302, "Moved Temporarily")
    assert status_of("INVITE sip:bob@h SIP/2.0\r\n") == (0, "")
    assert diversion_in(RAW_302.replace("Diversion", "X-Div")) is None


def test_lf_only_and_bare_cr_messages() -> None:
    msg = RAW_302.replace("\r\n", "\n")
    assert len(contacts_in(msg)) == 3
    assert len(contacts_in(RAW_302.replace("\r\n", "\r"))) == 3
    assert len(contacts_in("\r\n\r\n" + RAW_302)) == 3
    assert status_of("\r\n" + RAW_302) == (302, "Moved Temporarily")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("tel:+1-555-0100", "sip:+15550100@pbx.local"),
        ("tel:+1-555-0100;phone-context=x", "sip:+15550100@pbx.local"),
        ("5550100", "sip:5550100@pbx.local"),
        ("+1 (555) 0100", "sip:+15550100@pbx.local"),
        ("*67#", "sip:*67%23@pbx.local"),
        ("bob", "sip:bob@pbx.local"),
        ("bob@example.com", "sip:bob@example.com"),
        ("sip:c@h:5072?Route=x", "sip:c@h:5072"),
        ("<sips:c@h>", "sips:c@h"),
        ("http://x.example/", ""),
        ("mailto:a@b", ""),
        ("", ""),
        ("two words", ""),
    ],
)
def test_normalise_target(target: str, expected: str) -> None:
    assert normalise_target(target, "pbx.local") == expected


def test_normalise_target_secure_and_no_domain() -> None:
    assert normalise_target("tel:5550100", "pbx.local", secure=True) == "sips:5550100@pbx.local"
    assert normalise_target("5550100", "") == ""
    assert normalise_target("sip:c@h", "") == "sip:c@h"


# ---- properties: nothing here may raise, whatever the remote side sends -----------------------

_sip_text = st.text(alphabet=st.sampled_from('sip:tel<>";,=?@&%\\ \t\r\n*+0123456789abq.[]'))
_any_text = st.one_of(st.text(), _sip_text)


@settings(max_examples=300, deadline=None)
@given(_any_text)
def test_parsers_never_raise(text: str) -> None:
    parse_uri(text)
    strip_uri_headers(text)
    normalise_target(text, "pbx.local")
    parse_params(text)
    for contact in parse_contacts(text):
        assert 0.0 <= contact.q <= 1.0
    parse_diversion(text)
    parse_history_info(text)


@settings(max_examples=200, deadline=None)
@given(_any_text, st.sampled_from(["contact", "m", "diversion", "History-Info"]))
def test_message_helpers_never_raise(body: str, name: str) -> None:
    message = f"SIP/2.0 302 Moved\r\n{body}\r\n\r\n"
    header_values(message, name)
    contacts_in(message)
    diversion_in(message)
    history_info_in(message)
    status_of(body)


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9.]{0,12}", fullmatch=True),
    st.integers(1, 65535),
)
def test_uri_round_trip(user: str, host: str, port: int) -> None:
    uri = parse_uri(f"sip:{user}@{host}:{port};transport=tcp?Subject=x")
    assert uri is not None
    assert parse_uri(str(uri)) == SipUri("sip", user, host, port, (("transport", "tcp"),))
