"""The seed flow with another vendor's client as the caller: baresip A → Kamailio → DeskPhone B
answers 302 → Kamailio relays it → baresip follows to SIPp C through the proxy, C answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, ForwardRule, Settings
from app.store.settings import save_settings
from tests.baresip_peer import Baresip
from tests.engine_harness import running_engine
from tests.sipnet import HOST, Sipp, free_port, kamailio, start_registered

pytestmark = pytest.mark.sip


def test_baresip_follows_deskphones_302_to_carol(tmp_path: Path, config_dir: Path) -> None:
    with kamailio(tmp_path / "kam") as kam:
        carol = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30)
        start_registered(kam, "carol", carol)
        settings = Settings(accounts=[AccountSettings(user="bob", server=HOST, port=kam.port)])
        settings.forward.phone.always = ForwardRule(True, f"sip:carol@{kam.domain}")
        save_settings(config_dir, settings)
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            alice = Baresip(tmp_path / "baresip", proxy=kam.domain)
            alice.dial(f"sip:bob@{kam.domain}", seconds=5)
            try:
                forwarded = client.wait_for(
                    lambda e: e.get("ev") == "call" and e["state"] == "Finished", 10
                )
                assert forwarded["extra"]["result"] == "forwarded"
                assert carol.wait(20) == 0, carol.messages()[-1500:]
                alice.wait(10)
            finally:
                alice.stop()
    out = alice.output().replace("\r", "\n")
    # baresip keeps showing the number it dialled (bob) for the followed call
    assert f"Call established: sip:bob@{kam.domain}" in out
    log = carol.messages()
    # C was reached through the proxy (its Record-Route) by a new INVITE from baresip's alice
    assert "INVITE sip:carol@" in log  # baresip keeps To: bob on the followed call
    assert "From: <sip:alice@" in log
    assert f"Record-Route: <sip:{HOST}:{kam.port};lr;" in log
    assert "BYE sip:" in log
