"""The engine's control protocol: one JSON object per line over a local (Unix) socket.

Engine → client: events `{"v": 1, "ev": NAME, "ts": MONOTONIC, ...}`; the first is `hello`,
then a `snapshot` of the whole state, then changes. Client → engine: intents
`{"v": 1, "op": NAME, ...}`, each op one row in app/engine/ops.py. `ts` is CLOCK_MONOTONIC,
which is shared by all processes on the machine, so latencies can be read across the socket.
A message with another major version is refused with an `error` event.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

PROTOCOL_VERSION = 1
MAX_LINE = 1 << 20  # a longer line is a broken peer, not a message


class ProtocolError(ValueError):
    pass


def encode(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, separators=(",", ":"), default=str) + "\n").encode("utf-8")


def event(name: str, **data: Any) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "ev": name, "ts": time.monotonic(), **data}


def intent(name: str, **data: Any) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "op": name, "ts": time.monotonic(), **data}


def decode(line: bytes) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        raise ProtocolError("message too long")
    try:
        obj = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("not an object")
    if obj.get("v") != PROTOCOL_VERSION:
        raise ProtocolError(f"protocol version {obj.get('v')!r}, expected {PROTOCOL_VERSION}")
    return obj


# The engine's start-up line on stdout. Its stderr shares that pipe, and C libraries write
# there from other threads (ALSA's "ALSA lib ..." lines while PortAudio scans devices): once an
# ALSA line glued itself to the port number and the supervisor never saw READY. So the line is
# written in one write() (atomic on a pipe below PIPE_BUF) starting on a fresh line, and found
# anywhere in a line when read.
_READY = re.compile(rb"READY (.+) (\d+)\n")


def ready_line(control_path: str, port: int) -> bytes:
    return f"\nREADY {control_path} {port}\n".encode()


def parse_ready(raw: bytes) -> int | None:
    """The engine's SIP port if `raw` (one line as read, newline included) holds READY."""
    found = _READY.search(raw if raw.endswith(b"\n") else raw + b"\n")
    return int(found.group(2)) if found else None
