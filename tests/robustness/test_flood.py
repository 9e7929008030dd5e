"""INVITE floods at the real engine (docs/pjsua2.md §9: unguarded pjsua2 aborts at ~70/s).

SIPp sends INVITEs with SDP for 10 s at each rate; a ringing call is CANCELled at once and any
refusal ACKed. The engine must stay the same process, keep answering OPTIONS all along, and
refuse what it cannot take with 503 (app/sip/flood_guard.py) or 486 (pjsua's call limit).
A fresh engine without an account per rate, so one flood does not disturb the next.
Before the guard, 100/s and 200/s aborted the engine within 0.5 s (pj_ioqueue_register_sock2
assertion after ~33 INVITEs: every INVITE opened two media sockets whose ioqueue slots come back
only 0.5 s after close).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engine_harness import EngineClient, EngineProcess, running_engine
from tests.sipnet import HOST, Sipp, free_port, sip_options_ping

pytestmark = [pytest.mark.sip, pytest.mark.slow]

PEERS = Path(__file__).resolve().parent / "peers"
SCENARIO = str(PEERS / "uac-invite-flood.xml")
SECONDS = 10


@dataclass
class FloodResult:
    sent: int
    refused: int  # 503 + 486 responses SIPp received
    refused_503: int  # the flood guard's
    rang: int
    missed_pings: int
    elapsed: float
    exit_code: int | None  # engine's exit code, None while alive
    sipp_exit: int | None  # SIPp's: 0 when every call went as the scenario says


def _status(client: EngineClient) -> dict[str, object]:
    since = len(client.events)
    client.send("status")
    return client.wait_for(lambda e: e.get("ev") == "status", 5, since)


def flood(tmp_path: Path, engine: EngineProcess, rate: int) -> FloodResult:
    """Run `rate` INVITEs/s for SECONDS at the engine, pinging it with OPTIONS meanwhile."""
    assert engine.proc is not None
    sipp = Sipp(
        SCENARIO,
        free_port(),
        tmp_path / f"sipp-{rate}",
        target=f"{HOST}:{engine.port}",
        service="deskphone",
        calls=rate * SECONDS,
        timeout=SECONDS + 8,
        extra=["-r", str(rate), "-rp", "1000", "-recv_timeout", "4000"],
    )
    sipp.listen()  # on a fresh port if free_port()'s was taken meanwhile
    started = time.monotonic()
    missed = 0
    try:
        while sipp.proc is not None and sipp.proc.poll() is None:
            if engine.proc.poll() is not None:
                break
            if not sip_options_ping(engine.port, 1.0):
                missed += 1
            time.sleep(0.25)
            if time.monotonic() - started > SECONDS + 10:
                break
    finally:
        sipp.stop()
    log = sipp.messages()
    return FloodResult(
        sent=log.count("\nINVITE sip:"),
        refused=len(re.findall(r"\nSIP/2\.0 (?:503|486) ", log)),
        refused_503=log.count("\nSIP/2.0 503 "),
        rang=len(re.findall(r"\nSIP/2\.0 18[03] ", log)),
        missed_pings=missed,
        elapsed=time.monotonic() - started,
        exit_code=engine.proc.poll(),
        sipp_exit=sipp.proc.poll() if sipp.proc is not None else None,
    )


def _check(result: FloodResult, engine: EngineProcess, rate: int, pid: int) -> None:
    assert engine.proc is not None
    tail = engine.output.decode(errors="replace")[-400:]
    assert result.exit_code is None, f"engine exited {result.exit_code}: {tail}"
    assert engine.proc.pid == pid
    assert any(sip_options_ping(engine.port, 1.0) for _ in range(3)), "no OPTIONS answer after"
    assert result.sent >= rate * SECONDS * 0.9, f"SIPp sent only {result.sent} INVITEs: {result}"
    # pings every ~0.25 s with 1 s timeouts: at most one may be lost to a burst
    assert result.missed_pings <= 1, f"{result.missed_pings} OPTIONS unanswered during flood"


@pytest.mark.parametrize("rate", [50, 100, 200, 500])
def test_engine_survives_invite_flood(tmp_path: Path, config_dir: Path, rate: int) -> None:
    with running_engine(config_dir) as (engine, client):
        assert engine.proc is not None
        pid = engine.proc.pid
        result = flood(tmp_path, engine, rate)
        print(f"rate {rate}/s: {result}")
        _check(result, engine, rate, pid)
        status = _status(client)
        assert status["pid"] == pid
        if rate >= 100:
            # more than the guard's budget arrives: the excess is refused, not crashed on
            assert result.refused >= rate * SECONDS * 0.5
            assert result.refused_503 > 0
            assert int(str(status["invites_refused"])) >= result.refused_503 * 0.95
        # every INVITE got an answer: rang (then CANCELled) or refused
        assert result.rang + result.refused >= result.sent * 0.99


def test_established_call_survives_flood(tmp_path: Path, config_dir: Path) -> None:
    """A call set up before the flood keeps its dialog: in-dialog UPDATE every second answered,
    and its BYE at the end gets 200, while 500 INVITEs/s hit the same port."""
    peer = Sipp(str(PEERS / "uas-established.xml"), free_port(), tmp_path / "est", timeout=40)
    peer.listen()
    with running_engine(config_dir) as (engine, client):
        assert engine.proc is not None
        pid = engine.proc.pid
        client.send("dial", target=f"sip:est@{HOST}:{peer.port}")
        client.wait_call("Talking", 10)
        since = len(client.events)
        result = flood(tmp_path, engine, 500)
        print(f"rate 500/s with a call up: {result}")
        _check(result, engine, 500, pid)
        assert peer.wait(20) == 0, peer.messages()[-1500:]
        client.wait_call("Finished", 5, since)
        log = peer.messages()
        assert log.count("\nSIP/2.0 200 OK") >= 13, "every in-dialog UPDATE and the BYE got 200"
        status = _status(client)
        assert int(str(status["invites_refused"])) > 0
    peer.stop()
