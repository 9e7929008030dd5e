"""Voice mail end to end through a real server: Kamailio with presence_mwi on 127.0.0.1.

The phone registers and subscribes to message-summary at Kamailio; SIPp, standing in for the
voice mail system, PUBLISHes the mailbox (tests/peers/mwi/uac-publish-mwi.xml) and Kamailio
NOTIFYs the phone in its subscription. Needs Debian's kamailio-presence-modules (db_text, the
database presence keeps its state in, comes with kamailio itself).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.engine_harness import EngineClient, running_engine, write_account
from tests.sipnet import Kamailio, Sipp, free_port

pytestmark = pytest.mark.sip

MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")


def presence_kamailio(workdir: Path) -> Kamailio:
    if not (MODULES / "presence_mwi.so").exists():
        raise RuntimeError("kamailio-presence-modules is not installed: run `make test`")
    kam = Kamailio(free_port(), workdir, template="mwi/kamailio-mwi.cfg")  # db_text: sipnet.py
    kam.start()
    return kam


def publish(kam: Kamailio, workdir: Path, waiting: str, new: int, old: int) -> None:
    sipp = Sipp("mwi/uac-publish-mwi.xml", free_port(), workdir, target=kam.domain,
                service="1001", keys={"waiting": waiting, "new": str(new), "old": str(old)},
                timeout=10)  # fmt: skip
    assert sipp.run() == 0, sipp.messages()[-2000:]


def counts(client: EngineClient) -> list[tuple[object, object]]:
    return [(e["new"], e["old"]) for e in client.events if e.get("ev") == "voice_mail"]


def wait_for(client: EngineClient, want: tuple[int, int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (not counts(client) or counts(client)[-1] != want) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts(client) and counts(client)[-1] == want, counts(client)


def test_published_voice_mail_reaches_the_phone_through_kamailio(tmp_path: Path) -> None:
    kam = presence_kamailio(tmp_path / "kamailio")
    try:
        write_account(tmp_path, "1001", "127.0.0.1", kam.port, subscribe_mwi=True)
        with running_engine(tmp_path) as (_engine, client):
            client.wait_account("Registered")
            deadline = time.monotonic() + 10  # until Kamailio holds the subscription
            log = tmp_path / "kamailio" / "kamailio.log"
            while "SUBSCRIBE" not in (tmp_path / "logs" / "sip.log").read_text(errors="replace"):
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.1)
            time.sleep(0.5)
            publish(kam, tmp_path / "pub1", "yes", 2, 5)
            wait_for(client, (2, 5))
            publish(kam, tmp_path / "pub2", "yes", 3, 5)
            wait_for(client, (3, 5))
            publish(kam, tmp_path / "pub3", "no", 0, 8)
            wait_for(client, (0, 8))
    finally:
        kam.stop()
