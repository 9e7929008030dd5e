"""The real engine against real peers on 127.0.0.1: Kamailio as registrar/proxy, SIPp as callee."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.engine_harness import EngineProcess, running_engine, write_account
from tests.sipnet import HOST, Sipp, free_port, kamailio, start_registered

pytestmark = pytest.mark.sip


def _uas(tmp_path: Path, port: int | None = None) -> Sipp:
    sipp = Sipp("uas-180-200-rtp.xml", port or free_port(), tmp_path / "sipp", timeout=30)
    return sipp


def test_registers_calls_through_kamailio_and_hangs_up(tmp_path: Path, config_dir: Path) -> None:
    with kamailio(tmp_path / "kam") as kam:
        bob = _uas(tmp_path)
        start_registered(kam, "bob", bob)
        write_account(config_dir, "alice", HOST, kam.port)
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            client.send("dial", target=f"sip:bob@{kam.domain}")
            client.wait_call("RingBack")
            talking = client.wait_call("Talking")
            assert talking["remote_uri"] == f"sip:bob@{kam.domain}"
            client.send("hangup")
            client.wait_call("Finished")
            assert bob.wait(15) == 0, bob.messages()[-2000:]
        log = bob.messages()
        assert "INVITE sip:bob@" in log and "BYE sip:" in log
        # the INVITE went through the proxy: Kamailio's Record-Route is in it
        assert f"Record-Route: <sip:{HOST}:{kam.port};lr;" in log


def test_exception_in_a_callback_is_logged_and_the_engine_goes_on(
    tmp_path: Path, config_dir: Path
) -> None:
    with kamailio(tmp_path / "kam") as kam:
        write_account(config_dir, "alice", HOST, kam.port)
        callee = _uas(tmp_path).listen()
        env = {"DESKPHONE_FAULT_INJECT": "onRegState"}
        with running_engine(config_dir, env=env) as (engine, client):
            client.send("status")
            status = client.wait_for(
                lambda e: e.get("ev") == "status" and e["callback_failures"] > 0, 10
            )
            assert status["callback_failures"] >= 1
            # still alive and working: a direct call connects and ends
            client.send("dial", target=f"sip:carol@{HOST}:{callee.port}")
            client.wait_call("Talking")
            client.send("hangup")
            client.wait_call("Finished")
            assert callee.wait(15) == 0
        assert engine.proc is not None and engine.proc.returncode == 0
        log = engine.log_text()
        assert "callback onRegState raised" in log
        assert "InjectedFault: fault injected into onRegState" in log


def test_without_an_account_direct_calls_work(tmp_path: Path, config_dir: Path) -> None:
    callee = _uas(tmp_path).listen()
    with running_engine(config_dir) as (_engine, client):
        snapshot = client.wait_for(lambda e: e.get("ev") == "snapshot")
        assert [a["state"] for a in snapshot["accounts"]] == ["NoService"]
        client.send("dial", target=f"sip:carol@{HOST}:{callee.port}")
        client.wait_call("Talking")
        client.send("hangup")
        client.wait_call("Finished")
    assert callee.wait(15) == 0


def test_sigterm_hangs_up_the_call_first(tmp_path: Path, config_dir: Path) -> None:
    callee = _uas(tmp_path).listen()
    engine = EngineProcess(config_dir).start()
    client = engine.client()
    try:
        client.send("dial", target=f"sip:carol@{HOST}:{callee.port}")
        client.wait_call("Talking")
        assert engine.stop() == 0
    finally:
        client.close()
    assert callee.wait(15) == 0
    assert "BYE sip:" in callee.messages()


def test_a_taken_sip_port_is_reported_and_another_used(config_dir: Path) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind((HOST, port))
        with running_engine(config_dir, sip_port=port) as (engine, client):
            hello = client.wait_for(lambda e: e.get("ev") == "hello")
            assert hello["port"] != port and hello["port"] == engine.port
            assert f"SIP port {port} is in use; using {engine.port}" == hello["port_note"]


def test_bad_control_messages_get_errors_not_crashes(config_dir: Path) -> None:
    with running_engine(config_dir) as (engine, client):
        client.send_raw(b"not json\n")
        client.send_raw(b'{"v": 99, "op": "dial"}\n')
        client.send("dial")
        client.send("no_such_op")
        client.send("debug_abort_not_really")
        errors = []
        for _ in range(5):
            ev = client.wait_for(lambda e: e.get("ev") == "error" and e not in errors, 5)
            errors.append(ev)
        texts = " | ".join(e["text"] for e in errors)
        assert "not JSON" in texts and "protocol version 99" in texts
        assert "dial needs a target" in texts and "unknown op 'no_such_op'" in texts
        client.send("ping")
        client.wait_for(lambda e: e.get("ev") == "pong")
        assert engine.proc is not None and engine.proc.poll() is None


def test_an_unhashable_op_gets_an_error_and_the_engine_lives(config_dir: Path) -> None:
    """Found by the robustness suite: `{"op": []}` used to end the engine with a TypeError."""
    with running_engine(config_dir) as (engine, client):
        client.send_raw(b'{"v":1,"op":[]}\n{"v":1,"op":{}}\n')
        first = client.wait_for(lambda e: e.get("ev") == "error", 5)
        assert first["text"] == "op must be a string"
        client.send("ping")
        client.wait_for(lambda e: e.get("ev") == "pong", 5)
        assert engine.proc is not None and engine.proc.poll() is None
