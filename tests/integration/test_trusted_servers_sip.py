"""Accept SIP Trust Server Only, and a fair flood guard (app/phone/incoming_policy.py).

Other loopback addresses stand in for other hosts: 127.0.0.2 is a SIP scanner flooding the
phone, 127.0.0.3 an honest direct caller; Kamailio on 127.0.0.1 is the PBX the account
registers at. Before the incoming guard applied the policy, the scanner's INVITE rang the
registered phone, and a flood from one host took the whole media budget, so the PBX's own
call got a 503 (tests below failed on the code before this change).
"""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import pytest

from tests.engine_harness import EngineClient, running_engine, write_account
from tests.sipnet import HOST, Sipp, free_port, kamailio

pytestmark = [pytest.mark.sip]

FLOOD = str(Path(__file__).resolve().parents[1] / "robustness" / "peers" / "uac-invite-flood.xml")
SCANNER = "127.0.0.2"
NEIGHBOUR = "127.0.0.3"


def options_from(source: str, port: int, timeout: float = 1.0) -> bool:
    """True if an OPTIONS sent from `source` to the engine gets any answer."""
    tag = uuid.uuid4().hex[:12]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        lport = s.getsockname()[1]
        msg = (
            f"OPTIONS sip:100@{HOST}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {source}:{lport};branch=z9hG4bK{tag};rport\r\n"
            f"From: <sip:scan@{source}:{lport}>;tag={tag}\r\nTo: <sip:100@{HOST}:{port}>\r\n"
            f"Call-ID: {tag}@{source}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        s.settimeout(timeout)
        s.sendto(msg.encode(), (HOST, port))
        try:
            return s.recvfrom(65535)[0].startswith(b"SIP/2.0 ")
        except TimeoutError:
            return False


def caller(work: Path, name: str, target: str, service: str, calls: int, rate: int, host: str):
    """SIPp placing `calls` INVITEs at `rate`/s; a ringing call is CANCELled at once."""
    return Sipp(
        FLOOD,
        free_port(),
        work / name,
        target=target,
        service=service,
        calls=calls,
        timeout=calls / rate + 15,
        host=host,
        extra=["-r", str(rate), "-rp", "1000", "-recv_timeout", "1500"],
    )


def rang(sipp: Sipp) -> int:
    return sipp.messages().count("\nSIP/2.0 180 ")


def status(client: EngineClient) -> dict[str, object]:
    since = len(client.events)
    client.send("status")
    return client.wait_for(lambda e: e.get("ev") == "status", 5, since)


def test_registered_phone_drops_strangers_and_rings_for_the_pbx_during_a_flood(
    tmp_path: Path, config_dir: Path
) -> None:
    with kamailio(tmp_path / "kamailio") as kam:
        write_account(config_dir, "alice", HOST, kam.port)
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered")
            assert engine.proc is not None
            pid = engine.proc.pid
            target = f"{HOST}:{engine.port}"
            assert not options_from(SCANNER, engine.port), "a stranger's OPTIONS got an answer"
            scan = caller(tmp_path, "scan", target, "100", 300 * 6, 300, SCANNER).start()
            time.sleep(1.0)
            since = len(client.events)
            pbx = caller(tmp_path, "pbx", f"{HOST}:{kam.port}", "alice", 3, 1, HOST)
            assert pbx.run() == 0, pbx.messages()[-1500:]
            scan.wait(40)
            scan.stop()
            assert rang(pbx) == 3, "every call through the registrar rings during the flood"
            rung = {e["id"]: e for e in client.events[since:] if e.get("state") == "CallIn"}
            assert len(rung) == 3, "three calls rang, no scanner's among them"
            assert all(f"flood@{HOST}" in e["remote_uri"] for e in rung.values())
            sent = scan.messages().count("\nINVITE sip:")
            assert sent >= 300 * 6 * 0.8, f"the scanner sent only {sent} INVITEs"
            assert "\nSIP/2.0 " not in scan.messages(), "the scanner got an answer"
            counts = status(client)
            assert counts["pid"] == pid
            assert int(str(counts["requests_dropped"])) >= sent * 0.9
            assert int(str(counts["invites_refused"])) == 0


def test_without_an_account_direct_calls_ring_and_a_flood_leaves_others_their_share(
    tmp_path: Path, config_dir: Path
) -> None:
    with running_engine(config_dir) as (engine, client):
        assert engine.proc is not None
        pid = engine.proc.pid
        target = f"{HOST}:{engine.port}"
        assert options_from(SCANNER, engine.port), "no account: direct requests are answered"
        scan = caller(tmp_path, "scan", target, "deskphone", 300 * 6, 300, SCANNER).start()
        time.sleep(1.0)
        neighbour = caller(tmp_path, "neighbour", target, "deskphone", 4, 1, NEIGHBOUR)
        neighbour.run()
        scan.wait(40)
        scan.stop()
        assert rang(neighbour) == 4, neighbour.messages()[-1500:]
        assert "\nSIP/2.0 503 " not in neighbour.messages()
        log = scan.messages()
        assert log.count("\nSIP/2.0 503 ") > 300 * 6 * 0.5, "the flood was not refused"
        assert engine.proc.poll() is None and status(client)["pid"] == pid
