"""A pjsip module for message waiting: unsolicited NOTIFYs checked before pjsua answers them,
and the MWI SUBSCRIBE sent to the voice mail number when the account says so.

Incoming (on_rx_request, priority 63, after the transaction and dialog layers, so only requests
outside any dialog arrive): an out-of-dialog NOTIFY is read from pjsip_rx_data (app/sip/rdata.py)
and, when `check_unsolicited` (app/sip/mwi_notify.py) refuses it, answered statelessly here
(app/sip/stateless.py: 400, 403, 415 or 489) and kept from pjsua, which would answer 200 to
anything (docs/pjsua2.md §14).

Outgoing (on_tx_request, called by pjsip_transport_send() before mod-msg-print, priority 8,
prints the message): pjsua subscribes to the account's own address (its dialog's remote URI
is the account's id, pjsua_pres.c `pjsua_start_mwi`) and offers no other target. For an
account with `subscribe_mwi_to_vm`, the initial SUBSCRIBE's Request-URI becomes the voice mail
URI here, before it is printed; To stays the account's address, so the refreshes inside the
dialog (sent to the notifier's Contact) are untouched. A 401 retry is built from the request
as sent, so its digest covers the new Request-URI.

pjsip_tx_data is read through ctypes (the wheel's 2.15.1 layout); every read is checked (the
method read is the one pjsip names) and a request that does not check out is left to pjsip
untouched, as is a received one app/sip/rdata.py cannot read.
Only public C functions of the wheel's library are called, all on the SIP thread.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable

from app.phone.incoming_policy import IncomingPolicy
from app.sip import rdata as rx
from app.sip.mwi_notify import MWI_EVENT, check_unsolicited, parse_request, via_transport
from app.sip.pj_module import EndpointModule, PjStr, TxHead
from app.sip.stateless import Responder

log = logging.getLogger("deskphone.sip")

PRIORITY = 63  # PJSIP_MOD_PRIORITY_APPLICATION - 1: before pjsua's unsolicited MWI module


class _Method(ctypes.Structure):
    _fields_ = [("id", ctypes.c_int), ("name", PjStr)]  # struct pjsip_method


class _RequestLine(ctypes.Structure):
    _fields_ = [("method", _Method), ("uri", ctypes.c_void_p)]  # struct pjsip_request_line


class _MsgHead(ctypes.Structure):
    # struct pjsip_msg up to its request line (the union `line` is 8-byte aligned).
    _fields_ = [("type", ctypes.c_int), ("line", _RequestLine)]


class MwiGuard:
    """Create, register and unregister on the SIP thread; the adapter keeps `targets` (account
    address -> voice mail URI) current, the engine gives `policy` (the core's, as to the
    incoming guard: which servers are trusted)."""

    def __init__(self, policy: Callable[[], IncomingPolicy | None] = lambda: None) -> None:
        self.policy = policy
        self.targets: dict[str, str] = {}
        self.refused: list[tuple[str, int]] = []  # (source, code), the last few, for logs
        self._lib: ctypes.CDLL | None = None
        self._module = EndpointModule(
            b"mod-deskphone-mwi",
            PRIORITY,
            on_rx_request=self._on_rx_request,
            on_tx_request=self._on_tx_request,
        )
        self._responder: Responder | None = None
        self._buf = ctypes.create_string_buffer(1024)

    def register(self) -> None:
        # the callbacks run on this (the SIP) thread, after register() has returned
        lib, endpt = self._module.register()
        lib.pjsip_rx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_rx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_tx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_tx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_msg_find_hdr.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.pjsip_msg_find_hdr.restype = ctypes.c_void_p
        lib.pjsip_msg_find_hdr_by_name.argtypes = [ctypes.c_void_p] * 3
        lib.pjsip_msg_find_hdr_by_name.restype = ctypes.c_void_p
        lib.pjsip_hdr_print_on.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.pjsip_hdr_print_on.restype = ctypes.c_int
        lib.pj_pool_alloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.pj_pool_alloc.restype = ctypes.c_void_p
        lib.pjsip_parse_uri.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        lib.pjsip_parse_uri.argtypes += [ctypes.c_uint]
        lib.pjsip_parse_uri.restype = ctypes.c_void_p
        self._lib = lib
        self._responder = Responder(lib, endpt)

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        self._module.unregister()
        self._lib = None
        if self._responder is not None:
            self._responder.close()
            self._responder = None

    # ---- incoming: unsolicited NOTIFYs -------------------------------------------------

    def _on_rx_request(self, rdata: int | None) -> int:
        # Inside pjsip's receive path: nothing may raise into C; 0 passes the request on.
        lib = self._lib
        if lib is None or not rdata:
            return 0
        try:
            if not (lib.pjsip_rx_data_get_info(rdata) or b"").startswith(b"Request msg NOTIFY/"):
                return 0
            received = rx.read(rdata)
            if received is None or self._responder is None:
                log.warning("MWI guard: a NOTIFY it cannot read is left to pjsip")
                return 0
            host, port = received.host, received.port
            source = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            request = parse_request(received.text.decode("utf-8", "replace"))
            if request is None or request.method != "NOTIFY":
                return 0
            policy = self.policy()
            stream = via_transport(request) in ("TCP", "TLS", "WS", "WSS")
            trusted = policy is None or policy.trusted(host, port, stream)
            refusal = check_unsolicited(request, trusted)
            if refusal is None:
                return 0
            self._responder.send(rdata, refusal.code, refusal.reason, refusal.headers)
            self.refused = [*self.refused[-15:], (source, refusal.code)]
            log.warning(
                "unsolicited NOTIFY from %s refused: %d %s", source, refusal.code, refusal.reason
            )
            return 1
        except Exception:
            log.exception("MWI guard: an incoming NOTIFY raised; left to pjsip")
            return 0

    # ---- outgoing: the MWI SUBSCRIBE's target ----------------------------------------------

    def _on_tx_request(self, tdata: int | None) -> int:
        lib = self._lib
        if lib is None or not tdata or not self.targets:
            return 0
        try:
            if (lib.pjsip_tx_data_get_info(tdata) or b"").startswith(b"Request msg SUBSCRIBE/"):
                self._retarget(tdata)
        except Exception:
            log.exception("MWI guard: an outgoing SUBSCRIBE raised; sent unchanged")
        return 0

    def _header(self, msg: int, name: str) -> str:
        assert self._lib is not None
        key = PjStr(name.encode(), len(name))
        hdr = self._lib.pjsip_msg_find_hdr_by_name(msg, ctypes.byref(key), None)
        if not hdr:
            return ""
        n = self._lib.pjsip_hdr_print_on(hdr, self._buf, len(self._buf))
        text = self._buf.raw[: max(0, n)].decode("utf-8", "replace")
        return text.partition(":")[2].strip()

    def _retarget(self, tdata: int) -> None:
        assert self._lib is not None
        lib = self._lib
        tx = TxHead.from_address(tdata)
        if not tx.msg:
            return
        head = _MsgHead.from_address(tx.msg)
        method = head.line.method.name
        name = ctypes.string_at(method.ptr, method.slen) if 0 < method.slen <= 16 else b""
        if head.type != 0 or name != b"SUBSCRIBE":  # PJSIP_REQUEST_MSG
            log.warning("MWI guard: a SUBSCRIBE it cannot read is sent unchanged")
            return
        if self._header(tx.msg, "Event").split(";", 1)[0].strip().lower() != MWI_EVENT:
            return
        to = self._header(tx.msg, "To")
        if ";tag=" in to.replace(" ", "").lower():
            return  # a refresh inside the dialog: its target is the notifier's Contact
        target = self.targets.get(address_of(to))
        if not target:
            return
        raw = target.encode()
        buf = lib.pj_pool_alloc(tx.pool, len(raw) + 1)
        ctypes.memmove(buf, raw + b"\0", len(raw) + 1)  # pjsip's URI points into this text
        uri = lib.pjsip_parse_uri(tx.pool, buf, len(raw), 0)
        if not uri:
            log.warning("MWI guard: voice mail URI %r does not parse: SUBSCRIBE unchanged", target)
            return
        head.line.uri = uri
        log.info("MWI SUBSCRIBE sent to the voice mail number %s", target)


def address_of(value: str) -> str:
    """'"Bob" <sip:1001@pbx;x=y>;tag=1' or 'sip:1001@pbx' -> 'sip:1001@pbx' (lower case)."""
    inner = value.partition("<")[2].partition(">")[0] if "<" in value else value.partition(";")[0]
    return inner.partition(";")[0].strip().lower()
