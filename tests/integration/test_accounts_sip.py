"""Accounts end to end: several accounts at one Kamailio, re-registration with
backoff and the registrar's reason on screen, REGISTER over TLS. Real engine, 127.0.0.1 only."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.integration.calls_util import call_event, caller, screen_event, wait_until
from tests.peers.calls.tiny_registrar import TinyRegistrar, self_signed_cert
from tests.sipnet import HOST, kamailio

pytestmark = pytest.mark.sip


def save(config_dir: Path, settings: Settings) -> None:
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


def snapshot_accounts(client: EngineClient) -> list[dict[str, Any]]:
    since = len(client.events)
    client.send("snapshot")
    ev = client.wait_for(lambda e: e.get("ev") == "snapshot", 5, since)
    return list(ev["accounts"])


def test_three_accounts_register_each_and_a_call_to_the_second_rings_on_its_key(
    tmp_path: Path, config_dir: Path
) -> None:
    with kamailio(tmp_path / "kam") as kam:
        users = ("alice", "bob", "carol")
        save(
            config_dir,
            Settings(
                accounts=[
                    AccountSettings(user=u, server=HOST, port=kam.port, label=u.title())
                    for u in users
                ]
            ),
        )
        with running_engine(config_dir) as (_engine, client):
            assert wait_until(
                lambda: [a["state"] for a in snapshot_accounts(client)] == ["Registered"] * 3, 15
            ), snapshot_accounts(client)
            accounts = snapshot_accounts(client)
            assert [a["uri"] for a in accounts] == [f"sip:{u}@{kam.domain}" for u in users]
            # the idle screen once all three are shown registered (popups aside); earlier
            # screens also have three equal icons (all still registering)
            idle = client.wait_for(
                lambda e: (
                    e.get("ev") == "screen"
                    and e["screen"]["name"] == "idle"
                    and e["screen"]["status"]["registration"] == "Registered"
                    and e["screen"]["status"]["account"] == "Alice"
                    and [k["label"] for k in e["screen"]["line_keys"][:3]]
                    == ["Alice", "Bob", "Carol"]
                    and len({k["icon"] for k in e["screen"]["line_keys"][:3]}) == 1
                ),
                10,
            )["screen"]
            assert idle["line_keys"][0]["icon"] not in ("failed", "")
            sipp = caller(tmp_path, kam.domain, service="bob").start()
            ringing = call_event(client, "CallIn")
            assert ringing["account"] == 2
            incoming = screen_event(client, "incoming")
            l1, l2 = incoming["line_keys"][0], incoming["line_keys"][1]
            assert (l2["led_colour"], l2["led_mode"]) == ("green", "fast"), l2
            assert l1["led_mode"] != "fast"
            client.send("answer", call=ringing["id"])
            call_event(client, "Talking")
            client.send("hangup", call=ringing["id"])
            assert sipp.wait(15) == 0, sipp.messages()[-2000:]


def test_failed_register_retries_with_growing_backoff_and_shows_the_reason(
    tmp_path: Path, config_dir: Path
) -> None:
    # 403 to the first two REGISTERs, then 200: retries come ~5 s and ~10 s apart.
    registrar = TinyRegistrar(lambda n: (403, "Forbidden") if n < 2 else (200, "OK"))
    try:
        save(
            config_dir,
            Settings(accounts=[AccountSettings(user="dave", server=HOST, port=registrar.port)]),
        )
        with running_engine(config_dir) as (_engine, client):
            failed = client.wait_account("RegisterFailed", 10)
            if failed.get("ev") == "account":
                assert failed["code"] == 403 and failed["reason"] == "Forbidden"
            note = client.wait_for(
                lambda e: (
                    e.get("ev") == "screen"
                    and e["screen"]["name"] == "idle"
                    and e["screen"].get("note") == "Register failed! 403 Forbidden"
                ),
                10,
            )
            assert note["screen"]["status"]["registration"] == "Register failed!"
            client.wait_account("Registered", 30, len(client.events))
        times = [r.at for r in registrar.registers()][:3]  # then the un-REGISTER at exit
    finally:
        registrar.close()
    assert len(times) == 3, times
    first, second = times[1] - times[0], times[2] - times[1]
    assert 3.5 <= first <= 6.0, first  # 5 s less up to 20 % jitter
    assert 7.5 <= second <= 11.0, second  # then 10 s
    assert second > first * 1.5


def _tls_settings(port: int, **extra: Any) -> Settings:
    acc = AccountSettings(user="erin", server=HOST, port=port, transport="tls")
    return Settings(accounts=[acc], **extra)


def test_register_over_tls_with_verification_off(tmp_path: Path, config_dir: Path) -> None:
    cert, key = self_signed_cert(tmp_path / "tls")
    registrar = TinyRegistrar(lambda n: (200, "OK"), "tls", cert, key)
    try:
        save(config_dir, _tls_settings(registrar.port, tls_verify_server=False))
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered", 15)
            assert "OpenSSL" in engine.log_text() and "1.0.2k" in engine.log_text()
        register = registrar.registers()[0].message
    finally:
        registrar.close()
    assert register.startswith(f"REGISTER sips:{HOST}:{registrar.port}")
    assert "SIP/2.0/TLS" in register.split("\r\n", 2)[1]  # the Via names the transport


def test_tls_verifies_the_server_by_default(tmp_path: Path, config_dir: Path) -> None:
    """With the default settings a self-signed certificate is refused; with it given as the
    CA file the same server is trusted."""
    cert, key = self_signed_cert(tmp_path / "tls")
    registrar = TinyRegistrar(lambda n: (200, "OK"), "tls", cert, key)
    try:
        save(config_dir, _tls_settings(registrar.port))
        with running_engine(config_dir) as (_engine, client):
            failed = client.wait_for(
                lambda e: e.get("ev") == "account" and e.get("state") == "RegisterFailed", 20
            )
            time.sleep(0.5)
            assert registrar.registers() == []  # the connection closed before any REGISTER
        print("refused:", failed["code"], failed["reason"])
        assert failed["code"] == 503 and "certificate" in failed["reason"]
        save(config_dir, _tls_settings(registrar.port, tls_ca_file=str(cert)))
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered", 15)
        assert registrar.registers()
    finally:
        registrar.close()
