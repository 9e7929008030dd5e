"""DeskPhone as the caller follows 301/302 safely (issue 6): the real engine, Kamailio as
registrar/proxy and SIPp as every far end, all on 127.0.0.1.

Each SIPp far end registers at Kamailio under its own name; redirect Contacts name users at the
proxy (the seed flows), so the new INVITE can only reach them through Kamailio.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.engine_harness import EngineClient, running_engine, write_account
from tests.sipnet import HOST, Kamailio, Sipp, free_port, kamailio, register_user

pytestmark = pytest.mark.sip

_CALL_ID = re.compile(r"^Call-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


def call_ids(sipp: Sipp) -> set[str]:
    return set(_CALL_ID.findall(sipp.messages()))


class Peers:
    """SIPp far ends registered at one Kamailio; all are stopped at the end."""

    def __init__(self, kam: Kamailio, workdir: Path) -> None:
        self.kam = kam
        self.workdir = workdir
        self.all: list[Sipp] = []

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.kam.domain}"

    def add(self, user: str, scenario: str, timeout: float = 20, **keys: str) -> Sipp:
        port = free_port()
        register_user(self.kam, user, port, self.workdir)
        sipp = Sipp(scenario, port, self.workdir, service=user, keys=keys, timeout=timeout)
        sipp.start().wait_listening()
        self.all.append(sipp)
        return sipp

    def stop(self) -> None:
        for sipp in self.all:
            sipp.stop()


@contextmanager
def network(tmp_path: Path, config_dir: Path, **account: Any) -> Iterator[tuple[Peers, Kamailio]]:
    with kamailio(tmp_path / "kam") as kam:
        peers = Peers(kam, tmp_path / "sipp")
        write_account(config_dir, "alice", HOST, kam.port, **account)
        try:
            yield peers, kam
        finally:
            peers.stop()


def ended(client: EngineClient, timeout: float = 15) -> dict[str, Any]:
    return client.wait_for(
        lambda e: e.get("ev") == "call" and e["state"] in ("CallFailed", "Finished"), timeout
    )


def chain(event: dict[str, Any]) -> list[dict[str, Any]]:
    hops: list[dict[str, Any]] = json.loads(event["extra"]["redirect_chain"])
    return hops


def test_always_forward_seed_flow(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, kam), running_engine(config_dir) as (_, client):
        carol = peers.add("carol", "uas-180-200-rtp.xml")
        bob = peers.add(
            "bob",
            "redirect/uas-302-multi.xml",
            contacts=f"<{peers.uri('carol')}>",
            diversion_reason="unconditional",
        )
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        forward = client.wait_for(lambda e: e.get("ev") == "redirect")
        assert forward["target"] == peers.uri("carol")
        assert forward["text"] == "Forward to: carol (Always)"
        ringing = client.wait_call("RingBack")
        talking = client.wait_call("Talking")
        assert talking["id"] == ringing["id"] == forward["call"]  # one call for the user
        assert talking["remote_uri"] == peers.uri("carol")
        assert talking["extra"]["original_uri"] == peers.uri("bob")
        hops = chain(talking)
        assert [(h["target"], h["code"]) for h in hops] == [
            (peers.uri("bob"), 302),
            (peers.uri("carol"), 200),
        ]
        assert hops[0]["diversion_reason"] == "unconditional"
        client.send("hangup")
        done = ended(client)
        assert done["state"] == "Finished" and done["id"] == talking["id"]
        assert bob.wait(15) == 0, bob.messages()[-2000:]
        assert carol.wait(15) == 0, carol.messages()[-2000:]
    b_log, c_log = bob.messages(), carol.messages()
    assert "ACK sip:" in b_log  # the app acknowledged the 302
    assert "INVITE sip:carol@" in c_log and "BYE sip:" in c_log
    # the new INVITE went through the proxy (its Record-Route) with a new Call-ID
    assert f"Record-Route: <sip:{HOST}:{kam.port};lr" in c_log
    assert call_ids(bob) and call_ids(carol) and not call_ids(bob) & call_ids(carol)
