"""DeskPhone benchmarks: one command that prints a table (`make bench`).

Figures: start to idle window; SIP packet arrival to pjsua2 callback; UI intent to engine and
engine event to UI over the control socket; idle CPU of the UI and engine processes.
Everything runs on 127.0.0.1. Times use CLOCK_MONOTONIC, shared by all processes.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.engine_harness import EngineProcess, deskphone_argv  # noqa: E402

Row = tuple[str, str, str]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ensure_display() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        os.environ["DISPLAY"] = ":" + fh.readline().strip()
    return xvfb


def bench_startup(runs: int) -> Row:
    times = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.monotonic()
            proc = subprocess.Popen(
                deskphone_argv(Path(tmp), "--startup-probe"),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith(b"IDLE"):
                    times.append(time.monotonic() - start)
                    break
            proc.wait(30)
    return (
        "start → idle window (no account)",
        f"{statistics.median(times) * 1000:.0f} ms median",
        f"{runs} runs, max {max(times) * 1000:.0f} ms",
    )


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


def bench_engine(samples: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = EngineProcess(Path(tmp)).start()
        client = engine.client()
        try:
            client.wait_for(lambda e: e.get("ev") == "snapshot")
            # SIP packet → callback: a MESSAGE's arrival vs the monotonic time in onInstantMessage
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
                    ev = client.wait_for(
                        lambda e, n=n: e.get("ev") == "message" and e.get("body") == f"bench {n}",
                        5,
                        since,
                    )
                    s.recvfrom(65535)  # the 200 OK
                    lat.append(ev["received_at"] - sent)
                    time.sleep(0.005)  # let the engine go back to sleep, as between real packets
            rows.append(
                (
                    "SIP packet → pjsua2 callback",
                    f"{pct(lat, 0.5) * 1e3:.3f} ms median",
                    f"p95 {pct(lat, 0.95) * 1e3:.3f} ms, {samples} MESSAGEs",
                )
            )
            to_engine, to_client = [], []
            for _ in range(samples):
                since = len(client.events)
                client.send("ping")
                ev = client.wait_for(lambda e: e.get("ev") == "pong", 5, since)
                to_engine.append(ev["rx"] - ev["t"])
                to_client.append(ev["_rx"] - ev["ts"])
                time.sleep(0.005)
            rows.append(
                (
                    "UI intent → engine",
                    f"{pct(to_engine, 0.5) * 1e3:.3f} ms median",
                    f"p95 {pct(to_engine, 0.95) * 1e3:.3f} ms",
                )
            )
            rows.append(
                (
                    "engine event → UI socket reader",
                    f"{pct(to_client, 0.5) * 1e3:.3f} ms median",
                    f"p95 {pct(to_client, 0.95) * 1e3:.3f} ms",
                )
            )
        finally:
            client.close()
            engine.stop()
    return rows


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids.extend(int(k) for k in text)
    return kids


def bench_idle_cpu(seconds: float) -> list[Row]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            deskphone_argv(Path(tmp)), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(4)  # start-up done, engine connected
            engines = [k for k in _children(proc.pid)]
            assert engines, "no engine process under the UI"
            before = {p: _cpu_seconds(p) for p in (proc.pid, *engines)}
            time.sleep(seconds)
            after = {p: _cpu_seconds(p) for p in before}
        finally:
            proc.terminate()
            proc.wait(15)
    ui = (after[proc.pid] - before[proc.pid]) / seconds * 100
    eng = sum(after[p] - before[p] for p in engines) / seconds * 100
    return [
        ("idle CPU, UI process", f"{ui:.2f} %", f"over {seconds:.0f} s"),
        ("idle CPU, engine process", f"{eng:.2f} %", f"over {seconds:.0f} s"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args()
    xvfb = ensure_display()
    try:
        rows = [
            bench_startup(args.starts),
            *bench_engine(args.samples),
            *bench_idle_cpu(args.idle_seconds),
        ]
    finally:
        if xvfb is not None:
            xvfb.terminate()
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':<22} notes")
    print(f"{'-' * width}  {'-' * 22} {'-' * 30}")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<22} {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
