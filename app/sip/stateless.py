"""Stateless answers to a received request (pjsip_endpt_respond_stateless), from ctypes.

No transaction, no dialog, no call: pjsip builds the response from the request (Via, From, To
with a tag derived from the Via branch, so a retransmission gets the same tag; Call-ID, CSeq)
and sends it back where the request came from. Extra headers are pjsip generic string headers
made once per distinct set in a pool of our own (pjsip clones them into each response), so a
forward-always phone under load builds its Contact and Diversion once, not per call. SIP thread
only, inside the receive path (app/sip/flood_guard.py); `close()` before libDestroy().
"""

from __future__ import annotations

import ctypes

from app.phone.incoming import Route
from app.sip.pj_module import PjStr, pj_str

REASON_MAX = 64
MAX_LISTS = 64  # distinct header sets kept; then the pool is released and they are made anew


class _PjsipHdr(ctypes.Structure):
    # The common head of every pjsip header (PJSIP_DECL_HDR_MEMBER): used as a list sentinel.
    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("type", ctypes.c_int),
        ("name", PjStr),
        ("sname", PjStr),
        ("vptr", ctypes.c_void_p),
    ]


class Responder:
    def __init__(self, lib: ctypes.CDLL, endpt: int) -> None:
        lib.pjsip_rx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_rx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_endpt_respond_stateless.argtypes = [ctypes.c_void_p] * 2 + [
            ctypes.c_int,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.pjsip_endpt_respond_stateless.restype = ctypes.c_int
        lib.pjsip_generic_string_hdr_create.argtypes = [ctypes.c_void_p] * 3
        lib.pjsip_generic_string_hdr_create.restype = ctypes.c_void_p
        lib.pjsua_pool_create.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t]
        lib.pjsua_pool_create.restype = ctypes.c_void_p
        lib.pj_pool_release.argtypes = [ctypes.c_void_p]
        self._lib = lib
        self._endpt = endpt
        self._pool: int | None = None
        self._lists: dict[tuple[tuple[str, str], ...], _PjsipHdr] = {}
        self._reasons: dict[str, PjStr] = {}

    def close(self) -> None:
        """Release the headers' pool (before libDestroy())."""
        self._lists.clear()
        if self._pool:
            self._lib.pj_pool_release(self._pool)
        self._pool = None

    def info(self, rdata: int) -> bytes:
        return bytes(self._lib.pjsip_rx_data_get_info(rdata) or b"")

    def respond(self, rdata: int, route: Route) -> int:
        """Answer with the route's code, reason and (for a forward) Contact and Diversion."""
        decision = route.forward
        if route.kind == "forward" and decision is not None:
            return self.send(rdata, decision.code, decision.status_text, decision.headers)
        return self.send(rdata, route.code, route.reason, ())

    def busy(self, rdata: int, retry_after: int) -> int:
        return self.send(rdata, 503, "Too Many Calls", (("Retry-After", str(retry_after)),))

    def send(self, rdata: int, code: int, reason: str, headers: tuple[tuple[str, str], ...]) -> int:
        head = self._lists.get(headers)
        if head is None:
            head = self._make_list(headers)
        text = self._reasons.get(reason)
        if text is None:
            if len(self._reasons) >= MAX_LISTS:
                self._reasons.clear()
            text = self._reasons[reason] = pj_str(reason[:REASON_MAX])
        return int(
            self._lib.pjsip_endpt_respond_stateless(
                self._endpt, rdata, code, ctypes.byref(text), ctypes.byref(head), None
            )
        )

    def _make_list(self, headers: tuple[tuple[str, str], ...]) -> _PjsipHdr:
        """A pjsip header list (`head` is its sentinel) of generic string headers."""
        lib = self._lib
        if self._pool is None or len(self._lists) >= MAX_LISTS:
            self.close()
            self._pool = lib.pjsua_pool_create(b"deskphone-guard", 1024, 1024)
        head = _PjsipHdr()
        head_addr = ctypes.addressof(head)
        last = head_addr
        for name, value in headers:
            hdr = lib.pjsip_generic_string_hdr_create(
                self._pool, ctypes.byref(pj_str(name)), ctypes.byref(pj_str(value))
            )
            if not hdr:
                continue
            node = _PjsipHdr.from_address(hdr)
            node.prev, node.next = last, head_addr
            _PjsipHdr.from_address(last).next = hdr
            last = hdr
        head.prev = last
        if last == head_addr:
            head.next = head_addr
        self._lists[headers] = head
        return head
