"""`deskphone --call-flow last|ID|list [--format text|pcap] [-o FILE]`: a stored call flow
exported without a window (and without the engine: the flows are files in the config dir).

Text goes to stdout unless -o names a file; a pcap is binary, so it needs -o or a stdout that
is not a terminal (`... --format pcap > call.pcap`, `| tshark -r -`). Written files are
private (0600): SIP messages carry numbers, names and digests. Exit status 0 on success, 1
with the reason on stderr when there is no such flow or the file cannot be written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from app.callflow.pcap import flow_pcap
from app.callflow.text import describe_call, flow_text, when
from app.store.callflows import FlowStore

FORMATS = ("text", "pcap")


def listing(store: FlowStore) -> str:
    """One line per stored flow, newest first: number, start, call and how it went."""
    metas = store.metas()
    if not metas:
        return "No call flows recorded yet.\n"
    lines = []
    for meta in metas:
        live = "  (in progress)" if meta.running else ""
        lines.append(f"{meta.flow:>6}  {when(meta.started)[:19]}  {describe_call(meta)}{live}\n")
    return "".join(lines)


def export(
    config_dir: Path,
    spec: str,
    fmt: str = "text",
    output: Path | None = None,
    out: BinaryIO | None = None,
    err: TextIO | None = None,
) -> int:
    err = err or sys.stderr
    out = out or sys.stdout.buffer
    store = FlowStore(config_dir)
    if spec.strip().lower() == "list":
        out.write(listing(store).encode("utf-8", "backslashreplace"))
        out.flush()
        return 0
    flow_id = store.resolve(spec)
    flow = store.load(flow_id) if flow_id is not None else None
    if flow is None:
        known = "no call flows are recorded yet" if not store.ids() else "see --call-flow list"
        print(f"deskphone: no call flow {spec!r} ({known})", file=err)
        return 1
    if fmt == "pcap":
        data = flow_pcap(flow.packets)
        if output is None and out.isatty():
            print("deskphone: a pcap is binary: give -o FILE or redirect stdout", file=err)
            return 1
    else:
        data = flow_text(flow).encode("utf-8", "backslashreplace")
    if output is None:
        out.write(data)
        out.flush()
        return 0
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError as exc:
        print(f"deskphone: cannot write {output}: {exc.strerror or exc}", file=err)
        return 1
    print(f"Call flow {flow.meta.flow} written to {output} ({fmt})", file=err)
    return 0
