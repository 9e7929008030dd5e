"""Start → idle screen of the whole app (window + engine), without and with an account.

The app's `--startup-probe` prints `IDLE <registration text>` once the idle screen is settled
(every account past "Registering") and quits. With an account it registers at a Kamailio the
bench starts on 127.0.0.1, so the figure includes the REGISTER round trip.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench.table import Row, median
from tests.engine_harness import ROOT, EngineProcess, deskphone_argv, write_account
from tests.sipnet import HOST, kamailio


def ensure_display() -> subprocess.Popen[bytes] | None:
    """An Xvfb of our own when there is no display (the bench must run headless)."""
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


def _start_to_idle(config_dir: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    proc = subprocess.Popen(
        deskphone_argv(config_dir, "--startup-probe"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(b"IDLE"):
                return time.monotonic() - start, line.decode().split(" ", 1)[1].strip()
        raise RuntimeError(f"the app exited ({proc.wait(5)}) before the idle screen")
    finally:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _row(measure: str, times: list[float], shown: str) -> Row:
    return Row(
        measure,
        f"{median(times) * 1000:.0f} ms median",
        f"{len(times)} runs, max {max(times) * 1000:.0f} ms; screen: {shown}",
    )


def bench_startup(runs: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        plain = Path(tmp) / "plain"
        plain.mkdir()
        results = [_start_to_idle(plain) for _ in range(runs)]
        rows.append(
            _row("start → idle window (no account)", [t for t, _ in results], results[-1][1])
        )
        with kamailio(Path(tmp) / "kamailio") as kam:
            config = Path(tmp) / "account"
            config.mkdir()
            write_account(config, "alice", HOST, kam.port, label="Alice")
            results = [_start_to_idle(config) for _ in range(runs)]
            quits = [_quit_time(config) for _ in range(runs)]
        shown = {s for _, s in results}
        if shown != {"Registered"}:
            raise RuntimeError(f"the idle screen said {sorted(shown)}, not Registered")
        rows.append(
            _row(
                "start → registered idle window (account at Kamailio)",
                [t for t, _ in results],
                "Registered",
            )
        )
        rows.append(
            Row(
                "quit: SIGTERM → engine exited (registered account)",
                f"{median(quits) * 1000:.0f} ms median",
                f"{runs} runs, max {max(quits) * 1000:.0f} ms; un-REGISTER sent on the way",
            )
        )
    return rows


def _quit_time(config_dir: Path) -> float:
    engine = EngineProcess(config_dir).start()
    client = engine.client()
    try:
        client.wait_account("Registered")
        start = time.monotonic()
        code = engine.stop()
        if code != 0:
            raise RuntimeError(f"the engine exited {code}")
        return time.monotonic() - start
    finally:
        client.close()
        engine.stop()
