"""Reading a received request inside pjsip's receive path: its bytes and where it came from.

pjsua2 gives Python no pjsip_rx_data, so the flood guard's module reads the few fields it needs
through ctypes, laid out as `struct pjsip_rx_data` in pjproject 2.15.1
(pjsip/include/pjsip/sip_transport.h) on x86_64 with the wheel's constants (PJSIP_MAX_PKT_LEN
4000, docs/pjsua2.md §1; PJ_INET6_ADDRSTRLEN 46; pj_ioqueue_op_key_t 34 pointers). Every read
is checked against the layout's own invariants (the message lies inside the packet buffer, the
source port is a port, the source name is a NUL-terminated address): a mismatch (another build)
makes `read()` return None and the guard falls back to letting pjsua decide.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

MAX_PKT_LEN = 4000
ADDR_STRLEN = 46  # PJ_INET6_ADDRSTRLEN


class _OpKey(ctypes.Structure):
    # pjsip_rx_data_op_key: pj_ioqueue_op_key_t (32 internal pointers, activesock_data,
    # user_data) and the rdata pointer.
    _fields_ = [("op_key", ctypes.c_void_p * 34), ("rdata", ctypes.c_void_p)]


class _TpInfo(ctypes.Structure):
    _fields_ = [
        ("pool", ctypes.c_void_p),
        ("transport", ctypes.c_void_p),
        ("tp_data", ctypes.c_void_p),
        ("op_key", _OpKey),
    ]


class _PktInfo(ctypes.Structure):
    _fields_ = [
        ("timestamp", ctypes.c_long * 2),  # pj_time_val {sec, msec}
        ("packet", ctypes.c_char * MAX_PKT_LEN),
        ("zero", ctypes.c_uint32),
        ("len", ctypes.c_ssize_t),
        ("src_addr", ctypes.c_uint32 * 7),  # pj_sockaddr: a 28-byte union, 4-byte aligned
        ("src_addr_len", ctypes.c_int),
        ("src_name", ctypes.c_char * ADDR_STRLEN),
        ("src_port", ctypes.c_int),
    ]


class _MsgInfo(ctypes.Structure):
    _fields_ = [("msg_buf", ctypes.c_void_p), ("len", ctypes.c_int)]


class RxData(ctypes.Structure):
    """The head of struct pjsip_rx_data, up to msg_info.len (the rest is never read)."""

    _fields_ = [("tp_info", _TpInfo), ("pkt_info", _PktInfo), ("msg_info", _MsgInfo)]


_PACKET = RxData.pkt_info.offset + _PktInfo.packet.offset
_ADDR_CHARS = frozenset(b"0123456789abcdefABCDEF.:%")


@dataclass(frozen=True)
class Received:
    """A SIP message as pjsip received it, with its source."""

    text: bytes  # the whole SIP message as received (at most MAX_PKT_LEN bytes)
    host: str  # source address as pjsip printed it
    port: int


def read(rdata: int) -> Received | None:
    """The message and source of a pjsip_rx_data at `rdata`, or None if it does not look
    like one (never reads outside the structure's own packet buffer)."""
    rx = RxData.from_address(rdata)
    start = (rx.msg_info.msg_buf or 0) - rdata - _PACKET
    size = rx.msg_info.len
    port = rx.pkt_info.src_port
    if not (start >= 0 and size > 0 and start + size <= MAX_PKT_LEN and 0 < port < 65536):
        return None
    name = bytes(rx.pkt_info.src_name)  # ctypes stops at the first NUL
    if not name or len(name) >= ADDR_STRLEN or not _ADDR_CHARS.issuperset(name):
        return None
    return Received(ctypes.string_at(rdata + _PACKET + start, size), name.decode(), port)
