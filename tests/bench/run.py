"""DeskPhone benchmarks: one command that prints the whole table (`make bench`).

    python tests/bench/run.py [--quick] [--only startup,ipc,redirect,app,incoming,forward,...]

Rows: start → idle window without and with an account (Kamailio started here); SIP packet →
pjsua2 callback; UI intent → engine and engine event → UI; 302 received → new INVITE sent
(DeskPhone and baresip), also with the window running; the whole phone's memory at rest and in
a call; INVITE → 302 of a forward; an INVITE flood; forward-always calls per second (SIPp at
rising rates); on a private PulseAudio set up as a desktop (default device): engine idle CPU,
180 received → first ringback sample, INVITE → first ringtone sample, one call's CPU and memory
(DeskPhone and baresip), the bridge's added latency each way, drops/refills over a long call
(10 minutes; 1 with --quick); idle CPU of the UI and engine processes.
Everything runs on 127.0.0.1, each peer on its own free ports, every wait bounded. Times use
CLOCK_MONOTONIC, shared by all processes. A section that cannot run prints why in its row.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.app_bench import bench_app_memory, bench_app_redirect  # noqa: E402
from tests.bench.call_bench import bench_call, bench_long_call  # noqa: E402
from tests.bench.forward_bench import bench_forward  # noqa: E402
from tests.bench.idle_bench import bench_idle_cpu  # noqa: E402
from tests.bench.incoming_bench import bench_flood, bench_forward_latency  # noqa: E402
from tests.bench.ipc_bench import bench_engine  # noqa: E402
from tests.bench.redirect_rows import bench_redirect  # noqa: E402
from tests.bench.startup_bench import bench_startup, ensure_display  # noqa: E402
from tests.bench.table import Row, failed, render  # noqa: E402

SECTIONS = (
    "startup",
    "ipc",
    "redirect",
    "app",
    "incoming",
    "forward",
    "call",
    "longcall",
    "idle",
)


@dataclass
class Sizes:
    starts: int
    samples: int
    redirects: int
    app_redirects: int
    forwards: int
    flood_rate: int
    rates: list[int]
    rate_seconds: float
    ringbacks: int
    call_seconds: float
    idle_seconds: float
    long_call_seconds: float


FULL = Sizes(5, 200, 120, 30, 200, 500, [20, 50, 100, 200, 300, 500], 10.0, 20, 10.0, 10.0, 600.0)
QUICK = Sizes(3, 100, 100, 15, 100, 500, [50, 200, 500], 5.0, 8, 5.0, 5.0, 60.0)


def sections(size: Sizes) -> dict[str, tuple[str, Callable[[], list[Row]]]]:
    return {
        "startup": ("start → idle window", lambda: bench_startup(size.starts)),
        "ipc": ("SIP packet → callback, control socket", lambda: bench_engine(size.samples)),
        "redirect": ("302 → new INVITE", lambda: bench_redirect(size.redirects)),
        "app": (
            "whole phone: redirects with the window, memory in a call",
            lambda: bench_app_redirect(size.app_redirects) + bench_app_memory(5.0),
        ),
        "incoming": (
            "INVITE → 302 of a forward, INVITE flood",
            lambda: bench_forward_latency(size.forwards) + bench_flood(size.flood_rate, 5.0),
        ),
        "forward": (
            "forward-always calls/s",
            lambda: bench_forward(size.rates, size.rate_seconds),
        ),
        "call": (
            "ringback, one call, bridge latency",
            lambda: bench_call(size.ringbacks, size.call_seconds),
        ),
        "longcall": (
            "drops / refills over a long call",
            lambda: bench_long_call(size.long_call_seconds),
        ),
        "idle": ("idle CPU", lambda: bench_idle_cpu(size.idle_seconds)),
    }


def compile_bytecode() -> None:
    """Measure the app as it is installed and run: pip compiles a package's bytecode when it
    installs it (the Makefile's install does too), and Python writes it at the first launch.
    With PYTHONDONTWRITEBYTECODE=1 in the environment (as on the machines the earlier tables
    came from) nothing is ever written, so every launch of a checkout compiled its ~230
    modules from source first, ~300-500 ms of each start that no installed phone pays
    (docs/footprint.md §1). Compiles stale files only."""
    import compileall

    for package in ("app", "ui"):
        if not compileall.compile_dir(ROOT / package, quiet=1):
            raise RuntimeError(f"{package}/ does not compile")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples (~3 minutes)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    compile_bytecode()
    xvfb = ensure_display()
    rows: list[Row] = []
    started = time.monotonic()
    try:
        for key, (title, run) in sections(size).items():
            if key not in wanted:
                continue
            t0 = time.monotonic()
            print(f"… {title}", file=sys.stderr, flush=True)
            try:
                rows.extend(run())
            except Exception as exc:  # one broken section must not hide the others
                rows.append(failed(title, exc))
            print(f"  done in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
    print(render(rows))
    mode = "quick" if args.quick else "full"
    print(f"\n({mode} run, {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
