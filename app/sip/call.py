"""pjsua2 calls: one Python object per live call, dropped after DISCONNECTED (docs/pjsua2.md §2)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from app.sip.dtmf_info import InfoDtmf, info_answered
from app.sip.guard import guarded
from app.sip.sipmsg import rx_message
from app.sip.srtp import MediaSecurity, sdp_body

# pjsip_inv_state as the engine log names it
INV_STATE_NAMES = {
    pj.PJSIP_INV_STATE_NULL: "NULL",
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}

log = logging.getLogger("deskphone.sip")


class SipCall(pj.Call):  # type: ignore[misc]
    def __init__(
        self,
        account: pj.Account,
        core_id: str,
        on_state: Callable[[SipCall, Any], None],
        on_media: Callable[[SipCall], None],
        on_redirect: Callable[[SipCall, Any], int],
        pj_call_id: int = pj.PJSUA_INVALID_ID,
        srtp: str = "off",
    ) -> None:
        super().__init__(account, pj_call_id)
        self.core_id = core_id
        self.account_index: int = getattr(account, "index", 0)
        self.redirected = False  # a 3xx stopped this leg; what follows is the core's business
        # far mute in the conference: this leg's audio goes to nobody (other legs, the sound
        # device); it still hears everyone (app/sip/call_ops.py)
        self.far_muted = False
        self._on_state = on_state
        self._on_media = on_media
        self._on_redirect = on_redirect
        self.on_transfer: Callable[[SipCall, Any], None] | None = None  # NOTIFYs of our REFER
        # The SDPs of this leg, for "is the media encrypted" (app/sip/srtp.py); `on_secured` is
        # told when that changes.
        self.security = MediaSecurity(mode=srtp)
        self.on_secured: Callable[[SipCall, bool], None] | None = None
        # DTMF digits going out as SIP INFO, one transaction at a time (app/sip/dtmf_info.py);
        # `on_info_answered` hears when the next may go
        self.info_dtmf = InfoDtmf()
        self.on_info_answered: Callable[[SipCall], None] | None = None

    @guarded()
    def onCallState(self, prm: Any) -> None:
        self._on_state(self, prm)

    @guarded()
    def onCallMediaState(self, prm: Any) -> None:
        self._report_security()
        self._on_media(self)

    @guarded()
    def onCallTransferStatus(self, prm: Any) -> None:
        if self.on_transfer is not None:
            self.on_transfer(self, prm)

    @guarded(default=pj.PJSIP_REDIRECT_STOP)
    def onCallRedirected(self, prm: Any) -> int:
        return self._on_redirect(self, prm)

    # The SDP is only read for an SRTP account: a plain one costs a call and a return here.

    @guarded()
    def onCallSdpCreated(self, prm: Any) -> None:
        if self.security.mode == "off":
            return
        self.security.local(str(prm.sdp.wholeSdp))
        self.security.remote(str(prm.remSdp.wholeSdp))  # the offer we answer ('' if we offer)

    @guarded()
    def onCallTsxState(self, prm: Any) -> None:
        if self.info_dtmf.in_flight and info_answered(prm):
            self.info_dtmf.answered()
            if self.on_info_answered is not None:
                self.on_info_answered(self)
        # Answers to our offers (200, 183, and re-INVITE answers) arrive here.
        if self.security.mode == "off":
            return
        sdp = sdp_body(rx_message(prm))
        if sdp:
            self.security.remote(sdp)
            self._report_security()

    def _report_security(self) -> None:
        encrypted = self.security.changed()
        if encrypted is not None and self.on_secured is not None:
            log.info("call %s: media %s", self.core_id, "SRTP" if encrypted else "plain RTP")
            self.on_secured(self, encrypted)


class SipCallIds(dict[str, str]):
    """Core call id -> its SIP Call-ID (Action URI/URL's $call_id), kept a while after the call
    ends so the last events of a call still carry it."""

    on_new: Callable[[str, str], None] | None = None  # the call flow recorder: it only queues

    def note(self, core_id: str, sip_id: str, live: dict[str, Any]) -> None:
        if self.on_new is not None:
            self.on_new(core_id, sip_id)
        if len(self) > 256:  # ended calls' ids are only needed a few seconds
            for old in list(self)[:128]:
                if old not in live:
                    del self[old]
        self[core_id] = sip_id


def far_muted(call: object) -> bool:
    """A leg whose audio nobody may hear (a SipCall's flag; other objects never are)."""
    return bool(getattr(call, "far_muted", False))
