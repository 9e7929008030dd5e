"""Seeing what happens to the BLF subscriptions: a pjsip module, because pjsua2 2.15.1 has no
Python callback for dialog events and pjsua's own getter crashes (docs/pjsua2.md §9, §13).

pjsua's buddy subscription (app/sip/blf.py) sends the SUBSCRIBE, refreshes it and answers each
NOTIFY. This module, at priority 15 (just before the transaction layer, 16), reads on their
way in:
- each NOTIFY with `Event: dialog` (its From, CSeq, Subscription-State and body, read with
  app/sip/rdata.py), kept only once pjsip has answered it 2xx: on_tx_response sees that answer
  before the request's processing returns, and a 2xx means the dialog layer matched the NOTIFY
  to one of our subscriptions, so a forged NOTIFY (unknown dialog: 481) never reaches a lamp;
  a retransmission is answered again and kept again, harmlessly;
- each final answer to a SUBSCRIBE whose client transaction exists (looked up by its Via
  branch, "c$SUBSCRIBE$" + branch, as pjsip keys it), so a forged 403 cannot darken a key.
Everything waits, the latest NOTIFY per monitored URI, until the engine takes it after
libHandleEvents(): a NOTIFY flood costs pjsip's own work and a few µs here.
"""

from __future__ import annotations

import ctypes
import logging
import re
from collections import OrderedDict, deque

from app.sip import rdata
from app.sip.dialog_msgs import (
    Notify,
    Presentity,
    SubscribeAnswer,
    read_notify,
    read_subscribe_answer,
)
from app.sip.pj_module import EndpointModule, PjStr

log = logging.getLogger("deskphone.sip")

PRIORITY = 15  # PJSIP_MOD_PRIORITY_TSX_LAYER (16) - 1: sees responses the layer consumes
MAX_WAITING = 64  # monitored URIs with a NOTIFY waiting; the oldest goes beyond
_RESPONSE = re.compile(rb"^Response msg (\d{3})/NOTIFY/cseq=(\d+)")
_SUBSCRIBE_ANSWER = re.compile(rb"^Response msg [2-6]\d\d/SUBSCRIBE/")
_CHALLENGES = (401, 407)  # pjsip answers these itself with the account's credentials


class DialogWatch:
    """The module; register, take and unregister on the SIP thread."""

    def __init__(self) -> None:
        self.seen = 0  # dialog NOTIFYs received (retransmissions too)
        self.accepted = 0  # of them answered 2xx by pjsip
        self._lib: ctypes.CDLL | None = None
        self._module = EndpointModule(
            b"mod-deskphone-dialog-watch",
            PRIORITY,
            on_rx_request=self._on_rx_request,
            on_rx_response=self._on_rx_response,
            on_tx_response=self._on_tx_response,
        )
        self._pending: Notify | None = None
        self._notifies: OrderedDict[Presentity, Notify] = OrderedDict()
        self._answers: deque[SubscribeAnswer] = deque(maxlen=MAX_WAITING)

    def register(self) -> None:
        # the callbacks run on this (the SIP) thread, after register() has returned
        lib, _endpt = self._module.register()
        for getter in (lib.pjsip_rx_data_get_info, lib.pjsip_tx_data_get_info):
            getter.restype = ctypes.c_char_p
            getter.argtypes = [ctypes.c_void_p]
        lib.pjsip_tsx_layer_find_tsx.argtypes = [ctypes.POINTER(PjStr), ctypes.c_int]
        lib.pjsip_tsx_layer_find_tsx.restype = ctypes.c_void_p
        self._lib = lib

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        if not self._module.registered:
            return
        self._module.unregister()
        self._lib = None
        log.info("dialog watch: %d NOTIFYs, %d accepted", self.seen, self.accepted)

    def take(self) -> list[Notify]:
        """The accepted NOTIFYs since the last take, the latest per monitored URI."""
        out = list(self._notifies.values())
        self._notifies.clear()
        return out

    def answers(self) -> list[SubscribeAnswer]:
        """The final answers to SUBSCRIBEs since the last call, in order."""
        out = list(self._answers)
        self._answers.clear()
        return out

    @property
    def waiting(self) -> bool:
        return bool(self._notifies)

    # ---- inside pjsip's receive and send paths: cheap, and nothing may raise into C --------

    def _on_rx_request(self, rdata_ptr: int | None) -> int:
        lib = self._lib
        if lib is None or not rdata_ptr:
            return 0
        try:
            info = lib.pjsip_rx_data_get_info(rdata_ptr) or b""
            if info.startswith(b"Request msg NOTIFY/"):
                received = rdata.read(rdata_ptr)
                notify = read_notify(received.text) if received is not None else None
                if notify is not None:
                    self.seen += 1
                    self._pending = notify
        except Exception:  # a C callback must not raise
            log.exception("dialog watch: reading a NOTIFY")
        return 0

    def _on_tx_response(self, tdata: int | None) -> int:
        pending, lib = self._pending, self._lib
        if pending is None or lib is None or not tdata:
            return 0
        try:
            found = _RESPONSE.match(lib.pjsip_tx_data_get_info(tdata) or b"")
            if found is not None and found.group(2).decode() == pending.cseq:
                self._pending = None
                if found.group(1).startswith(b"2"):
                    self.accepted += 1
                    self._keep(pending)
        except Exception:
            log.exception("dialog watch: a NOTIFY's response")
        return 0  # PJ_SUCCESS: anything else would stop pjsip sending the response

    def _on_rx_response(self, rdata_ptr: int | None) -> int:
        lib = self._lib
        if lib is None or not rdata_ptr:
            return 0
        try:
            if _SUBSCRIBE_ANSWER.match(lib.pjsip_rx_data_get_info(rdata_ptr) or b""):
                received = rdata.read(rdata_ptr)
                answer = read_subscribe_answer(received.text) if received else None
                if answer is not None and answer.code not in _CHALLENGES and self._ours(answer):
                    self._answers.append(answer)
        except Exception:
            log.exception("dialog watch: an answer to SUBSCRIBE")
        return 0

    def _ours(self, answer: SubscribeAnswer) -> bool:
        """The answer belongs to a SUBSCRIBE transaction pjsip has open."""
        assert self._lib is not None
        key = f"c$SUBSCRIBE${answer.branch}".encode()
        return bool(self._lib.pjsip_tsx_layer_find_tsx(ctypes.byref(PjStr(key, len(key))), 0))

    def _keep(self, notify: Notify) -> None:
        key = notify.presentity
        self._notifies.pop(key, None)
        self._notifies[key] = notify
        while len(self._notifies) > MAX_WAITING:
            self._notifies.popitem(last=False)
