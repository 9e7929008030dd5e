"""DeskPhone as the caller follows 301/302 safely: the real engine, Kamailio as
registrar/proxy and SIPp as every far end, all on 127.0.0.1.

Each SIPp far end registers at Kamailio under its own name; redirect Contacts name users at the
proxy (the seed flows, docs/callflows.md §2 and §3), so the new INVITE can only reach them
through Kamailio.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.sipnet import HOST, Kamailio, Sipp, free_port, kamailio, start_registered

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
        sipp = Sipp(scenario, free_port(), self.workdir, service=user, keys=keys, timeout=timeout)
        self.all.append(start_registered(self.kam, user, sipp))
        return sipp

    def stop(self) -> None:
        for sipp in self.all:
            sipp.stop()


def write_account(config_dir: Path, user: str, server: str, port: int, **extra: Any) -> None:
    """As engine_harness.write_account, but a password goes to the 0600 file the engine reads:
    another test may have swapped this process's keyring for an in-memory one."""
    settings = Settings(accounts=[AccountSettings(user=user, server=server, port=port, **extra)])
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


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
        assert forward["text"] == "Forward to: carol"
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


def _invite_times(sipp: Sipp) -> list[str]:
    """Timestamps of the INVITEs a SIPp far end received (message-log order)."""
    return re.findall(
        r"^-+ (\S+ \S+)\n(?:UDP|TCP) message received[^\n]*\n\nINVITE ", sipp.messages(), re.M
    )


def test_no_answer_seed_flow_rings_first(tmp_path: Path, config_dir: Path) -> None:
    # uas-180-302.xml with a 3 s ring instead of 1 s ("B rings for a few seconds")
    scenario = tmp_path / "uas-180-ring3s-302.xml"
    text = (Path(__file__).parents[1] / "peers" / "uas-180-302.xml").read_text()
    scenario.write_text(
        text.replace('<pause milliseconds="1000"/>', '<pause milliseconds="3000"/>')
    )
    with network(tmp_path, config_dir) as (peers, _), running_engine(config_dir) as (_, client):
        carol = peers.add("carol", "uas-180-200-rtp.xml")
        bob = peers.add("bob", str(scenario), redir_target=peers.uri("carol"))
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        ringing = client.wait_call("RingBack")
        assert ringing["remote_uri"] == peers.uri("bob")
        forward = client.wait_for(lambda e: e.get("ev") == "redirect", 10)
        assert forward["call"] == ringing["id"]
        # ringback continues: the core never left RingBack between B's 180 and C's answer
        states = [
            e["state"]
            for e in client.events
            if e.get("ev") == "call" and e["_rx"] >= ringing["_rx"] and e["state"] != "Talking"
        ]
        assert set(states) == {"RingBack"}, states
        assert forward["_rx"] - ringing["_rx"] > 2.5  # B really rang for its 3 s
        talking = client.wait_call("Talking")
        assert talking["remote_uri"] == peers.uri("carol")
        assert chain(talking)[0]["code"] == 302
        client.send("hangup")
        ended(client)
        assert bob.wait(15) == 0 and carol.wait(15) == 0
    assert "BYE sip:" in carol.messages()


def test_multi_contact_highest_q_first_busy_one_skipped(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, _), running_engine(config_dir) as (eng, client):
        carol = peers.add("carol", "uas-180-200-rtp.xml")
        dave = peers.add("dave", "redirect/uas-486.xml")
        contacts = f"<{peers.uri('carol')}>;q=0.5, <{peers.uri('dave')}>;q=0.9"
        bob = peers.add(
            "bob", "redirect/uas-302-multi.xml", contacts=contacts, diversion_reason="user-busy"
        )
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        talking = client.wait_call("Talking", 15)
        assert talking["remote_uri"] == peers.uri("carol")
        hops = chain(talking)
        assert [(h["target"], h["code"]) for h in hops] == [
            (peers.uri("bob"), 302),
            (peers.uri("dave"), 486),
            (peers.uri("carol"), 200),
        ]
        targets = [e["target"] for e in client.events if e.get("ev") == "redirect"]
        assert targets == [peers.uri("dave"), peers.uri("carol")]
        client.send("hangup")
        ended(client)
        for sipp in (bob, dave, carol):
            assert sipp.wait(15) == 0, sipp.messages()[-1500:]
        assert eng.proc is not None and eng.proc.poll() is None  # no crash (docs/pjsua2.md §3)
    assert _invite_times(dave)[0] < _invite_times(carol)[0]
    assert len(call_ids(bob) | call_ids(dave) | call_ids(carol)) == 3


def test_chain_of_six_redirects_stops_after_five(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, _), running_engine(config_dir) as (_, client):
        hops = [
            peers.add(f"hop{n}", "redirect/uas-302-chain.xml", next_hop=peers.uri(f"hop{n + 1}"))
            for n in range(1, 7)
        ]
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("hop1"))
        failed = ended(client)
        assert failed["state"] == "CallFailed" and failed["text"] == "Too many redirects!"
        assert len(chain(failed)) == 6 and all(h["code"] == 302 for h in chain(failed))
        for sipp in hops:  # every hop got exactly one INVITE and its ACK; hop7 none
            assert sipp.wait(15) == 0, sipp.messages()[-1500:]
    assert all(len(_invite_times(s)) == 1 for s in hops)


def test_a_b_a_loop_stops(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, _), running_engine(config_dir) as (_, client):
        bob = peers.add("bob", "redirect/uas-302-chain.xml", next_hop=peers.uri("carol"))
        carol = peers.add("carol", "redirect/uas-302-chain.xml", next_hop=peers.uri("bob"))
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        failed = ended(client)
        assert failed["state"] == "CallFailed" and failed["text"] == "Redirect loop!"
        assert failed["extra"]["why"] == f"Already tried: {peers.uri('bob')}"
        assert bob.wait(15) == 0 and carol.wait(15) == 0
    assert len(_invite_times(bob)) == 1 and len(_invite_times(carol)) == 1


def test_302_without_contact_fails_with_a_clear_reason(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, _), running_engine(config_dir) as (_, client):
        bob = peers.add("bob", "redirect/uas-302-no-contact.xml")
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        failed = ended(client)
        assert failed["state"] == "CallFailed" and failed["text"] == "Redirect without target!"
        assert failed["code"] == 302 and failed["reason"] == "Moved Temporarily"
        assert bob.wait(15) == 0, bob.messages()[-1500:]


@pytest.mark.parametrize("challenge_realm", ["evil.example", "deskphone.test"])
def test_a_redirect_target_gets_credentials_only_for_the_accounts_realm(
    tmp_path: Path, config_dir: Path, challenge_realm: str
) -> None:
    account = {"password": "s3cret", "realm": "deskphone.test"}
    with (
        network(tmp_path, config_dir, **account) as (peers, _),
        running_engine(config_dir) as (_, client),
    ):
        evil = peers.add("evil", "redirect/uas-401-foreign-realm.xml", realm=challenge_realm)
        bob = peers.add("bob", "redirect/uas-302-chain.xml", next_hop=peers.uri("evil"))
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        failed = ended(client)
        assert bob.wait(15) == 0
        code = evil.wait(15)
    log = evil.messages()
    if challenge_realm == "evil.example":
        assert code == 0, log[-1500:]
        assert "Authorization:" not in log and len(_invite_times(evil)) == 1
        assert failed["state"] == "CallFailed"
        assert failed["text"] == "No credentials for realm evil.example!"
    else:  # control: the account's own realm is answered, so the check above can fail
        assert 'Authorization: Digest username="alice", realm="deskphone.test"' in log, (code, log)


class ChallengingRegistrar:
    """A tiny UDP registrar on 127.0.0.1: 401 realm "pbx.test" to a REGISTER without
    Authorization, 200 to one with it. Keeps every request it got."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.requests: list[str] = []
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            text = data.decode(errors="replace")
            if not text.startswith("REGISTER "):
                continue
            self.requests.append(text)
            head = [h for h in text.split("\r\n")[1:] if h]
            keep = [
                h for h in head if h.split(":")[0].lower() in ("via", "from", "call-id", "cseq")
            ]
            to = next(h for h in head if h.lower().startswith("to:"))
            if any(h.lower().startswith("authorization:") for h in head):
                contact = next(h for h in head if h.lower().startswith("contact:"))
                extra = [f"{to};tag=r1", f"{contact};expires=300"]
                status = "200 OK"
            else:
                extra = [f"{to};tag=r1", 'WWW-Authenticate: Digest realm="pbx.test", nonce="abc"']
                status = "401 Unauthorized"
            reply = "\r\n".join([f"SIP/2.0 {status}", *keep, *extra, "Content-Length: 0", "", ""])
            self.sock.sendto(reply.encode(), peer)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


def test_the_realm_is_learnt_from_the_registrars_first_challenge(config_dir: Path) -> None:
    registrar = ChallengingRegistrar()
    try:
        write_account(config_dir, "alice", HOST, registrar.port, password="s3cret")
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            states = [e["state"] for e in client.events if e.get("ev") == "account"]
            assert "RegisterFailed" not in states  # the challenge that taught the realm is silent
    finally:
        registrar.close()
    assert "realm 'pbx.test' learnt from the registrar" in engine.log_text()
    answered = [r for r in registrar.requests if "Authorization:" in r]
    assert answered and 'realm="pbx.test"' in answered[0]
    assert "Authorization:" not in registrar.requests[0]  # no credentials before the realm
