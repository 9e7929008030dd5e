"""The SIP adapter: pjsua2 events become phone-core facts, core commands become pjsua2 calls.

Everything here runs on the engine's SIP thread (the one that called libCreate()).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from app.phone.core import LOCAL_ACCOUNT
from app.phone.messages import (
    AnswerCall,
    CallProgress,
    Command,
    HangupCall,
    IncomingCall,
    Input,
    MessageReceived,
    PlaceCall,
    RegistrationChanged,
)
from app.phone.settings import Settings
from app.sip.account import SipAccount, account_config, local_config
from app.sip.call import SipCall
from app.sip.stack import SipStack

log = logging.getLogger("deskphone.sip")

_STATE_NAMES = {
    pj.PJSIP_INV_STATE_NULL: "NULL",
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}
_NAME_RE = re.compile(r'^\s*"?([^"<]*?)"?\s*<')
_SDP_RE = re.compile(r"^(content-type|c)\s*:\s*application/sdp", re.IGNORECASE | re.MULTILINE)


def display_name(uri: str) -> str:
    match = _NAME_RE.match(uri)
    return match.group(1).strip() if match else ""


def _rx_message(prm: Any) -> str:
    """The whole received SIP message behind a call event, or '' if it was not a receive."""
    event = prm.e
    if event.type != pj.PJSIP_EVENT_TSX_STATE:
        return ""
    tsx = event.body.tsxState
    if tsx.type != pj.PJSIP_EVENT_RX_MSG:
        return ""
    return str(tsx.src.rdata.wholeMsg)


class SipAdapter:
    def __init__(self, stack: SipStack, feed: Callable[[Input], None]) -> None:
        self.stack = stack
        self._feed = feed
        self.accounts: dict[int, SipAccount] = {}
        self.calls: dict[str, SipCall] = {}
        # core call id -> the SIP Call-ID header (Action URI/URL's $call_id); kept after the
        # call ends so the last events of a call still carry it.
        self.sip_call_ids: dict[str, str] = {}
        self._incoming_seq = 0

    # ---- set-up and teardown ----------------------------------------------------------

    def create_accounts(self, settings: Settings, bind: str) -> None:
        for index, acc in enumerate(settings.accounts, start=1):
            if not (acc.enabled and acc.server and acc.user):
                continue
            account = self._new_account(index)
            account.create(account_config(index, acc, bind), True)
            self.accounts[index] = account
        if not self.accounts:
            account = self._new_account(LOCAL_ACCOUNT)
            account.create(local_config(bind, self.stack.port), True)
            self.accounts[LOCAL_ACCOUNT] = account

    def _new_account(self, index: int) -> SipAccount:
        return SipAccount(index, self._on_reg, self._on_incoming, self._on_message)

    def shutdown(self) -> None:
        """Hang up, let the BYEs/CANCELs go out, then release every pjsua2 object in order."""
        for call in list(self.calls.values()):
            self._safe_hangup(call, 0)
        if self.stack.ep is not None:
            self.stack.pump(0.3)
        self.calls.clear()
        for account in self.accounts.values():
            try:
                account.shutdown()
            except pj.Error as exc:
                log.warning("account shutdown: %s", exc.info())
        self.accounts.clear()

    # ---- commands from the core -------------------------------------------------------

    def execute(self, cmd: Command) -> None:
        match cmd:
            case PlaceCall():
                self._place(cmd)
            case AnswerCall():
                self._answer(cmd)
            case HangupCall():
                call = self.calls.get(cmd.call)
                if call is not None:
                    self._safe_hangup(call, cmd.code)

    def _place(self, cmd: PlaceCall) -> None:
        account = self.accounts.get(cmd.account) or next(iter(self.accounts.values()))
        call = self._new_call(account, cmd.call)
        op = pj.CallOpParam(True)
        for name, value in cmd.headers:
            op.txOption.headers.append(_header(name, value))
        try:
            call.makeCall(cmd.uri, op)
        except pj.Error as exc:
            log.warning("makeCall %s failed: %s", cmd.uri, exc.info())
            self.calls.pop(cmd.call, None)
            self._feed(CallProgress(cmd.call, "DISCONNECTED", 500, exc.reason or "Call failed"))
            return
        self._remember_call_id(call)

    def _answer(self, cmd: AnswerCall) -> None:
        call = self.calls.get(cmd.call)
        if call is None:
            return
        op = pj.CallOpParam(True)
        op.statusCode = cmd.code
        if cmd.reason:
            op.reason = cmd.reason
        for name, value in cmd.headers:
            op.txOption.headers.append(_header(name, value))
        try:
            call.answer(op)
        except pj.Error as exc:
            log.warning("answer %s with %d failed: %s", cmd.call, cmd.code, exc.info())

    def _safe_hangup(self, call: SipCall, code: int) -> None:
        op = pj.CallOpParam(True)
        op.statusCode = code
        try:
            call.hangup(op)
        except pj.Error as exc:
            log.info("hangup %s: %s", call.core_id, exc.info())

    # ---- pjsua2 events ----------------------------------------------------------------

    def _new_call(self, account: SipAccount, core_id: str, pj_id: int = -1) -> SipCall:
        call = SipCall(
            account,
            core_id,
            self._on_call_state,
            self._on_media,
            self._on_redirect,
            pj_id if pj_id >= 0 else pj.PJSUA_INVALID_ID,
        )
        self.calls[core_id] = call
        return call

    def _remember_call_id(self, call: SipCall, info: Any = None) -> None:
        try:
            sip_id = str((info or call.getInfo()).callIdString)
        except pj.Error:
            return
        if sip_id:
            if len(self.sip_call_ids) > 256:  # ended calls' ids are only needed a few seconds
                for old in list(self.sip_call_ids)[:128]:
                    if old not in self.calls:
                        del self.sip_call_ids[old]
            self.sip_call_ids[call.core_id] = sip_id

    def _on_reg(self, index: int, prm: Any) -> None:
        info = self.accounts[index].getInfo()
        self._feed(
            RegistrationChanged(
                index,
                int(prm.code),
                str(prm.reason),
                int(info.regExpiresSec if info.regIsActive else 0),
                bool(info.regIsActive),
            )
        )

    def _on_incoming(self, index: int, prm: Any) -> None:
        self._incoming_seq += 1
        core_id = f"i{self._incoming_seq}"
        call = self._new_call(self.accounts[index], core_id, int(prm.callId))
        info = call.getInfo()
        self._remember_call_id(call, info)
        remote = str(info.remoteUri)
        headers = header_values(str(prm.rdata.wholeMsg), _INCOMING_HEADERS)
        self._feed(IncomingCall(core_id, index, remote, display_name(remote), headers))

    def _on_message(self, index: int, prm: Any) -> None:
        self._feed(MessageReceived(index, str(prm.fromUri), str(prm.msgBody), time.monotonic()))

    def _on_call_state(self, call: SipCall, prm: Any) -> None:
        info = call.getInfo()
        state = _STATE_NAMES.get(info.state, str(info.state))
        msg = _rx_message(prm)
        self._feed(
            CallProgress(
                call.core_id,
                state,
                int(info.lastStatusCode),
                str(info.lastReason),
                has_sdp=bool(msg and _SDP_RE.search(msg)),
                remote_uri=str(info.remoteUri),
                remote_name=display_name(str(info.remoteUri)),
            )
        )
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            # The one reference goes now: a stale Call collected later hangs up whatever new
            # call reuses its id (pjproject #3856).
            self.calls.pop(call.core_id, None)

    def _on_media(self, call: SipCall) -> None:
        # Audio is connected by the audio bridge (issue 5); with the null device nothing to do.
        return None

    def _on_redirect(self, call: SipCall, prm: Any) -> int:
        # The redirect policy (issue 6) decides here; until then pjsua2's default.
        return int(pj.PJSIP_REDIRECT_STOP)


_INCOMING_HEADERS = {
    "diversion": "Diversion",
    "p-asserted-identity": "P-Asserted-Identity",
    "alert-info": "Alert-Info",
    "history-info": "History-Info",
}


def header_values(message: str, wanted: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Selected headers of a raw SIP message (folded lines joined), in order of appearance."""
    head = message.split("\r\n\r\n", 1)[0].replace("\r\n ", " ").replace("\r\n\t", " ")
    found = []
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if sep and key in wanted:
            found.append((wanted[key], value.strip()))
    return tuple(found)


def _header(name: str, value: str) -> pj.SipHeader:
    hdr = pj.SipHeader()
    hdr.hName = name
    hdr.hValue = value
    return hdr
