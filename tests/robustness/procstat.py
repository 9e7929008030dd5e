"""What a process holds, from /proc: resident memory, open file descriptors, threads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcStat:
    rss_kb: int
    fds: int
    threads: int


@dataclass(frozen=True)
class RssParts:
    """Where resident memory lives: glibc's main heap (malloc on the main thread: pjsua2's
    pools and SQLite), anonymous maps (Python's object arenas, other threads' malloc arenas,
    thread stacks) and mapped files (libraries)."""

    heap_kb: int
    anon_kb: int
    file_kb: int


def proc_stat(pid: int) -> ProcStat:
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return ProcStat(rss, len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task")))


def rss_parts(pid: int) -> RssParts:
    parts = {"heap": 0, "anon": 0, "file": 0}
    kind = "anon"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(None, 5)
        if "-" in head[0] and not head[0].endswith(":"):  # a mapping's first line
            name = head[5] if len(head) > 5 else ""
            kind = "heap" if name == "[heap]" else "file" if name.startswith("/") else "anon"
        elif head[0] == "Rss:":
            parts[kind] += int(head[1])
    return RssParts(parts["heap"], parts["anon"], parts["file"])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
