"""Block-out rules and the redirect block list stop a number in every form.

The phone's country is Germany (tone country), the dial plan blocks `0900.` (premium rate) and
the redirect block list holds `0190`. The same premium number written as tel:, sip:, sips:,
user@host, with `+`, `00` or the national `0` must send no INVITE; nor may a 302 reach it. A
SIPp on 127.0.0.1 receives whatever is sent to the numbers' host; the last, harmless dial
proves it would have seen an INVITE.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.settings import (
    AccountSettings,
    AudioSettings,
    BlockOutRule,
    DialPlanSettings,
    FeatureSettings,
    RedirectSettings,
    Settings,
)
from app.phone.texts import T
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.integration.calls_util import requests
from tests.integration.test_redirect_sip import Peers
from tests.sipnet import HOST, Sipp, free_port, kamailio

pytestmark = pytest.mark.sip


def _forbidden(client: EngineClient, target: str) -> None:
    since = len(client.events)
    client.send("dial", target=target)
    try:
        client.wait_for(
            lambda e: e.get("ev") == "error" and e.get("text") == T.FORBIDDEN_NUMBER, 10, since
        )
    except TimeoutError:
        placed = [e["remote_uri"] for e in client.events[since:] if e.get("ev") == "call"]
        raise AssertionError(f"{target!r} was not refused; calls: {placed[:1]}") from None
    assert not [e for e in client.events[since:] if e.get("ev") == "call"], target


def test_every_form_of_a_blocked_number_is_refused(tmp_path: Path, config_dir: Path) -> None:
    with kamailio(tmp_path / "kam") as kam:
        sink = Sipp("redirect/uas-486.xml", free_port(), tmp_path / "sink", timeout=60, calls=20)
        sink.listen()
        here = f"{HOST}:{sink.port}"
        peers = Peers(kam, tmp_path / "sipp")
        settings = Settings(
            accounts=[AccountSettings(user="alice", server=HOST, port=kam.port)],
            dialplan=DialPlanSettings(block_out={1: BlockOutRule("0900.")}),
            audio=AudioSettings(tone_country="Germany"),
            features=FeatureSettings(redirect=RedirectSettings(block_prefixes=["0190"])),
        )
        save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
        try:
            premium_302 = peers.add(
                "bob", "redirect/uas-302-chain.xml", next_hop=f"sip:0049900123456@{here}"
            )
            prefix_302 = peers.add(
                "carol", "redirect/uas-302-chain.xml", next_hop=f"sip:%2B49190123456@{here}"
            )
            with running_engine(config_dir) as (_engine, client):
                client.wait_account("Registered")
                for target in (
                    "0900123456",  # the form the rule is written in: refused before, too
                    "+49 900 123456",
                    "0049900123456",
                    "tel:+49-900-123456",
                    f"sip:0049900123456@{here}",
                    f"sips:+49900123456@{here};user=phone",
                    f"0900123456@{here}",
                    f"sip:%2B49900123456@{here}",
                ):
                    _forbidden(client, target)
                for peer, why in (
                    (premium_302, "Forward to 0049900123456 blocked: rule 0900."),
                    (prefix_302, "Forward to +49190123456 blocked: prefix 0190"),
                ):
                    since = len(client.events)
                    client.send("dial", target=peers.uri(peer.service))
                    failed = client.wait_for(
                        lambda e: e.get("ev") == "call" and e["state"] == "CallFailed", 15, since
                    )
                    assert (failed["text"], failed["extra"].get("why")) == ("Forward blocked!", why)
                    assert peer.wait(15) == 0
                since = len(client.events)
                client.send("dial", target=f"sip:+49301234567@{here}")  # not premium: goes out
                client.wait_for(
                    lambda e: e.get("ev") == "call" and e["state"] == "CallFailed", 15, since
                )
        finally:
            peers.stop()
            sink.stop()
    invites = requests(sink, "INVITE")
    assert [i.split("\n", 1)[0] for i in invites] == [f"INVITE sip:+49301234567@{here} SIP/2.0"]
