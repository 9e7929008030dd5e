"""Forward-always and DND under load: answered before pjsua makes a call (flood_guard.py).

Before, every forwarded call was a pjsua call with two media sockets, so the flood guard had to
refuse anything above about 20 calls/s with 503 (docs/pjsua2.md §9). Now the 302 (or DND's
refusal) goes out statelessly from the core's policy and the call is recorded afterwards:
history, events and Action URL see every one of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.phone.settings import ForwardRule, RemoteSettings, Settings
from app.store.history import CallHistory, HistoryList
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, running_engine
from tests.integration.test_action_uri_engine import Receiver, receiver, sipp_call_id
from tests.sipnet import HOST, Sipp, free_port

pytestmark = [pytest.mark.sip]

PEERS = Path(__file__).resolve().parents[1]
FORWARD_OR_503 = str(PEERS / "bench" / "peers" / "uac-forward-or-503.xml")
FLOOD = str(PEERS / "robustness" / "peers" / "uac-invite-flood.xml")
TARGET = "sip:carol@127.0.0.1:5999"
__all__ = ["receiver"]  # the fixture, used by name below


def rate_caller(work: Path, scenario: str, port: int, calls: int, rate: int) -> Sipp:
    return Sipp(
        scenario,
        free_port(),
        work,
        target=f"{HOST}:{port}",
        service="deskphone",
        calls=calls,
        timeout=calls / rate + 20,
        extra=["-r", str(rate), "-rp", "1000"],
    )


def status(client: EngineClient) -> dict[str, object]:
    since = len(client.events)
    client.send("status")
    return client.wait_for(lambda e: e.get("ev") == "status", 5, since)


def test_forward_always_holds_200_calls_a_second(tmp_path: Path, config_dir: Path) -> None:
    settings = Settings()
    settings.forward.phone.always = ForwardRule(True, TARGET)
    save_settings(config_dir, settings)
    calls = 600
    with running_engine(config_dir) as (engine, client):
        assert engine.proc is not None
        pid = engine.proc.pid
        sipp = rate_caller(tmp_path / "sipp", FORWARD_OR_503, engine.port, calls, 200)
        sipp.run()
        log = sipp.log_file.read_text() if sipp.log_file.exists() else ""
        forwarded = sum(line.startswith("FWD ") for line in log.splitlines())
        refused = sum(line.startswith("REFUSED ") for line in log.splitlines())
        assert (forwarded, refused) == (calls, 0), sipp.messages()[-1500:]
        client.wait_for(
            lambda e: e.get("ev") == "call_removed" and e["id"] == f"i{calls}", timeout=20
        )
        ended = [e for e in client.events if e.get("ev") == "call" and e["state"] == "Finished"]
        assert len(ended) == calls
        assert all(e["extra"]["result"] == "forwarded" for e in ended)
        counts = status(client)
        assert counts["pid"] == pid and counts["answered_here"] == calls
        assert counts["invites_refused"] == 0
    rows = CallHistory(config_dir).calls(HistoryList.FORWARDED, 2 * calls)
    assert len(rows) == calls and {r.forward_target for r in rows} == {TARGET}


def test_dnd_refuses_300_calls_a_second_without_ringing(tmp_path: Path, config_dir: Path) -> None:
    settings = Settings()
    settings.dnd.enabled = True
    save_settings(config_dir, settings)
    calls = 600
    with running_engine(config_dir) as (engine, client):
        assert engine.proc is not None
        pid = engine.proc.pid
        sipp = rate_caller(tmp_path / "sipp", FLOOD, engine.port, calls, 300)
        sipp.run()
        log = sipp.messages()
        assert log.count("\nSIP/2.0 480 ") == calls, log[-1500:]
        assert "\nSIP/2.0 180 " not in log and "\nSIP/2.0 503 " not in log
        assert status(client)["pid"] == pid
    rows = CallHistory(config_dir).calls(HistoryList.ALL, 2 * calls)
    assert len(rows) == calls and {r.code for r in rows} == {480}


def test_a_stateless_forward_reaches_action_url_with_its_call_id(
    tmp_path: Path, config_dir: Path, receiver: Receiver
) -> None:
    urls = receiver.urls(("forward_incoming_call",))
    settings = Settings(remote=RemoteSettings(action_urls=urls))
    settings.forward.phone.always = ForwardRule(True, TARGET)
    save_settings(config_dir, settings)
    with running_engine(config_dir) as (engine, client):
        sipp = rate_caller(tmp_path / "sipp", FORWARD_OR_503, engine.port, 1, 1)
        assert sipp.run() == 0, sipp.messages()[-1500:]
        (got,) = receiver.wait("forward_incoming_call")
        assert got.values["call_id"] == sipp_call_id(sipp)
        assert got.values["remote"].startswith("sip:alice@127.0.0.1")
        assert status(client)["answered_here"] == 1
