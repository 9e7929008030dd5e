"""RTP sockets are polled only while a call exists (app/sip/media_poll.py).

pjmedia's own worker woke 100 times a second in an idle engine; the engine's poller is parked
while there is no call, polls during one (the call's audio is tested in tests/audio), and
parks again once the last call is over.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.sip.media_poll import LINGER_S
from tests.engine_harness import EngineClient, running_engine
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip


def _polls(client: EngineClient) -> int:
    since = len(client.events)
    client.send("status")
    return int(client.wait_for(lambda e: e.get("ev") == "status", 5, since)["media_polls"])


def test_media_sockets_are_polled_during_a_call_and_not_while_idle(
    tmp_path: Path, config_dir: Path
) -> None:
    bob = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30)
    bob.listen()
    with running_engine(config_dir) as (_engine, client):
        client.wait_for(lambda e: e.get("ev") == "snapshot")
        idle = _polls(client)
        time.sleep(1.0)
        assert _polls(client) == idle, "the poller woke while there was no call"
        client.send("dial", target=f"sip:bob@{HOST}:{bob.port}")
        client.wait_call("Talking", 15)
        start = _polls(client)
        time.sleep(1.0)
        during = _polls(client) - start
        assert during >= 30, f"{during} polls in 1 s of call (pjmedia's own rate is 100)"
        client.send("hangup")
        client.wait_call("Finished")
        time.sleep(LINGER_S + 1.5)
        parked = _polls(client)
        time.sleep(1.0)
        assert _polls(client) == parked, "still polling after the call and its linger"
    assert bob.wait(15) == 0, bob.messages()[-2000:]
