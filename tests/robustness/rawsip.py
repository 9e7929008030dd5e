"""A scriptable raw-socket SIP UAS on 127.0.0.1 (UDP or TCP) for hostile answers; INVITE maker.

SIPp cannot easily emit 500 Contacts or 10 KB display names, so these tests speak SIP by hand:
the first INVITE gets the hostile response the test supplies, any later INVITE (a followed
redirect) gets 486, so every path ends in bounded time.
"""

from __future__ import annotations

import re
import socket
import threading
import uuid
from collections.abc import Callable

from tests.sipnet import HOST

Builder = Callable[[dict[str, list[str]]], bytes]

_CL = re.compile(rb"^(?:content-length|l)\s*:\s*(\d+)", re.IGNORECASE | re.MULTILINE)


def parse_headers(msg: bytes) -> tuple[str, dict[str, list[str]]]:
    head = msg.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    start, *lines = head.split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return start, headers


def serve_udp(
    sock: socket.socket, stop: threading.Event, answer: Callable[[bytes], bytes | None]
) -> None:
    """Answer each datagram with `answer(data)` (None: no reply) until `stop` or the socket
    closes; the socket needs a timeout so `stop` is seen."""
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(65535)
        except TimeoutError:
            continue
        except OSError:
            return
        out = answer(data)
        if out is not None:
            sock.sendto(out, addr)


def response(code: int, reason: str, req: dict[str, list[str]], extra: str = "") -> bytes:
    """A response to `req` that copies its Via/From/Call-ID/CSeq and tags its To."""
    vias = "".join(f"Via: {v}\r\n" for v in req.get("via", []))
    to = req.get("to", [""])[0]
    if ";tag=" not in to:
        to += ";tag=hostile1"
    text = (
        f"SIP/2.0 {code} {reason}\r\n{vias}"
        f"From: {req.get('from', [''])[0]}\r\nTo: {to}\r\n"
        f"Call-ID: {req.get('call-id', [''])[0]}\r\nCSeq: {req.get('cseq', [''])[0]}\r\n"
        f"{extra}Content-Length: 0\r\n\r\n"
    )
    return text.encode()


class RawUas:
    """Answers the first INVITE with `first(req)`, later INVITEs 486, BYE/CANCEL 200."""

    def __init__(self, first: Builder, transport: str = "udp") -> None:
        self.first = first
        self.transport = transport
        self.invites = 0
        self.requests: list[str] = []
        self._stop = threading.Event()
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.port = int(self.sock.getsockname()[1])
        if transport == "tcp":
            self.sock.listen(8)
        self.sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def uri_params(self) -> str:
        return ";transport=tcp" if self.transport == "tcp" else ""

    def _answer(self, msg: bytes) -> bytes | None:
        start, req = parse_headers(msg)
        method = start.split(" ", 1)[0]
        self.requests.append(method)
        if method == "INVITE":
            self.invites += 1
            return self.first(req) if self.invites == 1 else response(486, "Busy Here", req)
        if method in ("BYE", "CANCEL", "OPTIONS"):
            return response(200, "OK", req)
        return None

    def _run(self) -> None:
        if self.transport == "udp":
            serve_udp(self.sock, self._stop, self._answer)
            return
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        buffer = b""
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65535)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, rest = buffer.split(b"\r\n\r\n", 1)
                    match = _CL.search(head)
                    length = int(match.group(1)) if match else 0
                    if len(rest) < length:
                        break
                    msg, buffer = head + b"\r\n\r\n" + rest[:length], rest[length:]
                    out = self._answer(msg)
                    if out is not None:
                        conn.sendall(out)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(2)


def invite(
    engine_port: int,
    own_port: int,
    transport: str = "UDP",
    from_hdr: str = "",
    contact: str = "",
    extra: str = "",
    body: str = "",
    content_type: str = "application/sdp",
) -> bytes:
    """An INVITE to the engine with the given (possibly hostile) parts; the rest is sane."""
    tag = uuid.uuid4().hex[:10]
    from_hdr = from_hdr or f"<sip:hostile@{HOST}:{own_port}>"
    contact = contact or f"<sip:hostile@{HOST}:{own_port}>"
    ctype = f"Content-Type: {content_type}\r\n" if body else ""
    text = (
        f"INVITE sip:alice@{HOST}:{engine_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} {HOST}:{own_port};branch=z9hG4bK{tag};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: {from_hdr};tag={tag}\r\n"
        f"To: <sip:alice@{HOST}:{engine_port}>\r\nCall-ID: {tag}@hostile\r\n"
        f"CSeq: 1 INVITE\r\nContact: {contact}\r\n{extra}{ctype}"
        f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
    )
    return text.encode()


def sdp(port: int = 40000) -> str:
    return (
        f"v=0\r\no=- 1 1 IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
    )
