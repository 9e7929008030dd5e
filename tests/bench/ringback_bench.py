"""Ringback and call audio of the REAL engine process on a private PulseAudio (repo root):

    python tests/bench/ringback_bench.py [--calls 20] [--seconds 10]

Prints:
- 180 sent on the wire -> first ringback sample handed to PortAudio (median, p95): a small
  UDP UAS in this process answers the engine's INVITEs and notes time.monotonic() just before
  sending the 180; the engine reports the monotonic time its PortAudio callback took the tone's
  first sample (`tone_started`). Both use CLOCK_MONOTONIC of the same machine.
- the bridge's added latency each way (ring buffer depth after each write) during a call whose
  RTP a SIPp peer echoes back, with drops/insertions;
- CPU (% of one core) and RSS of the engine process idle and during that call.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.audio.engine_rig import (  # noqa: E402
    audio_status,
    engine_with_pulse,
    target,
    uas,
    wait_audio_ok,
)
from tests.audio.pulse import PulseServer, apply_env  # noqa: E402
from tests.bench.table import cpu_over  # noqa: E402
from tests.engine_harness import EngineClient  # noqa: E402
from tests.sipnet import HOST  # noqa: E402


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


class RingingUas:
    """Answers each INVITE with 100 and 180 (no SDP), then 480 once told to; ACKs ignored."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.sent_180: list[float] = []
        self._invite: tuple[str, Any] | None = None
        self._got = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            text = data.decode(errors="replace")
            if not text.startswith("INVITE "):
                continue
            if self._invite is not None and _header(text, "Call-ID") == _header(
                self._invite[0], "Call-ID"
            ):
                continue  # a retransmission
            self._invite = (text, addr)
            self.sock.sendto(_response(text, 100, "Trying").encode(), addr)
            reply = _response(text, 180, "Ringing").encode()
            self.sent_180.append(time.monotonic())
            self.sock.sendto(reply, addr)
            self._got.set()

    def wait_invite(self, timeout: float) -> bool:
        ok = self._got.wait(timeout)
        self._got.clear()
        return ok

    def reject(self) -> None:
        if self._invite is not None:
            text, addr = self._invite
            self.sock.sendto(_response(text, 480, "Temporarily Unavailable").encode(), addr)


def _header(msg: str, name: str) -> str:
    for line in msg.split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def _response(invite: str, code: int, reason: str) -> str:
    to = _header(invite, "To")
    if code > 100 and ";tag=" not in to:
        to += ";tag=bench" + _header(invite, "Call-ID")[:8]
    lines = [
        f"SIP/2.0 {code} {reason}",
        *(f"Via: {v}" for v in _vias(invite)),
        f"From: {_header(invite, 'From')}",
        f"To: {to}",
        f"Call-ID: {_header(invite, 'Call-ID')}",
        f"CSeq: {_header(invite, 'CSeq')}",
        "Content-Length: 0",
    ]
    return "\r\n".join(lines) + "\r\n\r\n"


def _vias(msg: str) -> list[str]:
    return [
        line.partition(":")[2].strip()
        for line in msg.split("\r\n\r\n")[0].split("\r\n")
        if line.lower().startswith(("via:", "v:"))
    ]


def ringback_starts(client: EngineClient, count: int) -> list[float]:
    peer = RingingUas()
    delays: list[float] = []
    for _ in range(count):
        since = len(client.events)
        client.send("dial", target=f"sip:bob@{HOST}:{peer.port}")
        assert peer.wait_invite(5), "no INVITE"
        ev = client.wait_for(lambda e: e.get("ev") == "tone_started", 5, since)
        delays.append(1000 * (ev["started"] - peer.sent_180[-1]))
        peer.reject()
        client.wait_call("CallFailed", 5, since)
        time.sleep(0.2)
    return delays


def echo_call(client: EngineClient, pid: int, workdir: Path, seconds: float) -> dict[str, Any]:
    sipp = uas(workdir, "uas-200-echo.xml", {}, extra=["-rtp_echo"])
    since = len(client.events)
    client.send("dial", target=target(sipp))
    client.wait_call("Talking", 10, since)
    time.sleep(1.0)
    before = audio_status(client)
    cpu, rss = cpu_over(pid, seconds)
    after = audio_status(client)
    client.send("hangup")
    client.wait_call("Finished", 10, since)
    sipp.wait(15)
    frames = max(1, after["frames_in"] + after["frames_out"])
    return {
        "cpu": cpu,
        "rss": rss,
        "state": after,
        "port_us": 1e6 * after["port_seconds"] / frames,
        "frames": after["frames_in"] - before["frames_in"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    server = PulseServer()
    server.start()
    apply_env(server)
    work = Path(tempfile.mkdtemp(prefix="deskphone-ringback-bench-"))
    config = work / "config"
    config.mkdir()
    try:
        with engine_with_pulse(config, server) as (engine, client):
            state = wait_audio_ok(client)
            assert state["ok"], state
            assert engine.proc is not None
            pid = engine.proc.pid
            # The first ~2 s after the streams open cost 45-70 % of a core (PortAudio's ALSA
            # pulse plugin through PulseAudio's start-up stall, measured): idle is after that.
            time.sleep(4.0)
            idle_cpu, idle_rss = cpu_over(pid, 5.0)
            delays = ringback_starts(client, args.calls)
            call = echo_call(client, pid, work / "sipp", args.seconds)
        st = call["state"]
        rows = [
            ("engine audio status", st["status"]),
            (
                "180 sent -> first ringback sample to PortAudio, median",
                f"{statistics.median(delays):.1f} ms",
            ),
            (
                "180 sent -> first ringback sample to PortAudio, p95",
                f"{p95(delays):.1f} ms (n={len(delays)})",
            ),
            (
                "far end -> speaker ring buffer, mean / p95",
                f"{st['far_ms'][0]:.1f} / {st['far_ms'][1]:.1f} ms",
            ),
            (
                "microphone -> pjmedia ring buffer, mean / p95",
                f"{st['mic_ms'][0]:.1f} / {st['mic_ms'][1]:.1f} ms",
            ),
            ("far drops / refills, mic drops / refills", f"{st['far_drops']} / {st['mic_drops']}"),
            ("bridge port callback, mean per frame", f"{call['port_us']:.1f} us"),
            ("frames received from the call", f"{call['frames']} in {args.seconds:.0f} s"),
            ("engine CPU idle (devices open)", f"{idle_cpu:.1f} % of one core"),
            ("engine CPU during an echoed call", f"{call['cpu']:.1f} % of one core"),
            (
                "engine RSS idle / during the call",
                f"{idle_rss / 1024:.1f} / {call['rss'] / 1024:.1f} MiB",
            ),
        ]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
