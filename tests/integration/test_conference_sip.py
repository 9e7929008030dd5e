"""The local three-way conference end to end: the app calls two SIPp peers and joins
them with the Conference key; both calls stay up, marked as in conference, and both peers were
resumed (the last offer each got is sendrecv)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.phone.settings import Settings
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import (
    call_event,
    dismiss_popup,
    requests,
    screen_event,
    sdp_direction,
)
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip


def test_conference_key_joins_two_calls_and_both_stay_up(tmp_path: Path, config_dir: Path) -> None:
    save_settings(config_dir, Settings())
    peers = [
        Sipp("calls/uas-conf.xml", free_port(), tmp_path / "sipp", timeout=60).listen()
        for _ in range(2)
    ]
    bob, carol = (
        f"sip:{name}@{HOST}:{p.port}" for name, p in zip(("bob", "carol"), peers, strict=True)
    )
    try:
        with running_engine(config_dir) as (_engine, client):
            client.send("dial", target=bob)
            first = call_event(client, "Talking", 0, remote_uri=bob)
            dismiss_popup(client)
            client.wait_for(  # the talking screen with its Conference soft key on F3
                lambda e: (
                    e.get("ev") == "screen"
                    and e["screen"]["name"] == "talking"
                    and e["screen"]["softkeys"][2] == "Conference"
                ),
                10,
            )
            client.send("key", key="F3")  # Conference: holds bob, dial screen for the second
            screen = screen_event(client, "dialing", len(client.events) - 1)
            assert screen["title"] == "Conference"
            client.send("text", text=carol)
            client.send("key", key="OK")  # Send: calls carol
            second = call_event(client, "Talking", 0, remote_uri=carol)
            since = len(client.events)
            client.send("key", key="F3")  # Conference now: both joined
            for call in (first, second):
                call_event(client, "Talking", since, id=call["id"], text="Conference")
            time.sleep(2.0)  # both legs stay up: nobody hung up, nothing failed
            client.send("snapshot")
            snap = client.wait_for(lambda e: e.get("ev") == "snapshot", 5, since)
            states = {c["id"]: (c["state"], c["text"]) for c in snap["calls"]}
            assert states[first["id"]] == ("Talking", "Conference"), states
            assert states[second["id"]] == ("Talking", "Conference"), states
            assert all(p.proc is not None and p.proc.poll() is None for p in peers)
            client.send("hangup_all")
            for call in (first, second):
                call_event(client, "Finished", since, id=call["id"])
        for peer in peers:
            assert peer.wait(15) == 0, peer.messages()[-2000:]
    finally:
        for peer in peers:
            peer.stop()
    bob_offers = [sdp_direction(m) for m in requests(peers[0], "INVITE")]
    assert bob_offers[0] == "sendrecv" and "sendonly" in bob_offers  # held while dialling carol
    assert bob_offers[-1] == "sendrecv"  # and resumed into the conference
    assert requests(peers[0], "BYE") and requests(peers[1], "BYE")
