"""INVITE flood guard: a pjsip module that refuses new calls before pjsua gives them media.

Why (docs/pjsua2.md §9): pjsua opens an RTP and an RTCP socket for every
incoming INVITE with SDP *before* the application hears of the call, and a closed socket's slot
in the media ioqueue (a select ioqueue with 64 slots in the wheel) comes back only 500 ms later
(PJ_IOQUEUE_KEY_FREE_DELAY). About 33 INVITEs within half a second exhaust it and the process
aborts on an assertion in pj_ioqueue_register_sock2(). The old remedies are closed: pre-created
media transports (pjsua_media_transports_create/attach) are compiled out of pjsua 2.x
(DISABLED_FOR_TICKET_1185) and not exported by the wheel; the slot count and free delay are
compile-time constants.

So this module sits in pjsip's receive chain just before pjsua (priority 63; pjsua's modules
are 64). By then the transaction layer has absorbed retransmissions and the dialog layer every
in-dialog request, so an established call's re-INVITE, BYE or OPTIONS never reaches it, and
out-of-dialog OPTIONS pass on untouched. A new INVITE is let through only while the media
sockets it may cost fit a budget counted over the last 0.6 s: live calls, calls ended within
the slot free delay (plus margin), and INVITEs let through recently. Beyond it the INVITE gets a
stateless 503 with Retry-After, which costs no socket, no transaction and no Python call object.
(The wheel is built with PJSUA_MAX_CALLS 4: a fifth live call already gets a stateless 486 from
pjsua before any media, and uaConfig.maxCalls cannot raise that.)

Only public C API symbols of the wheel's own library are used (pjsua_get_pjsip_endpt,
pjsua_call_get_count, pjsip_endpt_register_module/unregister_module,
pjsip_endpt_respond_stateless, pjsip_rx_data_get_info, pjsip_generic_string_hdr_create), all on
the SIP thread: the module is registered there and pjsip calls it from libHandleEvents().
"""

from __future__ import annotations

import ctypes
import logging
import time
from collections import deque
from pathlib import Path

log = logging.getLogger("deskphone.sip")

# Media sockets are 2 per call (RTP + RTCP); 24 units keep at most 48 of the 64 slots busy and
# leave room for an outgoing call's legs while a flood is refused.
BUDGET = 24
WINDOW_S = 0.6  # > PJ_IOQUEUE_KEY_FREE_DELAY (0.5 s): a closed slot is surely back by then
RETRY_AFTER_S = 5
PRIORITY = 63  # PJSIP_MOD_PRIORITY_APPLICATION - 1: after the dialog layer, before pjsua


class _PjStr(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_char_p), ("slen", ctypes.c_ssize_t)]


_RX_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class _PjsipModule(ctypes.Structure):
    # struct pjsip_module (pjsip/sip_module.h, 2.15.1), field for field.
    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("name", _PjStr),
        ("id", ctypes.c_int),
        ("priority", ctypes.c_int),
        ("load", ctypes.c_void_p),
        ("start", ctypes.c_void_p),
        ("stop", ctypes.c_void_p),
        ("unload", ctypes.c_void_p),
        ("on_rx_request", _RX_CB),
        ("on_rx_response", ctypes.c_void_p),
        ("on_tx_request", ctypes.c_void_p),
        ("on_tx_response", ctypes.c_void_p),
        ("on_tsx_state", ctypes.c_void_p),
    ]


class _PjsipHdr(ctypes.Structure):
    # The common head of every pjsip header (PJSIP_DECL_HDR_MEMBER): used as a list sentinel.
    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("type", ctypes.c_int),
        ("name", _PjStr),
        ("sname", _PjStr),
        ("vptr", ctypes.c_void_p),
    ]


def pjsua_library() -> ctypes.CDLL:
    """The already loaded pjsua2 extension: dlopen of the same path returns the same handle."""
    import pjsua2._pjsua2 as native

    return ctypes.CDLL(str(Path(native.__file__)))


class FloodGuard:
    """Admission control for new INVITEs; create, register and unregister on the SIP thread."""

    def __init__(self, budget: int = BUDGET, window_s: float = WINDOW_S) -> None:
        self.budget = budget
        self.window_s = window_s
        self.admitted = 0
        self.refused = 0
        self._recent_admits: deque[float] = deque()
        self._recent_ends: deque[float] = deque()
        self._lib: ctypes.CDLL | None = None
        self._endpt: int = 0
        self._module: _PjsipModule | None = None
        self._callback = _RX_CB(self._on_rx_request)  # kept: pjsip holds the raw pointer
        self._name = b"mod-deskphone-flood-guard"
        self._reason = _PjStr(b"Too Many Calls", len(b"Too Many Calls"))
        self._hname = _PjStr(b"Retry-After", len(b"Retry-After"))
        retry = str(RETRY_AFTER_S).encode()
        self._retry = ctypes.create_string_buffer(retry)
        self._hvalue = _PjStr(ctypes.cast(self._retry, ctypes.c_char_p), len(retry))

    @property
    def registered(self) -> bool:
        return self._module is not None

    def register(self) -> None:
        lib = pjsua_library()
        lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
        lib.pjsua_call_get_count.restype = ctypes.c_uint
        lib.pjsip_rx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_rx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_endpt_register_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.pjsip_endpt_unregister_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.pjsip_endpt_respond_stateless.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.pjsip_endpt_respond_stateless.restype = ctypes.c_int
        lib.pjsip_generic_string_hdr_create.argtypes = [ctypes.c_void_p] * 3
        lib.pjsip_generic_string_hdr_create.restype = ctypes.c_void_p
        endpt = lib.pjsua_get_pjsip_endpt()
        if not endpt:
            raise RuntimeError("pjsua has no SIP endpoint yet")
        module = _PjsipModule()
        module.name = _PjStr(self._name, len(self._name))
        module.id = -1
        module.priority = PRIORITY
        module.on_rx_request = self._callback
        status = lib.pjsip_endpt_register_module(endpt, ctypes.byref(module))
        if status != 0:
            raise RuntimeError(f"pjsip_endpt_register_module failed: {status}")
        self._lib, self._endpt, self._module = lib, endpt, module
        log.info("flood guard registered (budget %d per %.1f s)", self.budget, self.window_s)

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        if self._lib is None or self._module is None:
            return
        self._lib.pjsip_endpt_unregister_module(self._endpt, ctypes.byref(self._module))
        self._module = None
        log.info("flood guard: %d INVITEs let through, %d refused", self.admitted, self.refused)

    def note_call_ended(self) -> None:
        """A call's media sockets were just closed: their slots are busy for another 0.5 s."""
        self._recent_ends.append(time.monotonic())

    def usage(self, now: float, live_calls: int) -> int:
        for recent in (self._recent_admits, self._recent_ends):
            while recent and now - recent[0] > self.window_s:
                recent.popleft()
        return live_calls + len(self._recent_admits) + len(self._recent_ends)

    def admit(self, now: float, live_calls: int) -> bool:
        """Whether one more new INVITE fits; counts it if so. Pure bookkeeping, for tests too."""
        if self.usage(now, live_calls) + 1 > self.budget:
            self.refused += 1
            return False
        self._recent_admits.append(now)
        self.admitted += 1
        return True

    def _on_rx_request(self, rdata: int | None) -> int:
        # Runs inside pjsip's receive path: anything raised here would be printed by ctypes
        # and the request passed on (return 0), so keep it to a few cheap calls.
        lib = self._lib
        if lib is None or not rdata:
            return 0
        info = lib.pjsip_rx_data_get_info(rdata) or b""
        if not info.startswith(b"Request msg INVITE/"):
            return 0
        if self.admit(time.monotonic(), int(lib.pjsua_call_get_count())):
            return 0
        self._refuse(rdata)
        return 1

    def _refuse(self, rdata: int) -> None:
        assert self._lib is not None
        lib = self._lib
        # rdata->tp_info.pool is the first field of pjsip_rx_data: the header lives in it.
        pool = ctypes.c_void_p.from_address(rdata).value
        head = _PjsipHdr()
        head_addr = ctypes.addressof(head)
        head.prev = head.next = head_addr
        hdr = lib.pjsip_generic_string_hdr_create(
            pool, ctypes.byref(self._hname), ctypes.byref(self._hvalue)
        )
        if hdr:
            first = _PjsipHdr.from_address(hdr)
            first.prev = first.next = head_addr
            head.prev = head.next = hdr
        lib.pjsip_endpt_respond_stateless(
            self._endpt, rdata, 503, ctypes.byref(self._reason), ctypes.byref(head), None
        )
