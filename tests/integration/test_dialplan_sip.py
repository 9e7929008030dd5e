"""The dial plan through the real engine: digits typed on the handset (control socket
op "key") go out as the number a replace rule makes of them, and a block-out number sends no
INVITE at all. Kamailio routes the replaced number to a SIPp UAS registered under it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.phone.settings import (
    AccountSettings,
    BlockOutRule,
    DialNowRule,
    DialPlanSettings,
    ReplaceRule,
    Settings,
)
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.integration.calls_util import call_event, requests
from tests.integration.test_dial_features_sip import dismiss_popup
from tests.sipnet import HOST, Sipp, free_port, kamailio, start_registered

pytestmark = pytest.mark.sip

TYPED = "0012354599"
REPLACED = "90012354599"  # the admin guide's example: 001(xxx)45(xx) -> 9001$145$2
BLOCKED = "4321"


def type_digits(client: EngineClient, digits: str) -> None:
    for digit in digits:
        client.send("key", key=digit)


def test_replace_rule_sets_the_request_uri_and_block_out_sends_nothing(
    tmp_path: Path, config_dir: Path
) -> None:
    with kamailio(tmp_path / "kam") as kam:
        peer = Sipp("calls/uas-conf.xml", free_port(), tmp_path / "sipp", timeout=60, calls=1)
        start_registered(kam, REPLACED, peer)
        plan = DialPlanSettings(
            replace={1: ReplaceRule("001(xxx)45(xx)", "9001$145$2")},
            dialnow={1: DialNowRule("001xxxxxxx")},  # ten digits: no Send needed
            block_out={1: BlockOutRule(BLOCKED)},
            dialnow_delay=0,
        )
        account = AccountSettings(user="alice", server=HOST, port=kam.port)
        settings = Settings(accounts=[account], dialplan=plan)
        save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
        try:
            with running_engine(config_dir) as (_engine, client):
                client.wait_account("Registered")
                dismiss_popup(client)
                since = len(client.events)
                type_digits(client, BLOCKED)
                client.send("key", key="F1")  # Send
                refused = client.wait_for(
                    lambda e: e.get("ev") == "error" and e.get("text") == "Forbidden number!",
                    10,
                    since,
                )
                popup = client.wait_for(
                    lambda e: e.get("ev") == "screen" and bool(e["screen"].get("popup")), 10, since
                )
                assert popup["screen"]["popup"]["text"] == "Forbidden number!"
                assert not [e for e in client.events[since:] if e.get("ev") == "call"], refused
                client.send("key", key="X")  # acknowledge the pop-up
                client.send("key", key="X")  # leave the dial screen

                since = len(client.events)
                type_digits(client, TYPED)  # dial-now places it on the tenth digit
                uri = f"sip:{REPLACED}@{kam.domain}"
                call = call_event(client, "Talking", since, remote_uri=uri)
                client.send("hangup", call=call["id"])
                call_event(client, "Finished", since, id=call["id"])
            assert peer.wait(15) == 0, peer.messages()[-2000:]
        finally:
            peer.stop()
    invites = [m for m in requests(peer, "INVITE") if "o=- 1 2" not in m]
    assert len(invites) == 1, invites  # nothing for the blocked number
    request_uri = invites[0].split()[1]
    assert request_uri.startswith(f"sip:{REPLACED}@{HOST}:{peer.port}"), request_uri
    to = re.search(r"(?im)^(?:to|t):\s*<?([^>;\r\n]+)", invites[0])
    # the To is what DeskPhone asked for (the proxy rewrote the Request-URI to the contact)
    assert to is not None and to.group(1).startswith(f"sip:{REPLACED}@{HOST}"), invites[0]
    assert f"sip:{TYPED}@" not in invites[0]
