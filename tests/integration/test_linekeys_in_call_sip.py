"""Line keys pressed during a call, end to end: the real engine answers a SIPp caller on
127.0.0.1, then a key press transfers the call as Yealink's keys do (docs/yealink.md §13):
a BLF key blind-transfers to the colleague (transfer.dsskey_deal_type's default), a Call Park
key transfers to its orbit; with the setting at Attended Transfer the BLF key holds the call
and calls the colleague, and Transfer then joins them (REFER with Replaces). Each REFER is read
off the wire.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.phone.settings import LineKeySettings, Settings
from app.phone.settings.linekeys import KeyBehaviour
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import (
    call_event,
    caller,
    direct,
    requests,
    screen_event,
    wait_until,
)
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

BLF, CALL_PARK = 16, 10


@pytest.mark.parametrize(
    ("key", "target"),
    [
        (LineKeySettings(BLF, 1, "sip:bob@127.0.0.1:5998", "Bob"), r"sip:bob@127\.0\.0\.1:5998"),
        (LineKeySettings(CALL_PARK, 1, "sip:701@127.0.0.1:5997"), r"sip:701@127\.0\.0\.1:5997"),
    ],
    ids=["blf", "park"],
)
def test_a_key_pressed_in_a_call_transfers_it(
    tmp_path: Path, config_dir: Path, key: LineKeySettings, target: str
) -> None:
    save_settings(config_dir, Settings(line_keys={2: key}))
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, direct(engine.port)).start()
        call = call_event(client, "CallIn")
        client.send("answer", call=call["id"])
        call_event(client, "Talking", 0, id=call["id"])
        assert wait_until(lambda: "ACK sip:" in sipp.messages(), 5)
        client.send("key", key="L2")
        ended = call_event(client, "Finished")
        assert ended["extra"].get("transferred") == "1", ended
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    refer = requests(sipp, "REFER")
    assert len(refer) == 1, refer
    assert re.search(rf"^Refer-To: <?{target}>?\s*$", refer[0], re.MULTILINE), refer[0][:600]
    assert "Replaces" not in refer[0]


def test_with_attended_transfer_a_blf_key_consults_the_colleague_first(
    tmp_path: Path, config_dir: Path
) -> None:
    target = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=40).listen()
    bob = f"sip:bob@{HOST}:{target.port}"
    settings = Settings(
        line_keys={2: LineKeySettings(BLF, 1, bob, "Bob")},
        keys=KeyBehaviour(dsskey_transfer="attended"),
    )
    save_settings(config_dir, settings)
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, direct(engine.port)).start()
        first = call_event(client, "CallIn")
        client.send("answer", call=first["id"])
        call_event(client, "Talking", 0, id=first["id"])
        assert wait_until(lambda: "ACK sip:" in sipp.messages(), 5)
        client.send("key", key="L2")  # Bob's key: the call held, Bob called
        consult = call_event(client, "Talking", 0, remote_uri=bob)
        assert not requests(sipp, "REFER")  # nothing transferred yet
        screen = screen_event(client, "talking", len(client.events) - 1)
        assert screen["softkeys"][0] == "Transfer"
        client.send("key", key="F1")  # Transfer: attended
        call_event(client, "Finished", 0, id=first["id"])
        call_event(client, "Finished", 0, id=consult["id"])
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
        assert target.wait(15) == 0
    invites = requests(sipp, "INVITE")
    assert invites and "a=sendonly" in invites[0]  # the first call was held for the consultation
    refer = requests(sipp, "REFER")
    assert len(refer) == 1
    refer_to = re.search(r"^Refer-To: (.*)$", refer[0], re.MULTILINE)
    assert refer_to is not None and "bob@" in refer_to.group(1), refer[0][:600]
    assert "Replaces=" in refer_to.group(1)
