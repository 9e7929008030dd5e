"""The benchmark table: one row per measure, DeskPhone's figure beside baresip's where both exist.

Rows are printed as a Markdown table so the README can take the output as it is.
"""

from __future__ import annotations

import ctypes
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.libc import libc_function

TICK = os.sysconf("SC_CLK_TCK")
_CPU_CLOCK_ID = libc_function(
    "clock_getcpuclockid", [ctypes.c_int, ctypes.POINTER(ctypes.c_int)], ctypes.c_int
)


@dataclass
class Row:
    measure: str
    deskphone: str
    notes: str = ""
    baresip: str = ""
    ratio: str = ""  # DeskPhone / baresip: below 1 means DeskPhone is cheaper or faster


def compared(
    measure: str,
    ours: float,
    theirs: float | None,
    fmt: Callable[[float], str],
    notes: str = "",
) -> Row:
    if theirs is None:
        return Row(measure, fmt(ours), notes, "n/a")
    ratio = f"{ours / theirs:.2f}×" if theirs > 0 else "-"
    return Row(measure, fmt(ours), notes, fmt(theirs), ratio)


def failed(measure: str, exc: BaseException) -> Row:
    """A section that could not run says so in the table instead of ending the whole run."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ").replace("|", "/")
    return Row(measure, "not measured", text[:160])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def cpu_seconds(pid: int) -> float:
    """A process's CPU time, all its threads (ended ones included), to the nanosecond: its CPU
    clock (clock_getcpuclockid). /proc's utime + stime count 10 ms ticks, which is 0.2 % of a
    core over a 5 s sample: the size of the idle figures themselves."""
    clock = ctypes.c_int()
    if _CPU_CLOCK_ID is not None and _CPU_CLOCK_ID(pid, ctypes.byref(clock)) == 0:
        try:
            return time.clock_gettime(clock.value)
        except OSError:
            pass  # gone meanwhile: /proc says so below
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, RSS kB) of a process."""
    cpu = cpu_seconds(pid)
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return cpu, rss


def cpu_over(pid: int, seconds: float) -> tuple[float, int]:
    """(% of one core over `seconds`, RSS kB at the end)."""
    c0, _ = proc_usage(pid)
    t0 = time.monotonic()
    time.sleep(seconds)
    c1, rss = proc_usage(pid)
    return 100 * (c1 - c0) / (time.monotonic() - t0), rss


def render(rows: list[Row]) -> str:
    head = ("measure", "DeskPhone", "baresip 1.0", "DeskPhone / baresip", "notes")
    cells = [head, *[(r.measure, r.deskphone, r.baresip, r.ratio, r.notes) for r in rows]]
    lines = ["| " + " | ".join(c) + " |" for c in cells]
    lines.insert(1, "|" + "---|" * len(head))
    return "\n".join(lines)
