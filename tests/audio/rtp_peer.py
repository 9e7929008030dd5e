"""A far end that really talks: a raw-socket SIP UAS on 127.0.0.1 with a PCMU tone sender and a
recorder of what the engine sends it (for the conference mixing test).

SIPp can play a pcap but not record decoded audio per time window, so the SIP side is a few
lines by hand: every INVITE (first or re-INVITE) is answered 200 with SDP pointing at our own RTP
socket and the mirrored direction (sendonly -> recvonly, ...); ACK is ignored; BYE, OPTIONS,
UPDATE, INFO get 200. The tone is sent all the time, also while we are held: a test that finds
no leak of it then proves the engine did not bridge it, not that we kept quiet.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import numpy as np
import numpy.typing as npt

from tests.robustness.rawsip import parse_headers, serve_udp
from tests.sipnet import HOST, free_even_port_pair

RATE = 8000
FRAME = 160  # 20 ms of PCMU/8000
_BIAS = 0x84
_CLIP = 32635
_MIRROR = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}


def ulaw_encode(x: npt.NDArray[np.int16]) -> bytes:
    """G.711 mu-law of 16-bit linear samples."""
    v = x.astype(np.int32)
    sign = (v < 0).astype(np.int32) << 7
    mag = np.minimum(np.abs(v), _CLIP) + _BIAS
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8))


def ulaw_decode(data: bytes) -> npt.NDArray[np.int16]:
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    mag = (((u & 0x0F) << 3) + _BIAS) << exponent
    mag -= _BIAS
    return np.where(u & 0x80, -mag, mag).astype(np.int16)


def tone(freq: float, seconds: float, amplitude: float = 8000.0) -> npt.NDArray[np.int16]:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def sdp_direction(body: str) -> str:
    found = re.findall(r"^a=(sendrecv|sendonly|recvonly|inactive)\s*$", body, re.MULTILINE)
    return found[-1] if found else "sendrecv"


def sdp_media_addr(body: str) -> tuple[str, int] | None:
    conn = re.search(r"^c=IN IP4 (\S+)", body, re.MULTILINE)
    media = re.search(r"^m=audio (\d+) ", body, re.MULTILINE)
    if conn is None or media is None:
        return None
    return conn.group(1), int(media.group(1))


class TonePeer:
    """A UAS named `user` that sends `freq` Hz as PCMU and records (arrival time, samples)."""

    def __init__(self, user: str, freq: float) -> None:
        self.user = user
        self.freq = freq
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind((HOST, 0))
        self.sip.settimeout(0.2)
        self.sip_port = int(self.sip.getsockname()[1])
        self.rtp_port = free_even_port_pair()
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind((HOST, self.rtp_port))
        self.rtp.settimeout(0.2)
        self.received: list[tuple[float, npt.NDArray[np.int16]]] = []
        self.offers: list[str] = []  # direction of every INVITE's SDP, in order
        self.methods: list[str] = []
        self._remote: tuple[str, int] | None = None
        self._sdp_version = 1
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=fn, daemon=True)
            for fn in (self._sip_loop, self._send_loop, self._recv_loop)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@{HOST}:{self.sip_port}"

    # --- SIP ---------------------------------------------------------------------------------

    def _sdp(self, direction: str) -> str:
        self._sdp_version += 1  # a changed answer needs a new o= version
        return (
            f"v=0\r\no=- 1 {self._sdp_version} IN IP4 {HOST}\r\ns=-\r\nc=IN IP4 {HOST}\r\n"
            f"t=0 0\r\nm=audio {self.rtp_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            f"a=ptime:20\r\na={direction}\r\n"
        )

    def _response(self, req: dict[str, list[str]], body: str = "") -> bytes:
        vias = "".join(f"Via: {v}\r\n" for v in req.get("via", []))
        to = req.get("to", [""])[0]
        if ";tag=" not in to:
            to += f";tag={self.user}1"
        extra = f"Contact: <sip:{self.user}@{HOST}:{self.sip_port}>\r\n"
        if body:
            extra += "Content-Type: application/sdp\r\n"
        text = (
            f"SIP/2.0 200 OK\r\n{vias}From: {req.get('from', [''])[0]}\r\nTo: {to}\r\n"
            f"Call-ID: {req.get('call-id', [''])[0]}\r\nCSeq: {req.get('cseq', [''])[0]}\r\n"
            f"{extra}Content-Length: {len(body.encode())}\r\n\r\n{body}"
        )
        return text.encode()

    def _answer(self, msg: bytes) -> bytes | None:
        start, req = parse_headers(msg)
        method = start.split(" ", 1)[0]
        self.methods.append(method)
        if method == "INVITE":
            body = msg.split(b"\r\n\r\n", 1)[1].decode(errors="replace")
            direction = sdp_direction(body)
            self.offers.append(direction)
            self._remote = sdp_media_addr(body) or self._remote
            return self._response(req, self._sdp(_MIRROR.get(direction, "sendrecv")))
        if method in ("BYE", "OPTIONS", "UPDATE", "INFO", "CANCEL"):
            return self._response(req)
        return None  # ACK, and responses to anything we never send

    def _sip_loop(self) -> None:
        serve_udp(self.sip, self._stop, self._answer)

    # --- RTP ---------------------------------------------------------------------------------

    def _send_loop(self) -> None:
        payload = ulaw_encode(tone(self.freq, 1.0))  # exactly 440 or 1300 cycles: loops clean
        ssrc = int.from_bytes(self.user.encode()[:4].ljust(4, b"x"), "big")
        seq = stamp = 0
        pos = 0
        next_at = time.monotonic()
        while not self._stop.is_set():
            remote = self._remote
            if remote is not None:
                header = bytes([0x80, 0]) + seq.to_bytes(2, "big") + stamp.to_bytes(4, "big")
                chunk = payload[pos : pos + FRAME]
                try:
                    self.rtp.sendto(header + ssrc.to_bytes(4, "big") + chunk, remote)
                except OSError:
                    return
                seq = (seq + 1) & 0xFFFF
                stamp = (stamp + FRAME) & 0xFFFFFFFF
                pos = (pos + FRAME) % len(payload)
            next_at += FRAME / RATE
            time.sleep(max(0.0, next_at - time.monotonic()))

    def _recv_loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.rtp.recv(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(data) > 12 and data[0] >> 6 == 2 and data[1] & 0x7F == 0:
                cc = data[0] & 0x0F
                self.received.append((time.monotonic(), ulaw_decode(data[12 + 4 * cc :])))

    def audio(self, start: float, end: float) -> npt.NDArray[np.int16]:
        """The PCMU samples that arrived between two monotonic times, in arrival order."""
        parts = [s for t, s in list(self.received) if start <= t < end]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        self.sip.close()
        self.rtp.close()
