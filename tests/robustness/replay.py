"""Send raw SIP bytes at the engine on 127.0.0.1 and collect what comes back, plus health checks.

The RFC 4475 messages name hosts at example.com and 192.0.2.x; `rewrite_for_loopback` points
their Request-URI and top Via at loopback so the engine's answers reach the sending socket and
nothing leaves the machine. Everything else in a message is left as the RFC wrote it.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.engine_harness import EngineClient, EngineProcess
from tests.sipnet import HOST, sip_options_ping

TORTURE_DIR = Path(__file__).resolve().parent / "rfc4475"

LIVE_STATES = {"Dialing", "Connecting", "RingBack", "CallIn", "Talking", "Hold", "Held"}

# A host in the Request-URI, right after "sip:"/"@" and without an explicit port.
_RURI_HOST = re.compile(rb"(?<=[@:])(?:[\w-]+\.)*(?:example\.(?:com|org|net)|company\.com)\b(?!:)")
_VIA_SENT_BY = re.compile(
    rb"(SIP\s*/\s*\d+\.\d+\s*/\s*)(UDP|TCP|TLS|SCTP|UNKNOWN)(\s+)([^;,\s]+)", re.IGNORECASE
)
_BRANCH = re.compile(rb"branch\s*=\s*[^;,\s]+", re.IGNORECASE)
_CALL_ID = re.compile(rb"^(?:call-id|i)\s*:\s*\S+", re.IGNORECASE)
_STATUS = re.compile(rb"^SIP/2\.0 (\d{3})", re.MULTILINE)


def torture_names() -> list[str]:
    return sorted(p.stem for p in TORTURE_DIR.glob("*.dat"))


def load_torture(name: str) -> bytes:
    return (TORTURE_DIR / f"{name}.dat").read_bytes()


def _split_head(msg: bytes) -> tuple[bytes, bytes]:
    head, sep, body = msg.partition(b"\r\n\r\n")
    return head, sep + body


def rewrite_for_loopback(
    msg: bytes, engine_port: int, own_port: int, transport: str, tag: str = ""
) -> bytes:
    """Point the Request-URI at the engine and the top Via at our own socket, with rport.

    `tag` is appended to the top Via branch and the Call-ID: several RFC messages share one
    branch value, and a request reusing a live branch is only a retransmission to the engine;
    the same message sent again over another transport would be a merged request (482).
    """
    head, rest = _split_head(msg)
    start, _, headers = head.partition(b"\r\n")
    if not start.startswith(b"SIP/"):
        start = _RURI_HOST.sub(f"{HOST}:{engine_port}".encode(), start, count=1)
    lines = headers.split(b"\r\n")
    if tag:
        lines = [_CALL_ID.sub(lambda m: m.group(0) + tag.encode(), ln, count=1) for ln in lines]
    for index, line in enumerate(lines):
        name = line.split(b":", 1)[0].strip().lower()
        if line[:1] in (b" ", b"\t") or name not in (b"via", b"v"):
            continue
        # The top Via may be folded over continuation lines (wsinv): rewrite the joined text.
        end = index + 1
        while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
            end += 1
        via = b"\r\n".join(lines[index:end])
        sent_by = f"{HOST}:{own_port}".encode()
        if b"rport" not in via.lower():
            sent_by += b";rport"
        replacement = rb"\g<1>" + transport.encode() + rb"\g<3>" + sent_by
        via = _VIA_SENT_BY.sub(replacement, via, count=1)
        if tag:
            via = _BRANCH.sub(lambda m: m.group(0) + tag.encode(), via, count=1)
        lines[index:end] = via.split(b"\r\n")
        break
    return start + b"\r\n" + b"\r\n".join(lines) + rest


def status_codes(data: bytes) -> list[int]:
    return [int(code) for code in _STATUS.findall(data)]


@dataclass
class Exchange:
    """One message sent and every response received for it."""

    sent: bytes
    codes: list[int] = field(default_factory=list)
    raw: bytes = b""

    @property
    def final(self) -> int | None:
        return next((c for c in self.codes if c >= 200), None)


class UdpPeer:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.port = int(self.sock.getsockname()[1])

    def send(self, data: bytes, port: int) -> None:
        self.sock.sendto(data, (HOST, port))

    def collect(self, ex: Exchange, timeout: float) -> None:
        """Read responses until a final one or the timeout."""
        deadline = time.monotonic() + timeout
        while ex.final is None and (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data, _ = self.sock.recvfrom(65535)
            except TimeoutError:
                return
            ex.raw += data
            ex.codes += status_codes(data[:64])

    def close(self) -> None:
        self.sock.close()


class TcpPeer:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=2)
        self.port = int(self.sock.getsockname()[1])

    def send(self, data: bytes, port: int) -> None:
        self.sock.sendall(data)

    def collect(self, ex: Exchange, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while ex.final is None and (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535)
            except (TimeoutError, ConnectionError):
                return
            if not data:
                return
            ex.raw += data
            ex.codes = status_codes(ex.raw)

    def close(self) -> None:
        self.sock.close()


def snapshot(client: EngineClient, timeout: float = 5.0) -> dict[str, Any]:
    since = len(client.events)
    client.send("snapshot")
    return client.wait_for(lambda e: e.get("ev") == "snapshot", timeout, since)


def live_calls(client: EngineClient) -> list[dict[str, Any]]:
    return [c for c in snapshot(client)["calls"] if c["state"] in LIVE_STATES]


def end_live_calls(client: EngineClient, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Hang up (or refuse) every live call; returns the ones found. Bounded in time."""
    found = live_calls(client)
    for call in found:
        client.send("hangup", call=call["id"])
    deadline = time.monotonic() + timeout
    while live_calls(client):
        if time.monotonic() > deadline:
            raise AssertionError(f"calls still live after hangup: {live_calls(client)}")
        time.sleep(0.05)
    return found


def assert_healthy(engine: EngineProcess, client: EngineClient, registered: bool) -> None:
    """Alive (no restart), answers OPTIONS, still registered, answers on its control socket."""
    assert engine.proc is not None
    code = engine.proc.poll()
    assert code is None, f"engine exited with {code}: {engine.log_text()[-3000:]}"
    answered = any(sip_options_ping(engine.port, 1.0) for _ in range(3))
    assert answered, "engine no longer answers OPTIONS"
    if registered:
        states = [a["state"] for a in snapshot(client)["accounts"]]
        assert states and all(s == "Registered" for s in states), states
