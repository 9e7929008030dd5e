"""Idle CPU of the UI process and of its engine child, the whole app started as a user would."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench.table import Row, proc_usage
from tests.engine_harness import ROOT, deskphone_argv


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids.extend(int(k) for k in (task / "children").read_text().split())
    return kids


def bench_idle_cpu(seconds: float) -> list[Row]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
        proc = subprocess.Popen(
            deskphone_argv(Path(tmp)), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(4)  # start-up done, engine connected
            engines = _children(proc.pid)
            if not engines:
                raise RuntimeError("no engine process under the UI")
            pids = (proc.pid, *engines)
            before = {p: proc_usage(p)[0] for p in pids}
            t0 = time.monotonic()
            time.sleep(seconds)
            after = {p: proc_usage(p) for p in pids}
            wall = time.monotonic() - t0
        finally:
            proc.terminate()
            proc.wait(15)
    ui = (after[proc.pid][0] - before[proc.pid]) / wall * 100
    eng = sum(after[p][0] - before[p] for p in engines) / wall * 100
    ui_rss = after[proc.pid][1] / 1024
    eng_rss = sum(after[p][1] for p in engines) / 1024
    return [
        Row("idle CPU, UI process", f"{ui:.2f} %", f"over {wall:.0f} s; RSS {ui_rss:.0f} MiB"),
        Row(
            "idle CPU, engine process",
            f"{eng:.2f} %",
            f"over {wall:.0f} s, no account; RSS {eng_rss:.0f} MiB",
        ),
    ]
