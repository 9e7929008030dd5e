"""Dialing features end to end: redial, dial from history and from the directory with
the handset's keys through the engine's control socket, and auto answer after its delay."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, FeatureSettings, Settings
from app.store.contact_formats import Contact
from app.store.directory import Directory
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.integration.calls_util import call_event, dismiss_popup, requests, screen_event, uac
from tests.sipnet import HOST, Sipp, free_port, kamailio

pytestmark = pytest.mark.sip


def back_to_idle(client: EngineClient) -> None:
    """X until the idle screen (after a call the handset may be back on the list it came from)."""
    for _ in range(4):
        screens = [e for e in client.events if e.get("ev") == "screen"]
        if screens and screens[-1]["screen"]["name"] == "idle":
            return
        since = len(client.events)
        client.send("key", key="X")
        client.wait_for(lambda e: e.get("ev") == "screen", 5, since)
        time.sleep(0.2)
    raise AssertionError("the handset did not go back to idle")


def talk_and_hang_up(client: EngineClient, since: int, uri: str) -> None:
    call = call_event(client, "Talking", since, remote_uri=uri)
    client.send("hangup", call=call["id"])
    call_event(client, "Finished", since, id=call["id"])
    client.wait_for(lambda e: e.get("ev") == "call_removed" and e["id"] == call["id"], 10, since)


def test_redial_history_and_directory_dial_through_the_keys(
    tmp_path: Path, config_dir: Path
) -> None:
    save_settings(config_dir, Settings())
    peer = Sipp("calls/uas-conf.xml", free_port(), tmp_path / "sipp", timeout=60, calls=4)
    peer.listen()
    bob = f"sip:bob@{HOST}:{peer.port}"
    carol = f"sip:carol@{HOST}:{peer.port}"
    Directory(config_dir).add(Contact(name="Carol", office=carol))
    try:
        with running_engine(config_dir) as (_engine, client):
            dismiss_popup(client)
            client.send("dial", target=bob)
            talk_and_hang_up(client, 0, bob)
            # REDIAL: the Placed list first (as on a T4x), REDIAL again dials its top row
            since = len(client.events)
            client.send("key", key="REDIAL")
            placed = screen_event(client, "history", since)
            assert placed["tabs"][placed["tab"]] == "Placed Calls" and placed["items"]
            client.send("key", key="REDIAL")
            talk_and_hang_up(client, since, bob)
            # History soft key, then OK on the selected row
            back_to_idle(client)
            since = len(client.events)
            client.send("key", key="F1")  # idle: History
            screen_event(client, "history", since)
            client.send("key", key="OK")
            talk_and_hang_up(client, since, bob)
            # Directory soft key, then OK on Carol
            back_to_idle(client)
            since = len(client.events)
            client.send("key", key="F2")  # idle: Directory
            directory = screen_event(client, "directory", since)
            assert directory["items"] == ["Carol"]
            client.send("key", key="OK")
            talk_and_hang_up(client, since, carol)
        assert peer.wait(15) == 0, peer.messages()[-2000:]
    finally:
        peer.stop()
    uris = [m.split()[1] for m in requests(peer, "INVITE") if "o=- 1 2" not in m]
    targets = [u.split(";")[0] for u in uris]
    assert targets[:4] == [bob, bob, bob, carol], targets


def test_auto_answer_after_the_delay(tmp_path: Path, config_dir: Path) -> None:
    with kamailio(tmp_path / "kam") as kam:
        acc = AccountSettings(user="alice", server=HOST, port=kam.port, auto_answer=True)
        settings = Settings(accounts=[acc], features=FeatureSettings(auto_answer_delay=2))
        save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            sipp = uac(tmp_path, "uac-call-expect-200.xml", kam.domain, service="alice").start()
            ringing = call_event(client, "CallIn")
            talking = call_event(client, "Talking", 0, id=ringing["id"])
            waited = talking["_rx"] - ringing["_rx"]
            assert 1.7 <= waited <= 4.0, waited  # nobody pressed anything
            assert sipp.wait(25) == 0, sipp.messages()[-2000:]  # SIPp got its 200
