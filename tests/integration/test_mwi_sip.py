"""Voice mail waiting end to end: the real engine against SIPp registrars on 127.0.0.1.

tests/peers/mwi/ has the scenarios: a registrar that answers SUBSCRIBE and counts up, down
and to zero inside the subscription; one that sends unsolicited NOTIFYs after the REGISTER;
a sender of unsolicited NOTIFYs from another address (127.0.0.2) and of hostile ones, each
expecting its response code (SIPp fails the run on any other).
"""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine, write_account
from tests.integration.test_action_uri_engine import get, write_settings
from tests.sipnet import Sipp, free_port

pytestmark = pytest.mark.sip

REGISTRAR = "mwi/uas-registrar-mwi.xml"


def voice_mail(client: EngineClient, since: int = 0) -> list[tuple[Any, Any]]:
    return [(e["new"], e["old"]) for e in client.events[since:] if e.get("ev") == "voice_mail"]


def screens(client: EngineClient) -> list[dict[str, Any]]:
    return [e["screen"] for e in client.events if e.get("ev") == "screen"]


def wait_counts(client: EngineClient, want: list[tuple[Any, Any]], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while voice_mail(client) != want and time.monotonic() < deadline:
        time.sleep(0.05)
    assert voice_mail(client) == want


def messages(sipp: Sipp, kind: str) -> list[str]:
    """The requests of `kind` SIPp received, as text."""
    found = re.split(r"^-+ \d{4}-\d\d-\d\d [\d:.]+\n", sipp.messages(), flags=re.M)
    return [m for m in found if "message received" in m.split("\n", 1)[0] and f"\n{kind} " in m]


def test_subscribes_and_follows_counts_up_down_and_to_zero(tmp_path: Path) -> None:
    sipp = Sipp(REGISTRAR, free_port(), tmp_path / "sipp", calls=20, timeout=60).listen()
    try:
        uri_port = free_port()
        write_settings(tmp_path, uri_port, {}, user="1001", server="127.0.0.1", port=sipp.port,
                       subscribe_mwi=True, subscribe_mwi_expires=600, voice_mail="*97")  # fmt: skip
        with running_engine(tmp_path) as (_engine, client):
            wait_counts(client, [(2, 8), (3, 8), (1, 10), (0, 11)])
            arrived = [e["new_arrived"] for e in client.events if e.get("ev") == "voice_mail"]
            assert arrived == [True, True, False, False]
            # the handset's screens, as the engine published them to the window
            deadline = time.monotonic() + 5
            while "voice_mail" in screens(client)[-1]["status"]["icons"]:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            shown = screens(client)
            two = [x for x in shown if x["status"]["voice_mail"] == "2"]
            assert two and two[0]["popup"]["text"] == "2 New Voice Mail(s)"
            assert (two[0]["power_led_colour"], two[0]["power_led_mode"]) == ("red", "slow")
            assert any(x["status"]["voice_mail"] == "3" for x in shown)
            last = shown[-1]
            assert last["popup"] is None and last["power_led_mode"] == "off"
            # Action URI's phonecfg=get reports it with the account
            status, body = get(uri_port, "/servlet?phonecfg=get")
            report = json.loads(body)
            assert status == 200 and report["accounts"][0]["voice_mail"] == {
                "new": 0, "old": 11, "urgent_new": 0, "urgent_old": 0, "waiting": False,
            }  # fmt: skip
        subscribe = messages(sipp, "SUBSCRIBE")
        assert subscribe, sipp.messages()[-2000:]
        first = subscribe[0]
        assert re.search(r"^SUBSCRIBE sip:1001@127\.0\.0\.1:\d+ SIP/2\.0", first, re.M)
        assert re.search(r"^Event: message-summary", first, re.M)
        assert re.search(r"^Expires: 600", first, re.M)
        assert re.search(r"^Accept: application/simple-message-summary", first, re.M)
        # the engine's stop ends the subscription (Expires: 0 inside the dialog)
        assert any(re.search(r"^Expires: 0", m, re.M) for m in subscribe[1:])
    finally:
        sipp.stop()


def notify_from(host: str, port: int, body: str) -> bytes | None:
    """One unsolicited message-summary NOTIFY over UDP from `host`; the answer, if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        s.settimeout(1.5)
        lport = s.getsockname()[1]
        msg = (
            f"NOTIFY sip:1001@127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{lport};branch=z9hG4bKvm{lport}\r\n"
            f"From: <sip:vm@{host}>;tag=x{lport}\r\nTo: <sip:1001@127.0.0.1>\r\n"
            f"Call-ID: vm{lport}@{host}\r\nCSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\n"
            "Event: message-summary\r\nSubscription-State: active\r\n"
            "Content-Type: application/simple-message-summary\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        )
        s.sendto(msg.encode(), ("127.0.0.1", port))
        try:
            return s.recvfrom(65535)[0]
        except TimeoutError:
            return None


def registrar_with_unsolicited(tmp_path: Path) -> Sipp:
    sipp = Sipp("mwi/uas-registrar-unsolicited.xml", free_port(), tmp_path / "reg", calls=5,
                timeout=60).listen()  # fmt: skip
    return sipp


def test_unsolicited_from_the_registrar_and_hostile_ones_answered(tmp_path: Path) -> None:
    registrar = registrar_with_unsolicited(tmp_path)
    try:
        write_account(tmp_path, "1001", "127.0.0.1", registrar.port)  # unsolicited only
        with running_engine(tmp_path) as (engine, client):
            wait_counts(client, [(4, 1), (0, 5)])
            # Accept SIP Trust Server Only is on (the default): another host gets no answer
            assert notify_from("127.0.0.2", engine.port, "Messages-Waiting: yes\r\n") is None
            hostile = Sipp("mwi/uac-notify-hostile.xml", free_port(), tmp_path / "hostile",
                           target=f"127.0.0.1:{engine.port}", service="1001",
                           timeout=30)  # fmt: skip
            assert hostile.run() == 0, hostile.messages()[-3000:]
            # the foreign host and every hostile NOTIFY changed nothing; 99999/99999 is a count
            wait_counts(client, [(4, 1), (0, 5), (99999, 99999), (0, 0)])
            client.send("status")
            status = client.wait_for(lambda e: e.get("ev") == "status")
            assert engine.proc is not None and status["pid"] == engine.proc.pid
    finally:
        registrar.stop()


def test_unsolicited_from_another_host_refused_with_403(tmp_path: Path) -> None:
    registrar = registrar_with_unsolicited(tmp_path)
    try:
        account = AccountSettings(user="1001", server="127.0.0.1", port=registrar.port)
        save_settings(tmp_path, Settings(accounts=[account], trust_ctrl=False))
        with running_engine(tmp_path) as (engine, client):
            wait_counts(client, [(4, 1), (0, 5)])
            foreign = Sipp("mwi/uac-notify-foreign.xml", free_port(), tmp_path / "foreign",
                           target=f"127.0.0.1:{engine.port}", service="1001", host="127.0.0.2",
                           timeout=20)  # fmt: skip
            assert foreign.run() == 0, foreign.messages()[-3000:]
            time.sleep(0.3)
            assert voice_mail(client) == [(4, 1), (0, 5)]  # nothing changed
            # refused by the MWI guard, before pjsua could answer 200 or call onMwiInfo
            log = engine.log_text()
            assert re.search(r"NOTIFY from 127\.0\.0\.2:\d+ refused: 403 Forbidden", log)
    finally:
        registrar.stop()


RENEW = "mwi/uas-registrar-renew.xml"


def renew_registrar(tmp_path: Path, name: str, **keys: str) -> Sipp:
    sipp = Sipp(RENEW, free_port(), tmp_path / name, calls=20, timeout=90, keys=keys).listen()
    return sipp


def received_at(sipp: Sipp, kind: str) -> list[tuple[float, str]]:
    """(seconds since midnight, text) of each request of `kind` SIPp received."""
    out = []
    for entry in re.split(r"^(?=-+ \d{4}-\d\d-\d\d [\d:.]+\n)", sipp.messages(), flags=re.M):
        m = re.match(r"-+ \d{4}-\d\d-\d\d (\d\d):(\d\d):([\d.]+)\n(.*)", entry, re.S)
        if m and "message received" in m.group(4).split("\n", 1)[0] and f"\n{kind} " in entry:
            h, mi, sec = int(m.group(1)), int(m.group(2)), float(m.group(3))
            out.append((h * 3600 + mi * 60 + sec, m.group(4)))
    return out


def call_id(text: str) -> str:
    m = re.search(r"^Call-ID:\s*(\S+)", text, re.M)
    return m.group(1) if m else ""


def test_refreshes_the_subscription_before_it_runs_out(tmp_path: Path) -> None:
    sipp = renew_registrar(tmp_path, "sipp", sub_expires="10", reg_expires="3600")  # fmt: skip
    try:
        write_account(tmp_path, "1001", "127.0.0.1", sipp.port, subscribe_mwi=True)
        with running_engine(tmp_path) as (_engine, client):
            wait_counts(client, [(2, 0)])  # SIPp call 1 is the REGISTER, 2 the SUBSCRIBE
            deadline = time.monotonic() + 15
            while len(received_at(sipp, "SUBSCRIBE")) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
        subs = received_at(sipp, "SUBSCRIBE")
        assert len(subs) >= 2, [t for _, t in subs]
        first, refresh = subs[0], subs[1]
        assert call_id(refresh[1]) == call_id(first[1])  # inside the same dialog
        # the server granted 10 s: the refresh came before they ran out, not at once
        assert 2.0 < refresh[0] - first[0] < 10.0, refresh[0] - first[0]
        asked = re.search(r"^Expires: (\d+)", refresh[1], re.M)
        assert asked is not None and int(asked.group(1)) > 0  # a refresh, not an unsubscribe
    finally:
        sipp.stop()


def test_subscribes_again_after_the_registration_came_back(tmp_path: Path) -> None:
    # REGISTER 200 (6 s) -> its refresh gets 503 -> the core registers again -> 200
    sipp = renew_registrar(tmp_path, "sipp", sub_expires="3600", reg_expires="6")  # fmt: skip
    try:
        write_account(tmp_path, "1001", "127.0.0.1", sipp.port, subscribe_mwi=True)
        with running_engine(tmp_path) as (_engine, client):
            wait_counts(client, [(2, 0)])
            client.wait_account("RegisterFailed", timeout=15)
            # the new subscription is a new SIPp call: its NOTIFY says 3 (or more)
            deadline = time.monotonic() + 25
            while len(voice_mail(client)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            counts = voice_mail(client)
            assert len(counts) == 2 and counts[1][0] > 2, counts
        subs = [t for _, t in received_at(sipp, "SUBSCRIBE")]
        first = call_id(subs[0])
        ended = [t for t in subs if call_id(t) == first and re.search(r"^Expires: 0", t, re.M)]
        assert ended, "the old subscription was not ended"
        assert any(call_id(t) != first for t in subs), "no new subscription"
    finally:
        sipp.stop()


def test_a_restarted_engine_subscribes_afresh(tmp_path: Path) -> None:
    sipp = renew_registrar(tmp_path, "sipp", sub_expires="3600", reg_expires="3600")  # fmt: skip
    try:
        write_account(tmp_path, "1001", "127.0.0.1", sipp.port, subscribe_mwi=True)
        with running_engine(tmp_path) as (engine, client):
            wait_counts(client, [(2, 0)])
            assert engine.proc is not None
            engine.proc.kill()  # dies without a word: no un-REGISTER, no unsubscribe
            engine.proc.wait(5)
        with running_engine(tmp_path) as (_engine, client):
            deadline = time.monotonic() + 15
            while not voice_mail(client) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert voice_mail(client) and voice_mail(client)[0][0] > 2, voice_mail(client)
        dialogs = {call_id(t) for _, t in received_at(sipp, "SUBSCRIBE")}
        assert len(dialogs) >= 2
    finally:
        sipp.stop()


def test_subscribe_mwi_to_vm_sends_the_subscription_to_the_voice_mail_number(
    tmp_path: Path,
) -> None:
    sipp = renew_registrar(tmp_path, "sipp", sub_expires="3600", reg_expires="3600")  # fmt: skip
    try:
        write_account(tmp_path, "1001", "127.0.0.1", sipp.port, subscribe_mwi=True,
                      subscribe_mwi_to_vm=True, voice_mail="*97")  # fmt: skip
        with running_engine(tmp_path) as (_engine, client):
            wait_counts(client, [(2, 0)])
        first = received_at(sipp, "SUBSCRIBE")[0][1]
        assert re.search(rf"^SUBSCRIBE sip:\*97@127\.0\.0\.1:{sipp.port} SIP/2\.0", first, re.M)
        assert re.search(r"^To: <?sip:1001@127\.0\.0\.1", first, re.M)  # still the account's
        assert re.search(r"^From: <?sip:1001@127\.0\.0\.1", first, re.M)
    finally:
        sipp.stop()
