"""A flow as a classic libpcap file that Wireshark, tshark and sngrep open.

Link type RAW (101): each record is an IPv4 or IPv6 packet carrying the SIP message in UDP or
TCP between the addresses pjsip printed, at the time it was captured. TCP segments get
consistent sequence numbers per direction (no handshake: Wireshark reads a stream joined
midway). A TLS message is written as the cleartext it carried, over TCP to the same ports;
Wireshark dissects it as SIP with "Decode As" (port 5061 is TLS to it). A message the log
cut short is written with its real length and the bytes kept, as a short capture would be.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable

from app.callflow.model import Packet, split_hostport

LINKTYPE_RAW = 101
SNAPLEN = 262144
_FALLBACK = ipaddress.ip_address("0.0.0.0")


def _address(hostport: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    host, port = split_hostport(hostport)
    try:
        return ipaddress.ip_address(host), port
    except ValueError:
        return _FALLBACK, port


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = int(sum(struct.unpack(f"!{len(data) // 2}H", data)))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ip(
    src: ipaddress.IPv4Address | ipaddress.IPv6Address,
    dst: ipaddress.IPv4Address | ipaddress.IPv6Address,
    proto: int,
    segment: bytes,
    ident: int,
) -> bytes:
    """The IP header for a segment, and the pseudo-header sum is left to the caller."""
    if src.version == 6 or dst.version == 6:
        s6 = src if src.version == 6 else ipaddress.IPv6Address(f"::ffff:{src}")
        d6 = dst if dst.version == 6 else ipaddress.IPv6Address(f"::ffff:{dst}")
        return struct.pack("!IHBB", 6 << 28, len(segment), proto, 64) + s6.packed + d6.packed
    head = struct.pack(
        "!BBHHHBBH4s4s",
        0x45, 0, 20 + len(segment), ident & 0xFFFF, 0x4000, 64, proto, 0, src.packed, dst.packed,
    )  # fmt: skip
    return head[:10] + struct.pack("!H", _checksum(head)) + head[12:]


def _pseudo(ip_head: bytes, proto: int, length: int) -> bytes:
    if ip_head[0] >> 4 == 6:
        return ip_head[8:40] + struct.pack("!IxxxB", length, proto)
    return ip_head[12:20] + struct.pack("!xBH", proto, length)


class _Tcp:
    """Sequence numbers of each direction of each connection."""

    def __init__(self) -> None:
        self.next: dict[tuple[str, str], int] = {}

    def numbers(self, src: str, dst: str, size: int) -> tuple[int, int]:
        seq = self.next.get((src, dst), 1)
        self.next[(src, dst)] = (seq + size) & 0xFFFFFFFF
        return seq, self.next.get((dst, src), 1)


def _packet(p: Packet, ident: int, tcp: _Tcp) -> bytes:
    """The whole packet as it was on the wire (the SIP payload at its real length)."""
    local, peer = p.local or "0.0.0.0:0", p.peer
    src_text, dst_text = (local, peer) if p.sent else (peer, local)
    (src, sport), (dst, dport) = _address(src_text), _address(dst_text)
    payload = p.data + b"\0" * max(0, p.size - len(p.data))
    if p.transport.upper().startswith("UDP"):
        proto = 17
        segment = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    else:
        proto = 6
        seq, ack = tcp.numbers(src_text, dst_text, len(payload))
        segment = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x18, 65535, 0, 0)
        segment += payload
    head = _ip(src, dst, proto, segment, ident)
    total = _checksum(_pseudo(head, proto, len(segment)) + segment)
    if proto == 17:
        total = total or 0xFFFF
        segment = segment[:6] + struct.pack("!H", total) + segment[8:]
    else:
        segment = segment[:16] + struct.pack("!H", total) + segment[18:]
    return head + segment


def flow_pcap(packets: Iterable[Packet]) -> bytes:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, LINKTYPE_RAW)]
    tcp = _Tcp()
    for ident, p in enumerate(sorted(packets, key=lambda p: p.t), start=1):
        whole = _packet(p, ident, tcp)
        kept = whole[: len(whole) - max(0, p.size - len(p.data))]  # what was really captured
        sec = int(p.t)
        usec = min(999999, max(0, round((p.t - sec) * 1_000_000)))
        out.append(struct.pack("<IIII", sec, usec, len(kept), len(whole)) + kept)
    return b"".join(out)
