"""Input limits through the real engine: a FIFO as the ringtone, a display
name with `"` and `<`, a 500,000-character dial target and /etc/shadow as the TLS CA file.
SIPp plays the far ends on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, AudioSettings, Settings
from app.phone.sipheaders import header_values
from app.phone.sipuri import parse_contacts
from app.store.history import CallHistory
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import call_event, direct, requests, uac
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip


def _save(config_dir: Path, settings: Settings) -> None:
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


def test_a_fifo_as_ringtone_never_holds_the_sip_thread(tmp_path: Path, config_dir: Path) -> None:
    fifo = tmp_path / "ring.wav"
    os.mkfifo(fifo)  # nobody ever writes: open() for reading would wait for ever
    _save(config_dir, Settings(audio=AudioSettings(ringtone=str(fifo))))
    with running_engine(config_dir) as (engine, client):
        sipp = uac(tmp_path, "uac-call-expect-200.xml", direct(engine.port)).start()
        call = call_event(client, "CallIn")
        client.wait_for(
            lambda e: (
                e.get("ev") == "screen"
                and "not a regular file" in str((e["screen"].get("popup") or {}).get("text", ""))
            )
        )
        client.send("answer", call=call["id"])  # the SIP thread still works
        call_event(client, "Talking")
        assert sipp.wait(25) == 0, sipp.messages()[-1500:]
    assert "ring.wav: not a regular file" in engine.log_text()


def test_a_display_name_with_quotes_and_brackets_stays_one_quoted_name(
    tmp_path: Path, config_dir: Path
) -> None:
    name = 'Eve" <sip:boss@corp.example>;tag=forged'
    far = Sipp("redirect/uas-486.xml", free_port(), tmp_path / "far", timeout=20)
    far.listen()
    # A registrar nobody answers: the account exists, its calls go out directly.
    account = AccountSettings(user="alice", server=HOST, port=free_port(), display_name=name)
    _save(config_dir, Settings(accounts=[account]))
    try:
        with running_engine(config_dir) as (_engine, client):
            client.send("dial", target=f"sip:bob@{HOST}:{far.port}", account=1)
            call_event(client, "CallFailed")
            assert far.wait(15) == 0, far.messages()[-1500:]
    finally:
        far.stop()
    invite = requests(far, "INVITE")[0]
    (from_value,) = header_values(invite, "from")
    (sender,) = parse_contacts(from_value)
    assert sender.display == name, from_value
    assert sender.uri == f"sip:alice@{HOST}", from_value
    assert "boss@corp.example" not in sender.uri and sender.param("tag") != "forged"


def test_a_500000_character_dial_target_goes_nowhere(tmp_path: Path, config_dir: Path) -> None:
    _save(config_dir, Settings())
    far = Sipp("redirect/uas-486.xml", free_port(), tmp_path / "far", timeout=20)
    far.listen()
    huge = "sip:" + "b" * 500_000 + f"@{HOST}:{far.port}"
    try:
        with running_engine(config_dir) as (_engine, client):
            client.send("dial", target=huge)
            refused = client.wait_for(lambda e: e.get("ev") == "error")
            assert refused["text"].startswith("Address too long: sip:bbbb")
            assert len(refused["text"]) < 80
            client.send("dial", target=f"sip:bob@{HOST}:{far.port}")  # a normal call goes in
            call_event(client, "CallFailed")
            assert far.wait(15) == 0
    finally:
        far.stop()
    with CallHistory(config_dir) as history:
        rows = history.calls()
    assert [r.remote_uri for r in rows] == [f"sip:bob@{HOST}:{far.port}"]


def test_a_ca_file_that_is_no_certificate_is_never_handed_to_openssl(config_dir: Path) -> None:
    account = AccountSettings(user="alice", server=HOST, port=free_port(), transport="tls")
    _save(config_dir, Settings(accounts=[account], tls_ca_file="/etc/shadow"))
    with running_engine(config_dir) as (engine, client):
        failed = client.wait_account("RegisterFailed")
    reason = next(a["reason"] for a in failed.get("accounts", [failed]))
    assert re.match(r"CA file /etc/shadow: (not a PEM certificate file|.*denied)", reason), reason
    assert "TLS transport ready" not in engine.log_text()


def test_a_500000_character_label_never_reaches_the_screen(config_dir: Path) -> None:
    _save(config_dir, Settings(accounts=[AccountSettings(user="alice", server=HOST, port=9)]))
    path = config_dir / "settings.json"
    raw = json.loads(path.read_text())
    raw["accounts"][0]["label"] = "L" * 500_000
    path.write_text(json.dumps(raw))
    with running_engine(config_dir) as (_engine, client):
        snapshot = client.wait_for(lambda e: e.get("ev") == "snapshot")
        client.wait_for(lambda e: e.get("ev") == "screen")
        events = list(client.events)
    assert snapshot["accounts"][0]["label"] == "alice"  # reset: the line key shows the user
    assert max(len(json.dumps(e)) for e in events) < 20_000
