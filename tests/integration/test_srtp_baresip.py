"""SRTP (SDES) against another vendor's softphone: baresip 1.0 with its srtp module.

DeskPhone's account "alice" registers at Kamailio; baresip "bob" answers at once (calls from
DeskPhone go straight to it) or dials alice through Kamailio. Both sides must agree that the
audio is encrypted: the engine's call event (`encrypted`, which the padlock shows) and
baresip's own "SRTP is Enabled" line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.phone.settings import AccountSettings, Settings
from app.phone.texts import T
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.baresip_peer import Baresip
from tests.engine_harness import EngineClient, running_engine
from tests.integration.calls_util import call_event, dismiss_popup
from tests.sipnet import HOST, Kamailio, kamailio

pytestmark = [pytest.mark.sip, pytest.mark.slow]


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[Kamailio]:
    with kamailio(tmp_path / "kam") as k:
        yield k


def write_account(config_dir: Path, kam: Kamailio, srtp: str) -> None:
    acc = AccountSettings(user="alice", server=HOST, port=kam.port, srtp=srtp)
    save_settings(config_dir, Settings(accounts=[acc]), SecretStore(config_dir, use_keyring=False))


def call_out(client: EngineClient, bob: Baresip) -> dict[str, Any]:
    """DeskPhone dials baresip; returns the last call event once the call is up or failed."""
    since = len(client.events)
    client.send("dial", target=bob.uri)
    return client.wait_for(
        lambda e: e.get("ev") == "call" and e["state"] in ("Talking", "CallFailed"), 15, since
    )


def call_in(client: EngineClient, bob: Baresip, kam: Kamailio) -> dict[str, Any]:
    """baresip dials alice through Kamailio; DeskPhone answers with its Answer soft key."""
    since = len(client.events)
    bob.dial(f"sip:alice@{kam.domain}", seconds=6)
    call_event(client, "CallIn", since)
    client.send("key", key="F1")
    return call_event(client, "Talking", since)


def encrypted_event(client: EngineClient, call: str) -> dict[str, Any]:
    """The call event saying its media is SRTP, and the screen the window gets with the lock."""
    event = client.wait_for(
        lambda e: e.get("ev") == "call" and e.get("id") == call and e.get("encrypted"), 5
    )
    client.wait_for(lambda e: e.get("ev") == "screen" and e["screen"].get("encrypted"), 5)
    return event


def hang_up(client: EngineClient, bob: Baresip) -> None:
    client.send("hangup_all")
    client.wait_for(lambda e: e.get("ev") == "call" and e["state"] == "Finished", 10)
    bob.stop()


@pytest.mark.parametrize(("mode", "peer"), [("optional", "srtp"), ("compulsory", "srtp-mand")])
def test_srtp_in_both_directions(
    tmp_path: Path, config_dir: Path, kam: Kamailio, mode: str, peer: str
) -> None:
    write_account(config_dir, kam, mode)
    with running_engine(config_dir) as (_engine, client):
        client.wait_account("Registered")
        dismiss_popup(client)
        out = Baresip(tmp_path / "out", user="bob", mediaenc=peer, auto_answer=True).listen(20)
        try:
            talking = call_out(client, out)
            assert talking["state"] == "Talking", talking
            encrypted_event(client, talking["id"])
        finally:
            hang_up(client, out)
        assert out.srtp_enabled(), out.output()[-1500:]

        caller = Baresip(tmp_path / "in", user="bob", proxy=kam.domain, mediaenc=peer)
        try:
            talking = call_in(client, caller, kam)
            encrypted_event(client, talking["id"])
        finally:
            hang_up(client, caller)
        assert caller.srtp_enabled(), caller.output()[-1500:]


def test_compulsory_srtp_to_a_peer_without_it_fails_with_a_clear_text(
    tmp_path: Path, config_dir: Path, kam: Kamailio
) -> None:
    write_account(config_dir, kam, "compulsory")
    with running_engine(config_dir) as (_engine, client):
        client.wait_account("Registered")
        dismiss_popup(client)
        plain = Baresip(tmp_path / "plain", user="bob", auto_answer=True).listen(20)
        try:
            failed = call_out(client, plain)
        finally:
            plain.stop()
        assert failed["state"] == "CallFailed" and failed["code"] == 488, failed
        assert failed["text"] == T.SRTP_REFUSED
        assert "Call established" not in plain.output()

        # A plain caller never gets through either: refused before the phone rings.
        since = len(client.events)
        caller = Baresip(tmp_path / "plain-in", user="bob", proxy=kam.domain)
        caller.dial(f"sip:alice@{kam.domain}", seconds=4)
        try:
            caller.wait(15)
        finally:
            caller.stop()
        rang = [e for e in client.events[since:] if e.get("ev") == "call"]
        assert rang == [], rang
        assert "488" in caller.output(), caller.output()[-1500:]


def test_optional_srtp_falls_back_to_plain_and_off_stays_plain(
    tmp_path: Path, config_dir: Path, kam: Kamailio
) -> None:
    write_account(config_dir, kam, "optional")
    with running_engine(config_dir) as (_engine, client):
        client.wait_account("Registered")
        dismiss_popup(client)
        plain = Baresip(tmp_path / "plain", user="bob", auto_answer=True).listen(20)
        try:
            talking = call_out(client, plain)
            assert talking["state"] == "Talking" and not talking["encrypted"], talking
        finally:
            hang_up(client, plain)
    write_account(config_dir, kam, "off")
    with running_engine(config_dir) as (_engine, client):
        client.wait_account("Registered")
        dismiss_popup(client)
        # baresip's best effort even puts a key into its answer to a plain offer: not used.
        keen = Baresip(tmp_path / "keen", user="bob", mediaenc="srtp", auto_answer=True)
        keen.listen(20)
        try:
            talking = call_out(client, keen)
            assert talking["state"] == "Talking", talking
        finally:
            hang_up(client, keen)
        calls = [e for e in client.events if e.get("ev") == "call"]
        assert not any(e.get("encrypted") for e in calls)
        assert not keen.srtp_enabled()
