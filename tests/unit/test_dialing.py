from __future__ import annotations

import pytest

from app.phone.dialing import DialError, to_request_uri


@pytest.mark.parametrize(
    ("typed", "domain", "uri"),
    [
        ("2001", "pbx.example", "sip:2001@pbx.example"),
        ("+49 30-1234", "pbx.example:5070", "sip:+49301234@pbx.example:5070"),
        ("tel:+15551234;phone-context=x", "pbx", "sip:+15551234@pbx"),
        ("sip:bob@203.0.113.3:5062", None, "sip:bob@203.0.113.3:5062"),
        ("sips:bob@example.org", "pbx", "sips:bob@example.org"),
        ("bob@example.org", None, "sip:bob@example.org"),
        ("bob", "pbx", "sip:bob@pbx"),
        ("example.org", None, "sip:example.org"),
        ("*72#", "pbx", "sip:*72#@pbx"),
    ],
)
def test_targets_become_request_uris(typed: str, domain: str | None, uri: str) -> None:
    assert to_request_uri(typed, domain) == uri


@pytest.mark.parametrize(
    ("typed", "domain", "message"),
    [
        ("", "pbx", "Empty number"),
        ("   ", None, "Empty number"),
        ("12ab34", None, "Invalid address: 12ab34"),
        ("1234", None, "No account to dial a number"),
        ("@host", None, "Invalid address"),
        ("bob@bad host", None, "Invalid address"),
    ],
)
def test_bad_targets_get_a_message(typed: str, domain: str | None, message: str) -> None:
    with pytest.raises(DialError, match=message):
        to_request_uri(typed, domain)


@pytest.mark.parametrize(
    ("typed", "uri"),
    [
        ("sip:bob@h.example?Route=%3Csip:evil.example%3Blr%3E", "sip:bob@h.example"),
        ("sip:bob@h.example?Route=<sip:evil.example;lr>&Subject=x", "sip:bob@h.example"),
        (
            "sips:bob@h.example:5061;transport=tls?P-Asserted-Identity=x",
            "sips:bob@h.example:5061;transport=tls",
        ),
        ("bob@h.example?Route=%3Csip:evil.example%3E", "sip:bob@h.example"),
    ],
)
def test_uri_headers_are_dropped_from_every_target(typed: str, uri: str) -> None:
    assert to_request_uri(typed, "pbx") == uri


def test_a_clicked_link_loses_its_headers_too() -> None:
    from app.desktop.uris import normalise

    link = normalise("sip:bob@h.example?Route=%3Csip:evil.example%3Blr%3E")
    assert link is not None
    assert to_request_uri(link, "pbx") == "sip:bob@h.example"


def test_an_overlong_target_is_refused_and_not_echoed_whole() -> None:
    with pytest.raises(DialError) as caught:
        to_request_uri("sip:" + "b" * 500_000 + "@h.example", "pbx")
    assert len(str(caught.value)) < 80
    with pytest.raises(DialError) as caught:
        to_request_uri("x" * 200 + "!", "pbx")
    assert len(str(caught.value)) < 80
