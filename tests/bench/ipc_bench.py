"""SIP packet → pjsua2 callback, UI intent → engine and engine event → UI (control socket).

A MESSAGE's send time against the CLOCK_MONOTONIC time the engine notes in onInstantMessage;
a `ping` intent's send time against the engine's receive time, and the `pong`'s send time
against this reader's receive time. All processes share CLOCK_MONOTONIC.
"""

from __future__ import annotations

import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from tests.bench.table import Row, pct
from tests.engine_harness import EngineClient, EngineProcess, Event


def _message(port: int, lport: int, n: int) -> bytes:
    tag = uuid.uuid4().hex[:8]
    body = f"bench {n}"
    return (
        f"MESSAGE sip:deskphone@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK{uuid.uuid4().hex[:16]};rport\r\n"
        f"From: <sip:bench@127.0.0.1:{lport}>;tag={tag}\r\n"
        f"To: <sip:deskphone@127.0.0.1:{port}>\r\nCall-ID: {uuid.uuid4().hex}\r\n"
        f"CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def _is_message(body: str) -> Callable[[Event], bool]:
    return lambda e: e.get("ev") == "message" and e.get("body") == body


def _packet_to_callback(engine: EngineProcess, client: EngineClient, samples: int) -> Row:
    lat = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(2)
        lport = s.getsockname()[1]
        for n in range(samples):
            since = len(client.events)
            packet = _message(engine.port, lport, n)
            sent = time.monotonic()
            s.sendto(packet, ("127.0.0.1", engine.port))
            ev = client.wait_for(_is_message(f"bench {n}"), 5, since)
            s.recvfrom(65535)  # the 200 OK
            lat.append(ev["received_at"] - sent)
            time.sleep(0.005)  # let the engine go back to sleep, as between real packets
    return Row(
        "SIP packet → pjsua2 callback",
        f"{pct(lat, 0.5) * 1e3:.3f} ms median",
        f"p95 {pct(lat, 0.95) * 1e3:.3f} ms, {samples} MESSAGEs",
    )


def _control_socket(client: EngineClient, samples: int) -> list[Row]:
    to_engine, to_client = [], []
    for _ in range(samples):
        since = len(client.events)
        client.send("ping")
        ev = client.wait_for(lambda e: e.get("ev") == "pong", 5, since)
        to_engine.append(ev["rx"] - ev["t"])
        to_client.append(ev["_rx"] - ev["ts"])
        time.sleep(0.005)
    return [
        Row(
            "UI intent → engine",
            f"{pct(to_engine, 0.5) * 1e3:.3f} ms median",
            f"p95 {pct(to_engine, 0.95) * 1e3:.3f} ms, {samples} intents",
        ),
        Row(
            "engine event → UI socket reader",
            f"{pct(to_client, 0.5) * 1e3:.3f} ms median",
            f"p95 {pct(to_client, 0.95) * 1e3:.3f} ms, {samples} events",
        ),
    ]


def bench_engine(samples: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-ipc-") as tmp:
        engine = EngineProcess(Path(tmp)).start()
        client = engine.client()
        try:
            client.wait_for(lambda e: e.get("ev") == "snapshot")
            return [
                _packet_to_callback(engine, client, samples),
                *_control_socket(client, samples),
            ]
        finally:
            client.close()
            engine.stop()
