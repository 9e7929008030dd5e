"""A tiny SIP registrar on 127.0.0.1 for tests that need to choose its answers.

It answers each REGISTER with the status `answer(n)` picks for the n-th one (0-based) and
records when each came, over UDP or over TLS (with a certificate made by the test). Only
REGISTER is understood; that is all the account tests need from it.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
Answer = Callable[[int], tuple[int, str]]


@dataclass
class Received:
    at: float  # monotonic
    message: str
    transport: str


def reply_to(request: str, code: int, reason: str, transport: str) -> bytes:
    head, _, _ = request.partition("\r\n\r\n")
    lines = head.split("\r\n")
    keep = [line for line in lines[1:] if re.match(r"(?i)(via|v|from|f|call-id|i|cseq):", line)]
    to = next((line for line in lines if re.match(r"(?i)(to|t):", line)), "To: <sip:x@x>")
    if ";tag=" not in to:
        to += ";tag=tiny1"
    out = [f"SIP/2.0 {code} {reason}", *keep, to]
    if code // 100 == 2:
        contact = next((line for line in lines if re.match(r"(?i)(contact|m):", line)), "")
        expires = re.search(r"(?im)^expires:\s*(\d+)", head)
        secs = expires.group(1) if expires else "3600"
        if contact:
            value = contact.split(":", 1)[1].strip()
            out.append(f"Contact: {value};expires={secs}" if "expires" not in value else contact)
        out.append(f"Expires: {secs}")
    out += ["Server: tiny-registrar", "Content-Length: 0", "", ""]
    return "\r\n".join(out).encode()


@dataclass
class TinyRegistrar:
    answer: Answer
    transport: str = "udp"  # udp | tls
    certfile: Path | None = None
    keyfile: Path | None = None
    port: int = 0
    received: list[Received] = field(default_factory=list)
    handshake_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = False
        self._lock = threading.Lock()
        if self.transport == "udp":
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._sock.bind((HOST, self.port))
            self._sock.settimeout(0.2)
            target = self._serve_udp
        else:
            assert self.certfile and self.keyfile
            self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ctx.load_cert_chain(self.certfile, self.keyfile)
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._sock.bind((HOST, self.port))
            self._sock.listen(8)
            self._sock.settimeout(0.2)
            target = self._serve_tls
        self.port = int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def registers(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.message.startswith("REGISTER ")]

    def _answer(self, message: str) -> bytes | None:
        if not message.startswith("REGISTER "):
            return None
        with self._lock:
            n = len([r for r in self.received if r.message.startswith("REGISTER ")])
            self.received.append(Received(time.monotonic(), message, self.transport))
        code, reason = self.answer(n)
        return reply_to(message, code, reason, self.transport)

    def _serve_udp(self) -> None:
        while not self._stop:
            try:
                data, peer = self._sock.recvfrom(65535)
            except OSError:
                continue
            out = self._answer(data.decode(errors="replace"))
            if out:
                self._sock.sendto(out, peer)

    def _serve_tls(self) -> None:
        while not self._stop:
            try:
                raw, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve_conn, args=(raw,), daemon=True).start()

    def _serve_conn(self, raw: socket.socket) -> None:
        raw.settimeout(5)
        try:
            conn = self._ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(str(exc))
            raw.close()
            return
        buffer = b""
        conn.settimeout(0.2)
        with conn:
            while not self._stop:
                try:
                    chunk = conn.recv(65535)
                except TimeoutError:
                    continue
                except (ssl.SSLError, OSError):
                    return
                if not chunk:
                    return
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    length = re.search(rb"(?im)^(content-length|l):\s*(\d+)", head)
                    size = int(length.group(2)) if length else 0
                    if len(rest) < size:
                        break
                    buffer = rest[size:]
                    out = self._answer((head + b"\r\n\r\n").decode(errors="replace"))
                    if out:
                        conn.sendall(out)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        with contextlib.suppress(OSError):
            self._sock.close()


def self_signed_cert(workdir: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (made with the openssl command line)."""
    import subprocess

    workdir.mkdir(parents=True, exist_ok=True)
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key
