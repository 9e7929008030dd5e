"""A pcap of G.711 A-law RTP carrying a known tone, for SIPp's `play_pcap_audio`.

SIPp's own /usr/share/sip-tester/g711a.pcap was analysed first: 236 packets of 240 bytes
(30 ms, payload type 8, ~7 s) of speech-like audio whose strongest frequency changes every
second (20, 117, 432, 632 Hz ...), so nothing in it can be asserted. This writes a steady sine
instead: the test then looks for exactly that frequency in what the phone played.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 8000
PTIME_MS = 20
_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def lin2alaw(pcm: npt.NDArray[np.int16]) -> bytes:
    """ITU-T G.711 A-law of 16-bit samples (the classic Sun reference algorithm, vectorised)."""
    val = pcm.astype(np.int32) >> 3
    neg = val < 0
    mask = np.where(neg, 0x55, 0xD5)
    val = np.where(neg, -val - 1, val)
    seg = np.searchsorted(_SEG_END, val, side="left")
    shift = np.where(seg < 2, 1, seg)
    aval = (np.minimum(seg, 7) << 4) | ((val >> shift) & 0x0F)
    aval = np.where(seg >= 8, 0x7F, aval)
    return bytes((aval ^ mask).astype(np.uint8))


def alaw2lin(data: bytes) -> npt.NDArray[np.int16]:
    a = np.frombuffer(data, dtype=np.uint8).astype(np.int32) ^ 0x55
    seg = (a & 0x70) >> 4
    t = (a & 0x0F) << 4
    t = np.where(seg == 0, t + 8, np.where(seg == 1, t + 0x108, (t + 0x108) << (seg - 1)))
    return np.where(a & 0x80, t, -t).astype(np.int16)


def tone_pcm(freq: float, seconds: float, amplitude: float = 8000.0) -> npt.NDArray[np.int16]:
    t = np.arange(round(seconds * RATE)) / RATE
    return np.round(amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def write_rtp_pcap(path: Path, pcm: npt.NDArray[np.int16], src_port: int = 4000) -> int:
    """Ethernet/IPv4/UDP/RTP (PT 8, 20 ms) packets of `pcm`; returns the packet count."""
    per = RATE * PTIME_MS // 1000
    payload = lin2alaw(pcm)
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    count = 0
    for seq, start in enumerate(range(0, len(payload) - per + 1, per)):
        rtp = struct.pack("!BBHII", 0x80, 8, seq & 0xFFFF, start, 0x12345678)
        rtp += payload[start : start + per]
        udp = struct.pack("!HHHH", src_port, 6000, 8 + len(rtp), 0) + rtp
        ip = struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            20 + len(udp),
            seq & 0xFFFF,
            0,
            64,
            17,
            0,
            bytes([127, 0, 0, 1]),
            bytes([127, 0, 0, 1]),
        )
        ip = ip[:10] + struct.pack("!H", _ip_checksum(ip)) + ip[12:]
        frame = bytes(6) + bytes(6) + b"\x08\x00" + ip + udp
        t_us = seq * PTIME_MS * 1000
        out.append(
            struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(frame), len(frame))
        )
        out.append(frame)
        count += 1
    path.write_bytes(b"".join(out))
    return count


def _ip_checksum(header: bytes) -> int:
    total: int = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
