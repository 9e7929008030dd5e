"""Calls end to end: the real engine, Kamailio and SIPp on 127.0.0.1.

Answer with media, caller ID, DTMF (RFC 2833 and INFO), reject, DND per account, hold and
resume, the peer's hold. Transfer, call waiting and history are in test_calls_more_sip.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import (
    RtpListener,
    call_event,
    caller,
    direct,
    exchange,
    requests,
    responses,
    screen_event,
    sdp_direction,
    sip_messages,
    uac,
    wait_until,
)
from tests.sipnet import HOST, Kamailio, Sipp, kamailio

pytestmark = pytest.mark.sip


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[Kamailio]:
    with kamailio(tmp_path / "kam") as k:
        yield k


def account_settings(config_dir: Path, kam: Kamailio, **extra: object) -> Settings:
    acc = AccountSettings(user="alice", server=HOST, port=kam.port, label="Alice", **extra)  # type: ignore[arg-type]
    settings = Settings(accounts=[acc])
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
    return settings


def test_call_through_kamailio_is_answered_with_caller_id_media_and_rfc2833_dtmf(
    tmp_path: Path, config_dir: Path, kam: Kamailio
) -> None:
    account_settings(config_dir, kam)
    rtp = RtpListener()
    try:
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            sipp = caller(tmp_path, kam.domain, service="alice", rtp_port=rtp.port).start()
            ringing = call_event(client, "CallIn")
            assert ringing["remote_name"] == "Boss"  # P-Asserted-Identity wins over From
            assert ringing["remote_uri"].startswith("sip:5551234@")
            screen = screen_event(client, "incoming")
            assert screen["lines"][0] == "Boss" and screen["lines"][1].startswith("5551234@")
            client.send("key", key="F1")  # Answer
            call_event(client, "Talking")
            assert rtp.wait(lambda: 0 in rtp.payload_types(), 5), rtp.payload_types()[:10]
            for key in ("5", "#", "1"):
                client.send("key", key=key)
            assert rtp.wait(lambda: len(rtp.dtmf_events()) >= 3, 5)
            client.send("key", key="F4")  # End Call
            call_event(client, "Finished")
            assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    finally:
        rtp.close()
    assert rtp.dtmf_events() == [5, 11, 1]  # RFC 4733: "#" is event 11
    ok = [m for m in sip_messages(sipp) if m.startswith("SIP/2.0 200 OK") and "INVITE" in m]
    assert ok and "m=audio " in ok[0] and "telephone-event/8000" in ok[0]
    assert requests(sipp, "BYE")


def test_dtmf_as_sip_info_when_the_account_says_so(
    tmp_path: Path, config_dir: Path, kam: Kamailio
) -> None:
    account_settings(config_dir, kam, dtmf="info")
    with running_engine(config_dir) as (_engine, client):
        client.wait_account("Registered")
        sipp = caller(tmp_path, kam.domain, service="alice").start()
        call = call_event(client, "CallIn")
        client.send("answer", call=call["id"])
        call_event(client, "Talking")
        client.send("text", text="7*")  # typed digits during a call are DTMF too
        client.wait_for(lambda e: e.get("ev") == "dtmf" and e["digits"] == "*")
        deadline = time.monotonic() + 10
        while info_flow(sipp).count("200") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # SIPp answers each INFO after 200 ms; the BYE must come after
        client.send("hangup", call=call["id"])
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    infos = requests(sipp, "INFO")
    assert len(infos) == 2
    assert "application/dtmf-relay" in infos[0]
    assert "Signal=7" in infos[0] and "Signal=*" in infos[1]
    # one INFO at a time: a proxy may reorder two in flight and a UAS then answers the one with
    # the lower CSeq 500 (RFC 3261 §12.2.2)
    assert info_flow(sipp) == ["INFO", "200", "INFO", "200"]


def info_flow(sipp: Sipp) -> list[str]:
    """INFO requests SIPp received and the 200s it sent for them, in its log's order."""
    return [
        "INFO" if text.startswith("INFO ") else "200"
        for direction, text in exchange(sipp)
        if (direction == "received" and text.startswith("INFO "))
        or (
            direction == "sent"
            and text.startswith("SIP/2.0 200")
            and re.search(r"CSeq: *\d+ INFO", text)
        )
    ]


def test_reject_answers_486(tmp_path: Path, config_dir: Path) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = uac(tmp_path, "uac-call-expect-200.xml", direct(engine.port)).start()
        call_event(client, "CallIn")
        assert screen_event(client, "incoming")["softkeys"][3] == "Reject"
        client.send("key", key="F4")
        ended = call_event(client, "Finished")
        assert ended["extra"]["result"] == "rejected"
        assert sipp.wait(25) != 0  # it wanted 200
    assert responses(sipp)[-1] == 486


def test_dnd_per_account_answers_480(tmp_path: Path, config_dir: Path, kam: Kamailio) -> None:
    settings = account_settings(config_dir, kam, dnd=True)
    settings.dnd.per_account = True
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
    with running_engine(config_dir) as (_engine, client):
        client.wait_account("Registered")
        # the idle screen says so (the first screen may predate the accounts)
        client.wait_for(
            lambda e: (
                e.get("ev") == "screen"
                and e["screen"]["status"]["reg_state"] == "Registered"
                and "dnd" in e["screen"]["status"]["icons"]
            )
        )
        sipp = uac(tmp_path, "uac-call-expect-200.xml", kam.domain, service="alice")
        assert sipp.run() != 0
    assert responses(sipp)[-1] == 480


def test_hold_sends_sendonly_and_resume_sendrecv(tmp_path: Path, config_dir: Path) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, direct(engine.port)).start()
        call = call_event(client, "CallIn")
        client.send("answer", call=call["id"])
        call_event(client, "Talking")
        mark = len(client.events)
        client.send("key", key="HOLD")
        call_event(client, "Hold", mark)
        hold_screen = screen_event(client, "hold", mark)
        assert hold_screen["title"] == "Hold"
        mark = len(client.events)
        client.send("key", key="HOLD")  # HOLD again resumes, before the hold's 200 came
        call_event(client, "Talking", mark)
        # the resume waits for the hold's offer/answer to complete, then goes out
        assert wait_until(lambda: len(requests(sipp, "INVITE")) >= 2, 5)
        client.send("hangup", call=call["id"])
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    reinvites = requests(sipp, "INVITE")
    assert [sdp_direction(m) for m in reinvites] == ["sendonly", "sendrecv"]


def test_the_peers_hold_shows_held(tmp_path: Path, config_dir: Path) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = uac(tmp_path, "calls/uac-holds-callee.xml", direct(engine.port), timeout=30).start()
        call = call_event(client, "CallIn")
        client.send("answer", call=call["id"])
        call_event(client, "Talking")
        mark = len(client.events)
        call_event(client, "Held", mark)
        assert screen_event(client, "held", mark)["title"] == "Held"
        call_event(client, "Talking", len(client.events) - 1)
        call_event(client, "Finished")
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    answers = [m for m in sip_messages(sipp) if m.startswith("SIP/2.0 200") and "INVITE" in m]
    assert [sdp_direction(m) for m in answers] == ["sendrecv", "recvonly", "sendrecv"]
