"""The incoming guard: a pjsip module that answers or refuses new requests before pjsua.

Why (docs/pjsua2.md §9): pjsua opens an RTP and an RTCP socket for every incoming INVITE with
SDP *before* the application hears of the call, and about 33 of them within half a second
abort the process (64-slot ioqueue, slots freed 0.5 s after close). pjsua2 also creates a call
object, a dialog and a transaction for each. So this module sits in pjsip's receive chain just
before pjsua (priority 63; pjsua's modules are 64), after the transaction and dialog layers
(retransmissions and in-dialog requests never reach it), and for each new request applies the
core's `IncomingPolicy` (app/phone/incoming_policy.py):

1. Accept SIP Trust Server Only: a request from anywhere but a trusted server is dropped with no
   answer at all while the policy says so (a scanner learns nothing, as from a closed port).
2. A new INVITE the rules forward (Always, Busy) gets its 302 with Contact and Diversion, one
   DND or a busy phone refuses gets that code, statelessly (RFC 3261 §8.2.7: no provisional
   response, no retransmission, ACK ignored; a retransmitted INVITE gets the same answer again).
   The core hears of it after libHandleEvents() returns (`drain`), so history, the display,
   events and Action URL follow the response.
3. A new INVITE that would ring goes to pjsua only while it fits the media budget and its
   source's share (app/sip/admission.py); otherwise a stateless 503 with Retry-After.

Only public C API symbols of the wheel's library are used, all on the SIP thread; the request's
bytes and source are read through app/sip/rdata.py.
"""

from __future__ import annotations

import ctypes
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from app.phone.incoming import Route
from app.phone.incoming_policy import IncomingPolicy
from app.phone.messages import IncomingAnswered
from app.sip import rdata as rx
from app.sip.admission import Admission
from app.sip.pj_module import EndpointModule
from app.sip.request_head import RequestHead, parse_head
from app.sip.sipmsg import display_name
from app.sip.stateless import Responder

log = logging.getLogger("deskphone.sip")

RETRY_AFTER_S = 5
PRIORITY = 63  # PJSIP_MOD_PRIORITY_APPLICATION - 1: after the dialog layer, before pjsua
ANSWERED_KEEP = 2048  # stateless answers remembered for retransmissions (and not re-reported)
MAX_PENDING = 1000  # answered calls waiting for the core; more in one loop turn are not recorded


@dataclass(frozen=True)
class Answered:
    """A new call this module answered itself, for the core (IncomingAnswered)."""

    call_id: str  # the SIP Call-ID
    account: int  # the core's account index
    head: RequestHead
    route: Route

    def fact(self, core_id: str) -> IncomingAnswered:
        remote = self.head.from_value
        return IncomingAnswered(
            core_id, self.account, remote, display_name(remote), self.route, self.head.headers
        )


class FloodGuard:
    """Create, register and unregister on the SIP thread; `policy` and `account_of` are set by
    the adapter (the core's snapshot, pjsua account id -> core account index)."""

    def __init__(self, admission: Admission | None = None) -> None:
        self.admission = admission or Admission()
        self.policy: Callable[[], IncomingPolicy | None] = lambda: None
        self.account_of: Callable[[int], int] = lambda pj_id: pj_id
        self.on_answered: Callable[[Answered], None] | None = None
        self.dropped = 0  # requests from untrusted sources (sip.trust_ctrl)
        self.answered = 0  # INVITEs forwarded or refused here
        self.layout_ok = True
        self._pending: list[Answered] = []
        self._recent: OrderedDict[tuple[str, str, str], tuple[int, str, Route]] = OrderedDict()
        self._lib: ctypes.CDLL | None = None
        self._module = EndpointModule(
            b"mod-deskphone-incoming-guard", PRIORITY, on_rx_request=self._on_rx_request
        )
        self._responder: Responder | None = None

    @property
    def registered(self) -> bool:
        return self._module.registered

    @property
    def refused(self) -> int:
        """503s for calls beyond the media budget or their source's share."""
        return self.admission.refused

    def counts(self) -> dict[str, int]:
        return {
            "invites_refused": self.admission.refused,
            "requests_dropped": self.dropped,
            "answered_here": self.answered,
        }

    def register(self) -> None:
        lib, endpt = self._module.register()
        lib.pjsua_call_get_count.restype = ctypes.c_uint
        lib.pjsua_acc_find_for_incoming.argtypes = [ctypes.c_void_p]
        lib.pjsua_acc_find_for_incoming.restype = ctypes.c_int
        self._lib = lib
        self._responder = Responder(lib, endpt)
        log.info("incoming guard registered (budget %d per %.1f s)", *self._budget())

    def _budget(self) -> tuple[int, float]:
        return self.admission.budget, self.admission.window_s

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        if not self._module.registered:
            return
        self._module.unregister()
        if self._responder is not None:
            self._responder.close()
        log.info(
            "incoming guard: %d INVITEs let through, %d refused (503), %d answered here, "
            "%d requests dropped (untrusted source)",
            self.admission.admitted,
            self.admission.refused,
            self.answered,
            self.dropped,
        )

    def note_call_ended(self, call_id: str = "") -> None:
        """A call's media sockets were just closed: their slots are busy for another 0.5 s."""
        self.admission.call_ended(time.monotonic(), call_id)

    def drain(self) -> None:
        """Hand the calls answered during libHandleEvents() to the core (SIP thread)."""
        if not self._pending:
            return
        answered, self._pending = self._pending, []
        for item in answered:
            if self.on_answered is not None:
                self.on_answered(item)

    # ---- inside pjsip's receive path ---------------------------------------------------

    def _on_rx_request(self, rdata: int | None) -> int:
        # ctypes would print an exception and let the request pass (return 0): keep it so,
        # but log it our way. Returning 1 means "handled": pjsua never sees the request.
        try:
            return self._screen(rdata) if rdata and self._lib is not None else 0
        except Exception:
            log.exception("incoming guard")
            return 0

    def _screen(self, rdata: int) -> int:
        assert self._lib is not None and self._responder is not None
        received = rx.read(rdata) if self.layout_ok else None
        if received is None:
            return self._legacy(rdata)
        head = parse_head(received.text)
        if head is None:
            return 0  # pjsip parsed it; whatever we cannot read is pjsua's to judge
        policy = self.policy()
        stream = head.transport in ("TCP", "TLS", "WS", "WSS")
        if policy is not None and not policy.accepts(received.host, received.port, stream):
            self.dropped += 1
            return 1
        if head.method != "INVITE" or head.to_tag:
            return 0
        key = (head.call_id, head.cseq, head.branch)
        again = self._recent.get(key)
        if again is not None:  # a retransmission of an INVITE answered here: same answer
            self._responder.respond(rdata, again[2])
            return 1
        trusted = policy is None or policy.trusted(received.host, received.port, stream)
        if policy is not None:
            account = self.account_of(int(self._lib.pjsua_acc_find_for_incoming(rdata)))
            route = policy.route(account, head.from_value)
            if route.kind != "ring":
                self._answer(rdata, key, account, head, route)
                return 1
        live = int(self._lib.pjsua_call_get_count())
        source = f"{received.host}:{received.port}"
        if self.admission.admit(time.monotonic(), live, source, trusted, head.call_id):
            return 0
        self._responder.busy(rdata, RETRY_AFTER_S)
        return 1

    def _answer(
        self, rdata: int, key: tuple[str, str, str], account: int, head: RequestHead, route: Route
    ) -> None:
        assert self._responder is not None
        self._responder.respond(rdata, route)
        self.answered += 1
        self._recent[key] = (account, head.call_id, route)
        if len(self._recent) > ANSWERED_KEEP:
            self._recent.popitem(last=False)
        if len(self._pending) < MAX_PENDING:
            self._pending.append(Answered(head.call_id, account, head, route))

    def _legacy(self, rdata: int) -> int:
        """pjsip_rx_data does not look as expected (another build): the global budget only."""
        if self.layout_ok:
            self.layout_ok = False
            log.error("incoming guard: unexpected pjsip_rx_data layout; budget only from now on")
        assert self._lib is not None and self._responder is not None
        info = self._responder.info(rdata)
        if not info.startswith(b"Request msg INVITE/"):
            return 0
        if self.admission.admit(time.monotonic(), int(self._lib.pjsua_call_get_count())):
            return 0
        self._responder.busy(rdata, RETRY_AFTER_S)
        return 1
