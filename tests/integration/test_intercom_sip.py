"""Intercom end to end: the real engine and SIPp on 127.0.0.1.

In: an INVITE with Call-Info answer-after=0 is answered by the phone itself when intercom is
allowed (no 180, no key), and rings like any call when it is not. Out: an Intercom key's call
carries the configured intercom header.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, LineKeySettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import call_event, direct, responses, sip_messages, uac
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

INTERCOM = 14


def save(config_dir: Path, settings: Settings) -> None:
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


def test_an_intercom_call_is_answered_by_itself(tmp_path: Path, config_dir: Path) -> None:
    save(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = uac(tmp_path, "blf/uac-intercom.xml", direct(engine.port), "deskphone").start()
        call = call_event(client, "Talking")
        assert call["extra"].get("intercom") == "answered"
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    assert responses(sipp)[-2:] == [200, 200] and 180 not in responses(sipp)  # no ringing


def test_with_intercom_not_allowed_it_rings_like_any_call(tmp_path: Path, config_dir: Path) -> None:
    settings = Settings()
    settings.features.intercom.allow = False
    save(config_dir, settings)
    with running_engine(config_dir) as (engine, client):
        sipp = uac(tmp_path, "blf/uac-intercom.xml", direct(engine.port), "deskphone").start()
        call_event(client, "CallIn")
        client.send("key", key="OK")  # the user answers
        call_event(client, "Talking")
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    assert 180 in responses(sipp)


def test_an_intercom_key_calls_with_the_intercom_header(tmp_path: Path, config_dir: Path) -> None:
    proxy = Sipp("proxy/uas-proxy-register-call.xml", free_port(), tmp_path / "sipp", calls=2)
    proxy.start().wait_listening()
    acc = AccountSettings(user="alice", server=HOST, port=proxy.port)
    settings = Settings(accounts=[acc], line_keys={2: LineKeySettings(INTERCOM, 1, "1005", "Ops")})
    save(config_dir, settings)
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
    assert invite.startswith(f"INVITE sip:1005@{HOST}:{proxy.port} ")
    assert "Call-Info: <sip:notused>;answer-after=0" in invite
