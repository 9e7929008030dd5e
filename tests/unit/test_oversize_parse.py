"""Reading the head of a response pjsip dropped as too large (app/sip/oversize.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sip.oversize import invite_branch_of

HEAD = (
    b"SIP/2.0 302 Moved Temporarily\r\n"
    b"Via: SIP/2.0/TCP 127.0.0.1:5070;rport=5070;branch=z9hG4bKPjabc;alias\r\n"
    b"Via: SIP/2.0/TCP 127.0.0.1:5080;branch=z9hG4bKother\r\n"
    b"From: <sip:me@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>;tag=2\r\n"
    b"Call-ID: abc\r\nCSeq: 7 INVITE\r\nContact: <sip:t0@127.0.0.1>, <sip:t1@12"
)


def test_the_top_via_branch_of_a_final_invite_response() -> None:
    assert invite_branch_of(HEAD) == "z9hG4bKPjabc"


def test_compact_via_and_odd_spacing() -> None:
    head = HEAD.replace(b"Via: ", b"v : ", 1).replace(b";branch=", b" ; branch = ", 1)
    assert invite_branch_of(head) == "z9hG4bKPjabc"


def test_not_a_final_response_to_an_invite() -> None:
    assert invite_branch_of(HEAD.replace(b"302 Moved", b"180 Ringing")) is None
    assert invite_branch_of(HEAD.replace(b"CSeq: 7 INVITE", b"CSeq: 7 BYE")) is None
    assert invite_branch_of(b"INVITE sip:x@127.0.0.1 SIP/2.0\r\n" + HEAD[32:]) is None


def test_cut_before_the_via_or_cseq_or_without_rfc3261_branch() -> None:
    assert invite_branch_of(HEAD[:40]) is None
    assert invite_branch_of(HEAD.split(b"CSeq")[0]) is None
    assert invite_branch_of(HEAD.replace(b"z9hG4bKPjabc", b"oldstyle1")) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_are_answered_without_raising(junk: bytes) -> None:
    found = invite_branch_of(b"SIP/2.0 302 x\r\nCSeq: 1 INVITE\r\nVia: " + junk)
    assert found is None or found.startswith("z9hG4bK")
