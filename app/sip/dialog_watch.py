"""Seeing the NOTIFYs of BLF subscriptions: a pjsip module, because pjsua2 2.15.1 has no
Python callback for dialog events (docs/pjsua2.md §10, §13).

pjsua's buddy subscription (app/sip/blf.py) sends the SUBSCRIBE, refreshes it and answers
each NOTIFY; pjsip keeps only the first <dialog> of a body for the application. This module
reads the whole NOTIFY on its way in and keeps its body only once pjsip has answered it 2xx:
- on_rx_request, at priority 30 (after the transaction layer, 16, so retransmissions are
  already absorbed; before the dialog layer, 32, which consumes in-dialog requests), notes a
  NOTIFY with `Event: dialog` (its From, CSeq and body, read with app/sip/rdata.py);
- on_tx_response sees pjsip's answer, sent before the request's processing returns: a 2xx
  for that NOTIFY's CSeq means the dialog layer matched it to one of our subscriptions, so a
  forged NOTIFY (unknown dialog: 481) never reaches the lamps.
Accepted bodies wait, the latest per monitored URI, until the engine takes them after
libHandleEvents(): a NOTIFY flood costs pjsip's own work and a few µs here, and at most one
body per monitored URI is parsed per take (app/sip/blf.py paces the takes).
"""

from __future__ import annotations

import ctypes
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass

from app.sip import rdata
from app.sip.flood_guard import _RX_CB, _PjsipModule, _PjStr, pjsua_library

log = logging.getLogger("deskphone.sip")

PRIORITY = 30  # PJSIP_MOD_PRIORITY_TSX_LAYER (16) < this < PJSIP_MOD_PRIORITY_UA_PROXY_LAYER
MAX_WAITING = 64  # monitored URIs with a body waiting; the oldest goes beyond
_RESPONSE = re.compile(rb"^Response msg (\d{3})/NOTIFY/cseq=(\d+)")
_URI_IN = re.compile(r"<([^>]*)>")

_TX_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


@dataclass(frozen=True)
class DialogNotify:
    presentity: tuple[str, str]  # (user, host) of the NOTIFY's From: who is monitored
    body: bytes
    terminated: bool  # Subscription-State: terminated (the server ended the subscription)


@dataclass(frozen=True)
class _Head:
    cseq: str
    presentity: tuple[str, str]
    terminated: bool
    body: bytes


def presentity_of(uri: str) -> tuple[str, str]:
    """(user, host) of a SIP URI or name-addr, lower-case host, without port or params."""
    found = _URI_IN.search(uri)
    text = (found.group(1) if found else uri.split(";", 1)[0]).strip()
    for scheme in ("sips:", "sip:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    user, at, host = text.partition("@")
    if not at:
        user, host = "", user
    host = host.split(";", 1)[0].split("?", 1)[0]
    if host.startswith("["):
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return user[:128], host.lower()[:128]


def read_notify(message: bytes) -> _Head | None:
    """The parts of a NOTIFY this module needs, or None unless it is a dialog-event NOTIFY."""
    head, _, body = message.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").replace("\r\n ", " ").replace("\r\n\t", " ")
    rows = lines.split("\r\n")
    if not rows[0].startswith("NOTIFY "):
        return None
    found: dict[str, str] = {}
    for row in rows[1:64]:
        name, colon, value = row.partition(":")
        key = {"o": "event", "f": "from"}.get(name.strip().lower(), name.strip().lower())
        if colon and key in ("event", "from", "cseq", "subscription-state"):
            found.setdefault(key, value.strip()[:512])
    event = found.get("event", "").split(";", 1)[0].strip().lower()
    cseq = found.get("cseq", "").split(" ", 1)[0]
    if event != "dialog" or not cseq.isdigit() or "from" not in found:
        return None
    state = found.get("subscription-state", "").split(";", 1)[0].strip().lower()
    return _Head(cseq, presentity_of(found["from"]), state == "terminated", body)


class DialogWatch:
    """The module; register, take and unregister on the SIP thread."""

    def __init__(self) -> None:
        self.seen = 0  # dialog NOTIFYs received
        self.accepted = 0  # of them answered 2xx by pjsip
        self._lib: ctypes.CDLL | None = None
        self._endpt = 0
        self._module: _PjsipModule | None = None
        self._rx = _RX_CB(self._on_rx_request)  # kept: pjsip holds the raw pointers
        self._tx = _TX_CB(self._on_tx_response)
        self._name = b"mod-deskphone-dialog-watch"
        self._pending: _Head | None = None
        self._waiting: OrderedDict[tuple[str, str], DialogNotify] = OrderedDict()

    def register(self) -> None:
        lib = pjsua_library()
        lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
        lib.pjsip_rx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_rx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_tx_data_get_info.restype = ctypes.c_char_p
        lib.pjsip_tx_data_get_info.argtypes = [ctypes.c_void_p]
        lib.pjsip_endpt_register_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.pjsip_endpt_unregister_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        endpt = lib.pjsua_get_pjsip_endpt()
        if not endpt:
            raise RuntimeError("pjsua has no SIP endpoint yet")
        module = _PjsipModule()
        module.name = _PjStr(self._name, len(self._name))
        module.id = -1
        module.priority = PRIORITY
        module.on_rx_request = self._rx
        module.on_tx_response = ctypes.cast(self._tx, ctypes.c_void_p).value
        status = lib.pjsip_endpt_register_module(endpt, ctypes.byref(module))
        if status != 0:
            raise RuntimeError(f"pjsip_endpt_register_module failed: {status}")
        self._lib, self._endpt, self._module = lib, endpt, module

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        if self._lib is None or self._module is None:
            return
        self._lib.pjsip_endpt_unregister_module(self._endpt, ctypes.byref(self._module))
        self._module = None
        log.info("dialog watch: %d NOTIFYs, %d accepted", self.seen, self.accepted)

    def take(self) -> list[DialogNotify]:
        """The accepted NOTIFYs since the last take, the latest per monitored URI."""
        out = list(self._waiting.values())
        self._waiting.clear()
        return out

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    # ---- inside pjsip's receive and send paths: cheap, and nothing may raise into C --------

    def _on_rx_request(self, rdata_ptr: int | None) -> int:
        lib = self._lib
        if lib is None or not rdata_ptr:
            return 0
        try:
            info = lib.pjsip_rx_data_get_info(rdata_ptr) or b""
            if not info.startswith(b"Request msg NOTIFY/"):
                return 0
            received = rdata.read(rdata_ptr)
            head = read_notify(received.text) if received is not None else None
            if head is not None:
                self.seen += 1
                self._pending = head
        except Exception:  # a C callback must not raise
            log.exception("dialog watch: reading a NOTIFY")
        return 0

    def _on_tx_response(self, tdata: int | None) -> int:
        pending, lib = self._pending, self._lib
        if pending is None or lib is None or not tdata:
            return 0
        try:
            found = _RESPONSE.match(lib.pjsip_tx_data_get_info(tdata) or b"")
            if found is None or found.group(2).decode() != pending.cseq:
                return 0
            self._pending = None
            if found.group(1).startswith(b"2"):
                self.accepted += 1
                self._keep(pending)
        except Exception:
            log.exception("dialog watch: a NOTIFY's response")
        return 0  # PJ_SUCCESS: anything else would stop pjsip sending the response

    def _keep(self, head: _Head) -> None:
        key = head.presentity
        self._waiting.pop(key, None)
        self._waiting[key] = DialogNotify(key, head.body, head.terminated)
        while len(self._waiting) > MAX_WAITING:
            self._waiting.popitem(last=False)
