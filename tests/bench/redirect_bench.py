"""Redirect latency: 302 received -> new INVITE sent, DeskPhone and baresip in the same run.

For each caller: SIPp "bob" answers every INVITE with 302 pointing at SIPp "carol", who answers
486 (so every call ends fast and the next can start). A loopback capture (tshark, pcap) sees
the 302 arrive at the caller and the caller's new INVITE leave for carol; the delta per call is
the caller's whole reaction (parse, policy, new Call-ID, send). Run:
`/tmp/venvtest/bin/python tests/bench/redirect_bench.py [--calls 120]`. 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.engine_harness import EngineProcess  # noqa: E402
from tests.sipnet import HOST, Sipp, free_port  # noqa: E402


def udp_payloads(pcap: Path) -> list[tuple[float, int, int, bytes]]:
    """(time, src port, dst port, payload) of every IPv4 UDP packet in a pcap (Ethernet/lo)."""
    data = pcap.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    nano = magic == 0xA1B23C4D
    linktype = struct.unpack("<I", data[20:24])[0]
    out, pos = [], 24
    while pos + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[pos : pos + 16])
        frame = data[pos + 16 : pos + 16 + incl]
        pos += 16 + incl
        ip = frame[14:] if linktype == 1 else frame[16:]  # Ethernet, or Linux cooked
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport = struct.unpack("!HH", ip[ihl : ihl + 4])
        out.append((sec + frac / (1e9 if nano else 1e6), sport, dport, ip[ihl + 8 :]))
    return out


def _call_id(payload: bytes) -> bytes:
    for line in payload.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"call-id", b"i"):
            return value.strip()
    return b""


def redirect_delays(pcap: Path, bob: int, carol: int) -> tuple[list[float], int]:
    """Milliseconds from each 302 leaving bob to the next INVITE arriving for carol, and how
    many of those INVITEs carried a new Call-ID."""
    delays: list[float] = []
    pending: tuple[float, bytes] | None = None
    fresh = 0
    for t, sport, dport, payload in udp_payloads(pcap):
        if sport == bob and payload.startswith(b"SIP/2.0 302"):
            pending = pending or (t, _call_id(payload))  # a retransmission keeps the first
        elif dport == carol and payload.startswith(b"INVITE ") and pending is not None:
            delays.append((t - pending[0]) * 1000)
            fresh += _call_id(payload) != pending[1]
            pending = None
    return delays, fresh


class Capture:
    def __init__(self, path: Path, ports: list[int]) -> None:
        if shutil.which("tshark") is None:
            raise RuntimeError("tshark not installed")
        flt = " or ".join(f"udp port {p}" for p in ports)
        self.path = path
        self.proc = subprocess.Popen(
            ["tshark", "-q", "-i", "lo", "-f", flt, "-F", "pcap", "-w", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.5)  # tshark needs a moment before it captures

    def stop(self) -> Path:
        time.sleep(0.5)
        self.proc.terminate()
        self.proc.wait(10)
        return self.path


def far_ends(work: Path, calls: int, tag: str) -> tuple[Sipp, Sipp]:
    carol = Sipp("redirect/uas-486.xml", free_port(), work / tag, calls=calls, timeout=600)
    bob = Sipp(
        "redirect/uas-302-multi.xml",
        free_port(),
        work / tag,
        service="bob",
        calls=calls,
        timeout=600,
        keys={
            "contacts": f"<sip:carol@{HOST}:{carol.port}>",
            "diversion_reason": "unconditional",
        },
    )
    for sipp in (carol, bob):
        sipp.start().wait_listening()
    return bob, carol


def run_deskphone(work: Path, calls: int) -> tuple[list[float], int]:
    bob, carol = far_ends(work, calls, "deskphone")
    cap = Capture(work / "deskphone.pcap", [bob.port, carol.port])
    config = work / "deskphone-config"
    config.mkdir()
    engine = EngineProcess(config).start()
    client = engine.client()
    try:
        client.wait_for(lambda e: e.get("ev") == "snapshot")
        for _ in range(calls):
            since = len(client.events)
            client.send("dial", target=f"sip:bob@{HOST}:{bob.port}")
            client.wait_for(
                lambda e: e.get("ev") == "call" and e["state"] == "CallFailed", 10, since
            )
            time.sleep(0.05)  # as for baresip: the 486/ACK exchange finishes first
    finally:
        client.close()
        engine.stop()
        pcap = cap.stop()
        bob.stop()
        carol.stop()
    return redirect_delays(pcap, bob.port, carol.port)


def _netstring(obj: str) -> bytes:
    raw = obj.encode()
    return str(len(raw)).encode() + b":" + raw + b","


def run_baresip(work: Path, calls: int) -> tuple[list[float], int]:
    bob, carol = far_ends(work, calls, "baresip")
    home = work / "baresip-home"
    home.mkdir()
    sip_port, ctrl_port = free_port(), free_port()
    rtp = free_port(udp_and_tcp=False) & ~1  # a valid low-high range (two free ports may not be)
    (home / "accounts").write_text(f"<sip:bench@{HOST}:{sip_port}>;regint=0\n")
    (home / "config").write_text(
        "\n".join(
            [
                f"sip_listen {HOST}:{sip_port}",
                "sip_transports udp",
                f"net_interface {HOST}",  # keeps baresip's SDP and sockets on loopback
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module ausine.so",
                "module aufile.so",
                "module account.so",
                "module menu.so",
                "module ctrl_tcp.so",
                f"ctrl_tcp_listen {HOST}:{ctrl_port}",
                "audio_source ausine,440",
                f"audio_player aufile,{home / 'out.wav'}",
                f"rtp_ports {rtp}-{rtp + 40}",
                "",
            ]
        )
    )
    cap = Capture(work / "baresip.pcap", [bob.port, carol.port])
    proc = subprocess.Popen(
        ["baresip", "-f", str(home)],
        stdout=open(home / "stdout", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(home)},
    )
    try:
        sock = _connect(ctrl_port)
        done = _invite_counter(carol)
        for n in range(calls):
            cmd = f'{{"command":"dial","params":"sip:bob@{HOST}:{bob.port}","token":"{n}"}}'
            sock.sendall(_netstring(cmd))
            _wait(lambda n=n: done() > n, 5)  # type: ignore[misc]
            time.sleep(0.05)  # let the 486/ACK finish before the next call
        sock.close()
    finally:
        proc.terminate()
        proc.wait(10)
        pcap = cap.stop()
        bob.stop()
        carol.stop()
    return redirect_delays(pcap, bob.port, carol.port)


def _connect(port: int) -> socket.socket:
    for _ in range(100):
        try:
            return socket.create_connection((HOST, port), 1)
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("baresip ctrl_tcp did not open")


def _invite_counter(carol: Sipp) -> Callable[[], int]:
    return lambda: carol.messages().count("message received") // 2  # INVITE + ACK per call


def _wait(pred: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("baresip did not follow the 302")
        time.sleep(0.01)


def summary(name: str, result: tuple[list[float], int]) -> str:
    delays, fresh = result
    if not delays:
        return f"| {name} | 0 | - | - | - | - |"
    q = statistics.quantiles(delays, n=20) if len(delays) > 1 else delays * 19
    return (
        f"| {name} | {len(delays)} | {statistics.median(delays):.3f} | {q[18]:.3f} "
        f"| {max(delays):.3f} | {fresh}/{len(delays)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redirect-bench-") as tmp:
        work = Path(tmp)
        rows = [summary("DeskPhone (pjsua2 engine)", run_deskphone(work, args.calls))]
        try:
            rows.append(summary("baresip 1.0", run_baresip(work, args.calls)))
        except Exception as exc:  # the reference is optional; DeskPhone's figure is the point
            rows.append(f"| baresip 1.0 | failed: {exc} | | | | |")
    print("302 received -> new INVITE sent (ms, loopback capture)")
    print("| caller | redirects | median | p95 | max | new Call-ID |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
