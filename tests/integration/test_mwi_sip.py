"""Voice mail waiting end to end: the real engine against SIPp registrars on 127.0.0.1.

tests/peers/mwi/ has the scenarios: a registrar that answers SUBSCRIBE and counts up, down
and to zero inside the subscription; one that sends unsolicited NOTIFYs after the REGISTER;
a sender of unsolicited NOTIFYs from another address (127.0.0.2) and of hostile ones, each
expecting its response code (SIPp fails the run on any other).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.engine_harness import EngineClient, running_engine, write_account
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
    port = free_port()
    sipp = Sipp(REGISTRAR, port, tmp_path / "sipp", calls=20, timeout=60).start()
    try:
        sipp.wait_listening()
        write_account(tmp_path, "1001", "127.0.0.1", port, subscribe_mwi=True,
                      subscribe_mwi_expires=600, voice_mail="*97")  # fmt: skip
        with running_engine(tmp_path) as (_engine, client):
            wait_counts(client, [(2, 8), (3, 8), (1, 10), (0, 11)])
            arrived = [e["new_arrived"] for e in client.events if e.get("ev") == "voice_mail"]
            assert arrived == [True, True, False, False]
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


def test_unsolicited_from_the_registrar_only_and_hostile_ones_answered(tmp_path: Path) -> None:
    port = free_port()
    registrar = Sipp("mwi/uas-registrar-unsolicited.xml", port, tmp_path / "reg", calls=5,
                     timeout=60).start()  # fmt: skip
    try:
        registrar.wait_listening()
        write_account(tmp_path, "1001", "127.0.0.1", port)  # no subscription: unsolicited only
        with running_engine(tmp_path) as (engine, client):
            wait_counts(client, [(4, 1), (0, 5)])
            target = f"127.0.0.1:{engine.port}"
            foreign = Sipp("mwi/uac-notify-foreign.xml", free_port(), tmp_path / "foreign",
                           target=target, service="1001", host="127.0.0.2", timeout=20)  # fmt: skip
            assert foreign.run() == 0, foreign.messages()[-3000:]
            hostile = Sipp("mwi/uac-notify-hostile.xml", free_port(), tmp_path / "hostile",
                           target=target, service="1001", timeout=30)  # fmt: skip
            assert hostile.run() == 0, hostile.messages()[-3000:]
            # the foreign host and every hostile NOTIFY changed nothing; 99999/99999 is a count
            wait_counts(client, [(4, 1), (0, 5), (99999, 99999), (0, 0)])
            # refused by the MWI guard, before pjsua could answer 200 or call onMwiInfo
            log = engine.log_text()
            assert re.search(r"NOTIFY from 127\.0\.0\.2:\d+ refused: 403 Forbidden", log)
            assert "not its server" not in log
            client.send("status")
            status = client.wait_for(lambda e: e.get("ev") == "status")
            assert engine.proc is not None and status["pid"] == engine.proc.pid
    finally:
        registrar.stop()
