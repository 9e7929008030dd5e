"""Ending a call whose final response was too big for pjsip to read.

Why: the pjsua2 wheel is built with PJSIP_MAX_PKT_LEN 4000. A bigger response over TCP (a 302
with hundreds of Contacts, a 10 KB display name) fills pjsip's receive buffer, is dropped with
PJSIP_ERXOVERFLOW and never reaches the INVITE transaction; over TCP nothing is retransmitted,
so the call sat in Connecting until timer B failed it with 408 after 32 s
(tests/robustness/test_hostile_sip.py). The buffer size is a compile-time constant.

pjsip does tell the application what it drops (pjsip_tpmgr_set_drop_data_cb), with the first
4000 bytes, which hold the start line and, in any real response, the Via and CSeq headers.
When the dropped data is a final response to an INVITE, its top Via branch names our client
transaction ("c$" + branch, create_tsx_key_3261 in sip_transaction.c), and terminating that
transaction with 513 Message Too Large ends the call at once through pjsua's usual path
(DISCONNECTED, onCallState): the handset shows "Message Too Large!" instead of Connecting...
No ACK can be built from a message pjsip did not parse; the far end's timer H ends its side.

The drop callback runs inside pjsip's transport read path, so it only records the branch; the
transaction is ended after libHandleEvents() returns (drain), on the same SIP thread, where no
pjsip lock is held and pjsua's callbacks may run.
"""

from __future__ import annotations

import ctypes
import logging
import re

from app.sip.pj_module import PjStr, pjsua_library

log = logging.getLogger("deskphone.sip")

PJSIP_ERXOVERFLOW = 171062  # PJSIP_ERRNO_START_PJSIP + 62 (pjsip/sip_errno.h)
TOO_LARGE = 513
_STATUS = re.compile(rb"^SIP/2\.0 ([1-6]\d\d) ")
_VIA = re.compile(rb"^(?:Via|v)[ \t]*:([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
_CSEQ = re.compile(rb"^CSeq[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)", re.IGNORECASE | re.MULTILINE)
_BRANCH = re.compile(rb";[ \t]*branch[ \t]*=[ \t]*([^;,\s]+)", re.IGNORECASE)


class _DroppedData(ctypes.Structure):
    # pjsip_tp_dropped_data (pjsip/sip_transport.h, 2.15.1), field for field.
    _fields_ = [
        ("tp", ctypes.c_void_p),
        ("data", ctypes.c_void_p),
        ("len", ctypes.c_size_t),
        ("status", ctypes.c_int),
    ]


_DROP_CB = ctypes.CFUNCTYPE(None, ctypes.POINTER(_DroppedData))


def invite_branch_of(head: bytes) -> str | None:
    """The top Via branch of a final response to an INVITE, from the start of its bytes."""
    status = _STATUS.match(head)
    cseq = _CSEQ.search(head)
    if status is None or int(status.group(1)) < 200 or cseq is None:
        return None
    if cseq.group(1).upper() != b"INVITE":
        return None
    via = _VIA.search(head)
    branch = _BRANCH.search(via.group(1)) if via else None
    if branch is None or not branch.group(1).startswith(b"z9hG4bK"):
        return None  # pre-RFC 3261 peers: pjsip keys those transactions differently
    return branch.group(1).decode("ascii", "replace")


class OversizeWatch:
    """Notices dropped oversize responses; register and drain on the SIP thread."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.ended = 0
        self._lib: ctypes.CDLL | None = None
        self._tpmgr: int = 0
        self._callback = _DROP_CB(self._on_dropped)  # kept: pjsip holds the raw pointer

    def register(self) -> None:
        lib = pjsua_library()
        lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
        lib.pjsip_endpt_get_tpmgr.restype = ctypes.c_void_p
        lib.pjsip_endpt_get_tpmgr.argtypes = [ctypes.c_void_p]
        lib.pjsip_tpmgr_set_drop_data_cb.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.pjsip_tpmgr_set_drop_data_cb.restype = ctypes.c_int
        lib.pjsip_tsx_layer_find_tsx.argtypes = [ctypes.POINTER(PjStr), ctypes.c_int]
        lib.pjsip_tsx_layer_find_tsx.restype = ctypes.c_void_p
        lib.pjsip_tsx_terminate.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.pjsip_tsx_terminate.restype = ctypes.c_int
        tpmgr = lib.pjsip_endpt_get_tpmgr(lib.pjsua_get_pjsip_endpt())
        if not tpmgr:
            raise RuntimeError("pjsip has no transport manager yet")
        callback = ctypes.cast(self._callback, ctypes.c_void_p)
        status = lib.pjsip_tpmgr_set_drop_data_cb(tpmgr, callback)
        if status != 0:
            raise RuntimeError(f"pjsip_tpmgr_set_drop_data_cb failed: {status}")
        self._lib, self._tpmgr = lib, tpmgr

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object."""
        if self._lib is not None and self._tpmgr:
            self._lib.pjsip_tpmgr_set_drop_data_cb(self._tpmgr, None)
        self._lib, self._tpmgr = None, 0

    def _on_dropped(self, dd: ctypes._Pointer[_DroppedData]) -> None:
        # Inside pjsip's receive path: copy, parse, remember. Nothing here may raise into C.
        try:
            data = dd.contents
            if data.status != PJSIP_ERXOVERFLOW or not data.data:
                return
            head = ctypes.string_at(data.data, min(int(data.len), 4096))
            branch = invite_branch_of(head)
            if branch is not None:
                self.pending.append(branch)
            else:
                log.warning("dropped an oversize SIP message: %r", head[:80])
        except Exception:  # a C callback must not raise
            log.exception("oversize drop callback")

    def drain(self) -> None:
        """End the INVITE transactions whose final response could not be read."""
        if not self.pending or self._lib is None:
            return
        branches, self.pending = self.pending, []
        for branch in branches:
            key = f"c${branch}".encode()
            found = self._lib.pjsip_tsx_layer_find_tsx(ctypes.byref(PjStr(key, len(key))), 0)
            if not found:
                continue  # already over (timer, CANCEL, a retransmission that fitted)
            log.warning(
                "a final response to INVITE (branch %s) was over pjsip's 4000-byte limit and "
                "could not be read: ending the call with %d",
                branch,
                TOO_LARGE,
            )
            self._lib.pjsip_tsx_terminate(found, TOO_LARGE)
            self.ended += 1
