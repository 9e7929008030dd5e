"""Quitting the engine takes its registration off the registrar (Expires: 0).

How long quitting takes is a benchmark row (tests/bench/startup_bench.py), not a test."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest

from app.sip.logwriter import SIP_LOG_NAME
from tests.engine_harness import running_engine, write_account
from tests.sipnet import HOST, kamailio

pytestmark = pytest.mark.sip


def _options_code(kam_port: int, user: str) -> int:
    """Status of an OPTIONS for `user` sent through Kamailio (404 once nobody is registered)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        s.settimeout(10)
        port = s.getsockname()[1]
        branch = "z9hG4bK" + uuid.uuid4().hex
        msg = (
            f"OPTIONS sip:{user}@{HOST}:{kam_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {HOST}:{port};branch={branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:probe@{HOST}:{port}>;tag={uuid.uuid4().hex[:8]}\r\n"
            f"To: <sip:{user}@{HOST}:{kam_port}>\r\n"
            f"Call-ID: {uuid.uuid4().hex}\r\nCSeq: 1 OPTIONS\r\n"
            f"Contact: <sip:probe@{HOST}:{port}>\r\nContent-Length: 0\r\n\r\n"
        )
        s.sendto(msg.encode(), (HOST, kam_port))
        while True:
            data = s.recv(65535).decode(errors="replace")
            code = int(data.split(" ", 2)[1])
            if code >= 200:
                return code


def test_quit_unregisters(tmp_path: Path, config_dir: Path) -> None:
    with kamailio(tmp_path / "kam") as kam:
        write_account(config_dir, "alice", HOST, kam.port)
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            assert _options_code(kam.port, "alice") == 200  # relayed to the running engine
            assert engine.stop() == 0
        assert _options_code(kam.port, "alice") == 404, "the contact is still registered"
    sip_log = (config_dir / "logs" / SIP_LOG_NAME).read_text(errors="replace")
    register = sip_log.split("REGISTER sip:")[-1]  # the last REGISTER the engine sent
    assert "Expires: 0" in register or "expires=0" in register, register[:600]
