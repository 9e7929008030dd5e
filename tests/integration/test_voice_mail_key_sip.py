"""A Voice Mail line key end to end: the real engine and a SIPp registrar/proxy on 127.0.0.1.

The key's value (*97) is called on the key's account, as an ordinary call through the
account's server. (The account's own Voice Mail number, voice_mail.number.X, is a setting of
the voice mail work; the unit tests cover the key's choice between the two.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, LineKeySettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import call_event, sip_messages
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

VOICE_MAIL = 12


def test_a_voice_mail_key_calls_the_voice_mail(tmp_path: Path, config_dir: Path) -> None:
    proxy = Sipp("proxy/uas-proxy-register-call.xml", free_port(), tmp_path / "sipp", calls=2)
    proxy.listen()
    acc = AccountSettings(user="alice", server=HOST, port=proxy.port)
    keys = {2: LineKeySettings(VOICE_MAIL, 1, "*97")}
    settings = Settings(accounts=[acc], line_keys=keys)
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))
    try:
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            client.send("key", key="L2")
            call_event(client, "Talking")
            client.send("key", key="X")
            call_event(client, "Finished")
            assert proxy.wait(15) == 0, proxy.messages()[-2000:]
    finally:
        proxy.stop()
    invite = next(m for m in sip_messages(proxy) if m.startswith("INVITE "))
    assert invite.startswith(f"INVITE sip:*97@{HOST}:{proxy.port} "), invite[:200]
    assert "From: " in invite and "alice@" in invite
