"""DTMF digits sent as SIP INFO go one transaction at a time (app/sip/dtmf_info.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pjsua2 as pj

from app.sip.dtmf_info import MAX_QUEUED, InfoDtmf, info_answered


def test_next_digit_waits_for_the_answer() -> None:
    q = InfoDtmf()
    assert q.add("12#") == 0
    assert q.next_digit() == "1"
    assert q.next_digit() is None  # the first INFO is unanswered
    q.answered()
    assert q.next_digit() == "2"
    q.answered()
    assert q.next_digit() == "#"
    q.answered()
    assert q.next_digit() is None and q.waiting == 0


def test_queue_is_bounded() -> None:
    q = InfoDtmf()
    assert q.add("5" * (MAX_QUEUED + 3)) == 3
    assert q.waiting == MAX_QUEUED
    assert q.add("9") == 1


def _event(method: str, role: int, code: int, state: int, prev: int) -> SimpleNamespace:
    tsx = SimpleNamespace(method=method, role=role, statusCode=code, state=state)
    body = SimpleNamespace(tsxState=SimpleNamespace(tsx=tsx, prevState=prev))
    return SimpleNamespace(e=SimpleNamespace(type=pj.PJSIP_EVENT_TSX_STATE, body=body))


def test_an_info_answer_counts_once() -> None:
    uac, uas = pj.PJSIP_ROLE_UAC, pj.PJSIP_ROLE_UAS
    trying, done, gone = (
        pj.PJSIP_TSX_STATE_TRYING,
        pj.PJSIP_TSX_STATE_COMPLETED,
        pj.PJSIP_TSX_STATE_TERMINATED,
    )
    assert info_answered(_event("INFO", uac, 200, done, trying))  # UDP: the answer
    assert not info_answered(_event("INFO", uac, 200, gone, done))  # UDP: 5 s later
    assert info_answered(_event("INFO", uac, 200, gone, trying))  # TCP
    assert info_answered(_event("INFO", uac, 408, gone, trying))  # no answer at all
    assert not info_answered(_event("INFO", uac, 100, trying, trying))
    assert not info_answered(_event("INFO", uas, 200, done, trying))  # the peer's INFO
    assert not info_answered(_event("BYE", uac, 200, done, trying))
    assert not info_answered(SimpleNamespace())  # an odd event body
