"""Where an engine's CPU goes during one call, per thread (docs/audio.md §8): the desktop rig
(private PulseAudio, the default device through ALSA's pulse plugin), one call to a SIPp that
echoes RTP, and /proc/<pid>/task/*/ (CPU ticks and voluntary context switches, i.e. wake-ups)
sampled over the call. Run from a checkout's root with that checkout's tests importable:

    nice -n 5 .venv/bin/python -m tests.bench.call_threads --seconds 10 [--rounds 2]

Prints one table per round: each thread's CPU (% of a core) and wake-ups per second, the
threads named by what they are (PortAudio and pulse threads by their kernel name, Python
threads by the order they appear in), and the process total.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from tests.audio.desktop_rig import desktop_engine, wait_idle
from tests.audio.engine_rig import target, uas
from tests.audio.pulse import PulseServer
from tests.bench import baresip_call


def _tasks(pid: int) -> dict[int, tuple[str, float, int]]:
    """tid → (name, CPU seconds, voluntary context switches: the thread's wake-ups)."""
    out: dict[int, tuple[str, float, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            cpu = int((task / "schedstat").read_text().split()[0]) / 1e9  # ns on a CPU
            status = (task / "status").read_text()
        except OSError:
            continue
        vol = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("voluntary_")))
        out[int(task.name)] = (name, cpu, vol)
    return out


Rows = list[tuple[str, float, float]]


def _rows(
    pid: int,
    before: dict[int, tuple[str, float, int]],
    after: dict[int, tuple[str, float, int]],
    span: float,
) -> Rows:
    rows: Rows = []
    for tid, (name, cpu, vol) in sorted(after.items()):
        b = before.get(tid, (name, 0.0, 0))
        label = "main" if tid == pid else f"{name}#{tid - pid}"
        rows.append((label, 100 * (cpu - b[1]) / span, (vol - b[2]) / span))
    return rows


def measure_baresip(seconds: float) -> Rows:
    """baresip's threads over the bench's own baresip call (tests/bench/baresip_call.py)."""
    got: list[Rows] = []

    def sample(pid: int, span: float) -> tuple[float, int]:
        before, t0 = _tasks(pid), time.monotonic()
        time.sleep(span)
        got.append(_rows(pid, before, _tasks(pid), time.monotonic() - t0))
        return sum(r[1] for r in got[0]), 0

    server = PulseServer(desktop=True)
    server.start()
    saved = baresip_call.cpu_over
    baresip_call.cpu_over = sample
    try:
        with tempfile.TemporaryDirectory(prefix="bench-threads-") as tmp:
            baresip_call.baresip_call(Path(tmp), server, seconds)
    finally:
        baresip_call.cpu_over = saved
        server.cleanup()
    return got[0]


def measure(seconds: float, perf: str = "") -> Rows:
    server = PulseServer(desktop=True)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-threads-") as tmp:
            work = Path(tmp)
            (work / "config").mkdir()
            with desktop_engine(work / "config", server) as (engine, client):
                assert engine.proc is not None
                pid = engine.proc.pid
                wait_idle(client)
                sipp = uas(work, "uas-200-echo.xml", {}, extra=["-rtp_echo"], timeout=seconds + 60)
                since = len(client.events)
                client.send("dial", target=target(sipp))
                client.wait_call("Talking", 10, since)
                time.sleep(1.5)
                before, t0 = _tasks(pid), time.monotonic()
                if perf:  # a profile of the same window (perf report --sort tid,dso,sym)
                    perf_cmd = ["perf", "record", "-q", "-F", "997", "-g", "-p", str(pid)]
                    subprocess.run(
                        [*perf_cmd, "-o", perf, "--", "sleep", str(seconds)], check=False
                    )
                else:
                    time.sleep(seconds)
                after, t1 = _tasks(pid), time.monotonic()
                client.send("hangup")
                client.wait_call("Finished", 10, since)
                sipp.wait(15)
    finally:
        server.cleanup()
    return _rows(pid, before, after, t1 - t0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--baresip", action="store_true", help="baresip's threads instead")
    ap.add_argument("--perf", default="", help="also record a perf profile into this file")
    args = ap.parse_args(argv)
    who = "baresip" if args.baresip else "engine"
    for _ in range(args.rounds):
        rows = measure_baresip(args.seconds) if args.baresip else measure(args.seconds, args.perf)
        total = sum(r[1] for r in rows)
        print(f"{who} in a call, {args.seconds:.0f} s: {total:.2f} % of a core")
        for label, cpu, wakes in rows:
            if cpu > 0.05 or wakes > 0.5:
                print(f"  {label:24s} {cpu:5.2f} %  {wakes:6.1f} wake-ups/s")


if __name__ == "__main__":
    main()
