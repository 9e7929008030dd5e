"""Credentials go to the account's registrar and outbound proxy only.

Kamailio on 127.0.0.1 is the registrar and challenges alice's REGISTER (401) and INVITEs (407)
in realm corp.example. SIPp plays a host that merely claims that realm: it answers INVITE with
401 realm="corp.example". 127.0.0.2 stands in for another host; a SIPp on the registrar's own
address but another port is another server too (the account names a host AND a port).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.engine_harness import running_engine
from tests.integration.test_redirect_sip import Peers, ended, write_account
from tests.sipnet import HOST, Sipp, free_port, kamailio

pytestmark = pytest.mark.sip

REALM, USER, PASSWORD = "corp.example", "alice", "s3cret"
OTHER_HOST = "127.0.0.2"


def _claiming_host(workdir: Path, host: str) -> Sipp:
    """A UAS at `host` that answers INVITE with 401 in the account's realm and records all."""
    return Sipp(
        "redirect/uas-401-foreign-realm.xml",
        free_port(),
        workdir,
        service="evil",
        keys={"realm": REALM},
        host=host,
        timeout=20,
    ).listen()


def _invites(sipp: Sipp) -> list[str]:
    return re.findall(r"^INVITE sip:[^\r\n]*", sipp.messages(), re.MULTILINE)


@pytest.mark.parametrize("how", ["dialled", "redirected", "same-ip-other-port"])
def test_a_host_claiming_the_accounts_realm_gets_no_credentials(
    tmp_path: Path, config_dir: Path, how: str
) -> None:
    host = HOST if how == "same-ip-other-port" else OTHER_HOST
    with kamailio(tmp_path / "kam", auth=(REALM, USER, PASSWORD)) as kam:
        write_account(config_dir, USER, HOST, kam.port, password=PASSWORD, realm=REALM)
        peers = Peers(kam, tmp_path / "sipp")
        evil = _claiming_host(tmp_path / "evil", host)
        try:
            target = f"sip:evil@{host}:{evil.port}"
            if how == "redirected":
                bob = peers.add("bob", "redirect/uas-302-chain.xml", next_hop=target)
            with running_engine(config_dir) as (engine, client):
                # Registered: the registrar's 401 WAS answered, so credentials do go out.
                client.wait_account("Registered", timeout=15)
                client.send("dial", target=peers.uri("bob") if how == "redirected" else target)
                evil.wait(15)
                log = evil.messages()
                assert re.findall(r"^Authorization:.*", log, re.MULTILINE) == []
                assert len(_invites(evil)) == 1, log[-2000:]  # challenged once, never answered
                failed = ended(client)
                if how == "redirected":
                    assert bob.wait(15) == 0
        finally:
            peers.stop()
            evil.stop()
    assert failed["state"] == "CallFailed"
    assert failed["text"] == f"No credentials for {host}:{evil.port}!"
    assert f"withheld from {host}:{evil.port}" in engine.log_text()


def test_calls_through_the_registrar_still_authenticate(tmp_path: Path, config_dir: Path) -> None:
    """The control: the same guard lets the registrar's own 407 on an INVITE be answered."""
    with kamailio(tmp_path / "kam", auth=(REALM, USER, PASSWORD)) as kam:
        write_account(config_dir, USER, HOST, kam.port, password=PASSWORD, realm=REALM)
        peers = Peers(kam, tmp_path / "sipp")
        try:
            carol = peers.add("carol", "uas-180-200-rtp.xml")
            with running_engine(config_dir) as (engine, client):
                client.wait_account("Registered", timeout=15)
                client.send("dial", target=peers.uri("carol"))
                talking = client.wait_call("Talking", timeout=15)
                client.send("hangup", call=talking["id"])
                assert carol.wait(15) == 0, carol.messages()[-1500:]
        finally:
            peers.stop()
    assert "withheld" not in engine.log_text()
    # Kamailio consumed alice's Proxy-Authorization: carol never saw it.
    assert "Authorization:" not in carol.messages()
