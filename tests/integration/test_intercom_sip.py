"""Intercom end to end: the real engine and SIPp on 127.0.0.1.

In: with an account registered (its registrar a tiny one on 127.0.0.1, so that calls come from
trusted servers only), an INVITE with Call-Info answer-after=0 is answered by the phone itself
when intercom is allowed (no 180, no key), and rings like any call when it is not; with no
account registered (a direct IP call, from anyone) it rings as well. Out: an Intercom key's
call carries the configured intercom header.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, LineKeySettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import call_event, direct, responses, sip_messages, uac
from tests.peers.calls.tiny_registrar import TinyRegistrar
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

INTERCOM = 14


def save(config_dir: Path, settings: Settings) -> None:
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


def registered(registrar: TinyRegistrar, allow: bool = True) -> Settings:
    settings = Settings(accounts=[AccountSettings(user="alice", server=HOST, port=registrar.port)])
    settings.features.intercom.allow = allow
    return settings


def test_an_intercom_call_is_answered_by_itself(tmp_path: Path, config_dir: Path) -> None:
    registrar = TinyRegistrar(lambda n: (200, "OK"))
    try:
        save(config_dir, registered(registrar))
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            sipp = uac(tmp_path, "blf/uac-intercom.xml", direct(engine.port), "alice").start()
            call = call_event(client, "Talking")
            assert call["extra"].get("intercom") == "answered"
            assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    finally:
        registrar.close()
    assert responses(sipp)[-2:] == [200, 200] and 180 not in responses(sipp)  # no ringing


def test_with_intercom_not_allowed_it_rings_like_any_call(tmp_path: Path, config_dir: Path) -> None:
    registrar = TinyRegistrar(lambda n: (200, "OK"))
    try:
        save(config_dir, registered(registrar, allow=False))
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            sipp = uac(tmp_path, "blf/uac-intercom.xml", direct(engine.port), "alice").start()
            call_event(client, "CallIn")
            client.send("key", key="OK")  # the user answers
            call_event(client, "Talking")
            assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    finally:
        registrar.close()
    assert 180 in responses(sipp)


def test_a_direct_ip_intercom_call_rings(tmp_path: Path, config_dir: Path) -> None:
    """No account registered: anyone may call the phone directly, so asking for intercom does
    not open its microphone; the call rings."""
    save(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = uac(tmp_path, "blf/uac-intercom.xml", direct(engine.port), "deskphone").start()
        call = call_event(client, "CallIn")
        assert call["extra"].get("intercom") is None
        client.send("key", key="OK")
        call_event(client, "Talking")
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    assert 180 in responses(sipp)


def test_an_intercom_key_calls_with_the_intercom_header(tmp_path: Path, config_dir: Path) -> None:
    proxy = Sipp("proxy/uas-proxy-register-call.xml", free_port(), tmp_path / "sipp", calls=2)
    proxy.listen()
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
