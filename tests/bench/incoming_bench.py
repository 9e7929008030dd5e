"""The callee side under time and load: INVITE → 302 of a forward, and an INVITE flood.

- INVITE received → 302 sent: forward-always on, SIPp calls at a steady rate, a loopback
  capture times each INVITE arriving at the engine to the 302 leaving it (same Call-ID): the
  whole stateless answer (app/sip/flood_guard.py). baresip has no call forwarding to compare.
- A flood of new INVITEs (no forwarding, so each would ring): the engine must stay the same
  process; the incoming guard refuses beyond its media budget with 503 (by design).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from app.phone.settings import ForwardRule, Settings
from app.store.settings import save_settings
from tests.bench.redirect_bench import Capture, _call_id, udp_payloads
from tests.bench.table import Row, median, pct
from tests.engine_harness import running_engine
from tests.sipnet import HOST, Sipp, free_port

PEERS = Path(__file__).resolve().parent / "peers"
FLOOD = str(Path(__file__).resolve().parents[1] / "robustness" / "peers" / "uac-invite-flood.xml")


def answer_delays(pcap: Path, engine_port: int, code: bytes) -> list[float]:
    """Milliseconds from each INVITE arriving at the engine to its `code` response leaving."""
    arrived: dict[bytes, float] = {}
    delays: list[float] = []
    for t, sport, dport, payload in udp_payloads(pcap):
        if dport == engine_port and payload.startswith(b"INVITE "):
            arrived.setdefault(_call_id(payload), t)  # a retransmission keeps the first
        elif sport == engine_port and payload.startswith(b"SIP/2.0 " + code):
            start = arrived.pop(_call_id(payload), None)
            if start is not None:
                delays.append((t - start) * 1000)
    return delays


def bench_forward_latency(calls: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-fwd-latency-") as tmp:
        work = Path(tmp)
        config = work / "config"
        config.mkdir()
        settings = Settings()
        settings.forward.phone.always = ForwardRule(True, f"sip:carol@{HOST}:5999")
        save_settings(config, settings)
        with running_engine(config) as (engine, _client):
            cap = Capture(work / "fwd.pcap", [engine.port])
            sipp = Sipp(
                str(PEERS / "uac-forward-or-503.xml"),
                free_port(),
                work / "sipp",
                target=f"{HOST}:{engine.port}",
                service="deskphone",
                calls=calls,
                timeout=calls / 10 + 20,
                extra=["-r", "10"],
            )
            try:
                sipp.run()
            finally:
                sipp.stop()
                pcap = cap.stop()
            delays = answer_delays(pcap, engine.port, b"302")
    if not delays:
        raise RuntimeError("no 302 in the capture")
    return [
        Row(
            "INVITE received → 302 sent (forward-always), median",
            f"{median(delays):.3f} ms",
            f"p95 {pct(delays, 0.95):.3f} ms, max {max(delays):.3f} ms; {len(delays)}/{calls} "
            "calls at 10/s, loopback capture; answered statelessly before pjsua makes a call "
            "(baresip has no call forwarding)",
        )
    ]


def bench_flood(rate: int, seconds: float) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        config = Path(tmp) / "config"
        config.mkdir()
        with running_engine(config) as (engine, _client):
            assert engine.proc is not None
            pid = engine.proc.pid
            sipp = Sipp(
                FLOOD,
                free_port(),
                Path(tmp) / "sipp",
                target=f"{HOST}:{engine.port}",
                service="deskphone",
                calls=int(rate * seconds),
                timeout=seconds + 20,
                extra=["-r", str(rate), "-rp", "1000", "-recv_timeout", "4000"],
            )
            t0 = time.monotonic()
            try:
                sipp.run()
            finally:
                sipp.stop()
            wall = time.monotonic() - t0
            alive = engine.proc.poll() is None and engine.proc.pid == pid
            log = sipp.messages()
    sent = log.count("\nINVITE sip:")
    refused = log.count("\nSIP/2.0 503 ")
    rang = log.count("\nSIP/2.0 180 ")
    return [
        Row(
            f"INVITE flood at {rate}/s (calls that would ring): engine restarts",
            "0" if alive else "1 (engine died)",
            f"{sent} INVITEs in {wall:.0f} s: {rang} rang (then CANCELled), {refused} got the "
            "guard's 503 (media budget and per-source share, by design)",
        )
    ]
