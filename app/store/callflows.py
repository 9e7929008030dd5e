"""Call flows on disk: `callflows/` in the config directory, private like the logs.

One flow is two files: `NNNNNN.jsonl` holds its SIP messages, one JSON object a line, appended
while the call runs (a reader never sees a torn file, at worst a last line it skips), and
`NNNNNN.json` its meta data, replaced atomically. The newest flows are kept within a count
and a size (oldest dropped first); one flow keeps at most MAX_FLOW_BYTES of messages and
counts the rest. Digests are kept as they were sent: the messages are what went on the wire.
Message bytes survive JSON through surrogateescape (a lone surrogate is valid JSON text).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.callflow.model import MAX_MESSAGE, Flow, FlowMeta, Packet

log = logging.getLogger("deskphone.callflows")

FLOW_DIR = "callflows"
MAX_FLOWS = 200
MAX_BYTES = 20 * 1024 * 1024
MAX_FLOW_BYTES = 2 * 1024 * 1024
MAX_META = 16384
_NAME = re.compile(r"^(\d{6,9})\.jsonl?$")
_META_FIELDS = {f.name: f.type for f in fields(FlowMeta)}


def encode_packet(p: Packet) -> bytes:
    line = {
        "t": p.t,
        "d": "tx" if p.sent else "rx",
        "tp": p.transport,
        "l": p.local,
        "p": p.peer,
        "n": p.size,
        "m": p.data.decode("utf-8", "surrogateescape"),
    }
    return json.dumps(line, separators=(",", ":")).encode("ascii") + b"\n"


def decode_packet(line: bytes) -> Packet | None:
    try:
        obj = json.loads(line)
        data = str(obj["m"]).encode("utf-8", "surrogateescape")[:MAX_MESSAGE]
        return Packet(
            t=float(obj["t"]),
            sent=obj["d"] == "tx",
            transport=str(obj["tp"])[:8],
            local=str(obj["l"])[:300],
            peer=str(obj["p"])[:300],
            data=data,
            size=max(len(data), int(obj["n"])),
        )
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None


def _meta_from(obj: Any, flow: int) -> FlowMeta:
    meta = FlowMeta(flow)
    if not isinstance(obj, dict):
        return meta
    for name, value in obj.items():
        kind = _META_FIELDS.get(name)
        default = getattr(meta, name, None) if kind else None
        if name == "flow" or default is None or type(value) is not type(default):
            continue  # unknown or mistyped: the default stands
        setattr(meta, name, value[:2048] if isinstance(value, str) else value)
    return meta


class FlowStore:
    def __init__(
        self,
        config_dir: Path,
        max_flows: int = MAX_FLOWS,
        max_bytes: int = MAX_BYTES,
        max_flow_bytes: int = MAX_FLOW_BYTES,
    ) -> None:
        self.dir = config_dir / FLOW_DIR
        self.max_flows = max_flows
        self.max_bytes = max_bytes
        self.max_flow_bytes = max_flow_bytes
        # The writer's view of the sizes on disk, so pruning after every call costs no scan;
        # built on first use (a store only reading never needs it).
        self._sizes: dict[int, int] | None = None
        self._made = False

    def _ensure_dir(self) -> None:
        if self._made:
            return
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.dir.stat().st_mode & 0o077:
            os.chmod(self.dir, 0o700)
        self._made = True

    def _path(self, flow: int, ext: str) -> Path:
        return self.dir / f"{flow:06d}.{ext}"

    # ---- writing (the engine's recorder thread) ---------------------------------------

    def ids(self) -> list[int]:
        """Every stored flow, oldest first."""
        try:
            names = os.listdir(self.dir)
        except OSError:
            return []
        return sorted({int(m.group(1)) for m in map(_NAME.match, names) if m})

    def new_id(self) -> int:
        ids = self.ids()
        return (ids[-1] + 1) if ids else 1

    def write_meta(self, meta: FlowMeta) -> None:
        """Replace a flow's meta data at once (rename), without fsync: it changes a few times
        a call, and a lost update costs a label, never the messages."""
        self._ensure_dir()
        data = json.dumps(vars(meta), separators=(",", ":")).encode("utf-8")
        path = self._path(meta.flow, "json")
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        self._grow(meta.flow, 0)

    def _grow(self, flow: int, size: int) -> None:
        sizes = self._index()
        sizes[flow] = sizes.get(flow, 0) + size

    def _index(self) -> dict[int, int]:
        if self._sizes is None:
            self._sizes = {flow: self._size(flow) for flow in self.ids()}
        return self._sizes

    def append(self, flow: int, packets: list[Packet]) -> None:
        self.append_lines(flow, [encode_packet(p) for p in packets])

    def append_lines(self, flow: int, lines: list[bytes]) -> None:
        """Add encoded packets (encode_packet) to a flow's file."""
        if not lines:
            return
        self._ensure_dir()
        fd = os.open(
            self._path(flow, "jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600
        )
        data = b"".join(lines)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        self._grow(flow, len(data))

    def prune(self, keep: set[int] | None = None) -> list[int]:
        """Drop the oldest flows beyond the count and size caps; `keep` (live flows) stay."""
        sizes = self._index()
        ids = sorted(sizes)
        total = sum(sizes.values())
        dropped: list[int] = []
        for flow in ids:
            if len(ids) - len(dropped) <= self.max_flows and total <= self.max_bytes:
                break
            if keep and flow in keep:
                continue
            for ext in ("json", "jsonl"):
                with contextlib.suppress(FileNotFoundError):
                    self._path(flow, ext).unlink()
            total -= sizes.pop(flow)
            dropped.append(flow)
        return dropped

    def _size(self, flow: int) -> int:
        size = 0
        for ext in ("json", "jsonl"):
            with contextlib.suppress(OSError):
                size += self._path(flow, ext).stat().st_size
        return size

    # ---- reading (the window, `deskphone --call-flow`) --------------------------------

    def meta(self, flow: int) -> FlowMeta | None:
        path = self._path(flow, "json")
        try:
            with path.open("rb") as f:
                raw = f.read(MAX_META + 1)
        except OSError:
            return None if not self._path(flow, "jsonl").exists() else FlowMeta(flow)
        try:
            obj = json.loads(raw) if len(raw) <= MAX_META else None
        except ValueError:
            obj = None
        return _meta_from(obj, flow)

    def metas(self) -> list[FlowMeta]:
        """Every stored flow's meta data, newest first."""
        found = [self.meta(flow) for flow in reversed(self.ids())]
        return [m for m in found if m is not None]

    def load(self, flow: int) -> Flow | None:
        meta = self.meta(flow)
        if meta is None:
            return None
        packets: list[Packet] = []
        try:
            with self._path(flow, "jsonl").open("rb") as f:
                # JSON escapes can make a line up to 6 times its message: bound the reading
                for line in f.read(self.max_flow_bytes * 7).splitlines():
                    packet = decode_packet(line)
                    if packet is not None:
                        packets.append(packet)
        except OSError as exc:
            log.info("call flow %d: %s", flow, exc)
        return Flow(meta, packets)

    def resolve(self, spec: str) -> int | None:
        """A flow number from what a user typed: "last", or the number itself."""
        ids = self.ids()
        if spec.strip().lower() == "last":
            return ids[-1] if ids else None
        text = spec.strip().removeprefix("#")
        if text.isdigit() and int(text) in ids:
            return int(text)
        return None

    def for_history(self, history_id: int) -> int | None:
        for meta in self.metas():
            if meta.history_id == history_id:
                return meta.flow
        return None
