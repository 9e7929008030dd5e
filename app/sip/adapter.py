"""The SIP adapter: pjsua2 events become phone-core facts, core commands become pjsua2 calls.

Everything here runs on the engine's SIP thread (the one that called libCreate()).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from app.phone.core import LOCAL_ACCOUNT
from app.phone.messages import (
    AnswerCall,
    CallProgress,
    CallSecured,
    Command,
    ConferenceCalls,
    HangupCall,
    HoldCall,
    IncomingCall,
    Input,
    MessageReceived,
    PlaceCall,
    RegistrationChanged,
    RetryRegistration,
    SendDtmfCall,
    TransferCall,
)
from app.phone.settings import Settings
from app.sip.account import SipAccount, account_config, local_config
from app.sip.call import INV_STATE_NAMES, SipCall, SipCallIds
from app.sip.call_ops import CallOperations
from app.sip.cred_guard import account_servers
from app.sip.flood_guard import Answered
from app.sip.liveness import with_liveness
from app.sip.mwi import MwiWatch
from app.sip.realm import learn_realm
from app.sip.sipmsg import (
    INCOMING_HEADERS,
    SDP_RE,
    display_name,
    header_values,
    make_header,
    redirect_of,
    rx_message,
    target_uri,
)
from app.sip.srtp import account_srtp, sdp_body
from app.sip.stack import SipStack

log = logging.getLogger("deskphone.sip")


class SipAdapter:
    def __init__(self, stack: SipStack, feed: Callable[[Input], None]) -> None:
        self.stack = stack
        self._feed = feed
        self.accounts: dict[int, SipAccount] = {}
        self.calls: dict[str, SipCall] = {}  # core call id -> its current pjsua2 leg
        self._retired: dict[int, SipCall] = {}  # legs replaced by a redirect, until DISCONNECTED
        self.sip_call_ids = SipCallIds()
        self._incoming_seq = 0
        self.ops = CallOperations(self.calls, feed, self._relink_audio)
        self.mwi = MwiWatch(stack.mwi_guard, feed, self.accounts)
        self._settings = Settings()
        self._bind = ""
        stack.on_transport_lost = self._on_transport_lost
        self.on_media: Callable[[SipCall], None] | None = None  # the engine's audio hook
        self._pj_accounts: dict[int, int] = {}  # pjsua account id -> core account index
        stack.guard.account_of = lambda pj_id: self._pj_accounts.get(pj_id, -1)
        stack.guard.on_answered = self._on_answered

    # ---- set-up and teardown ----------------------------------------------------------

    def _on_transport_lost(self, kind: str) -> None:
        """A stream transport closed: its registrations are gone until the core's retry."""
        for index, acc in enumerate(self._settings.accounts, start=1):
            account = self.accounts.get(index)
            # Only a registration that was up: a connection that never came up (a refused
            # TLS certificate, say) already reported its own reason.
            if account is None or acc.transport not in ("tcp", "tls"):
                continue
            if account.getInfo().regIsActive:
                lost = f"Connection to the server lost ({kind})"
                self._feed(RegistrationChanged(index, 503, lost, 0, False))

    def create_accounts(self, settings: Settings, bind: str) -> None:
        self._settings, self._bind = settings, bind
        self.stack.creds.policy.clear()
        no_tls = ""  # why TLS accounts cannot register: they say so instead of trying
        if any(a.enabled and a.transport == "tls" for a in settings.accounts):
            no_tls = self.stack.tls_problem(settings.tls_verify_server, settings.tls_ca_file)
        for index, acc in enumerate(settings.accounts, start=1):
            if not (acc.enabled and acc.server and acc.user):
                continue
            account = self._new_account(index)
            account.realm = acc.realm.strip() if acc.realm.strip() != "*" else ""
            self.stack.creds.policy.set_account(index, account.realm, account_servers(acc))
            account.problem = no_tls if acc.transport == "tls" else ""
            config = with_liveness(account_config(index, acc, bind, account.realm))
            config.regConfig.registerOnAdd = not account.problem
            account.create(config, True)
            self.accounts[index] = account
            if account.problem:
                self._register_again(index)
        if not self.accounts:
            account = self._new_account(LOCAL_ACCOUNT)
            account.create(with_liveness(local_config(bind, self.stack.port)), True)
            self.accounts[LOCAL_ACCOUNT] = account
        self.mwi.accounts_created(settings, bind)
        self._pj_accounts = {int(a.getId()): index for index, a in self.accounts.items()}

    def reconfigure_accounts(self, settings: Settings, bind: str) -> None:
        """Replace every pjsua2 account with ones built from `settings` (on the SIP thread).

        The old accounts unregister as they are shut down; their late callbacks are cut off
        first so an old account's un-REGISTER is never reported as the new account's state.
        """
        old = list(self.accounts.values())
        self.accounts.clear()
        for account in old:
            account._on_reg = account._on_incoming = account._on_message = account._on_mwi = _ignore
            try:
                account.shutdown()
            except pj.Error as exc:
                log.warning("account shutdown: %s", exc.info())
        # pjsua2's ~Account() deletes whatever account holds its old id by then: the old
        # objects must be gone before a new account can be given that id.
        del old, account
        gc.collect()
        self.create_accounts(settings, bind)
        log.info("accounts re-created: %s", sorted(self.accounts))

    def _new_account(self, index: int) -> SipAccount:
        return SipAccount(index, self._on_reg, self._on_incoming, self._on_message, self.mwi)

    def shutdown(self) -> None:
        """Hang up, let the BYEs/CANCELs go out, then release every pjsua2 object in order."""
        calls = [*self.calls.values(), *self._retired.values()]
        for call in calls:
            self._safe_hangup(call, 0)
        if calls and self.stack.ep is not None:
            self.stack.pump(0.3)
        self.calls.clear()
        self._retired.clear()
        for account in self.accounts.values():
            try:
                account.shutdown()  # pjsua sends the un-REGISTER (Expires: 0) now
            except pj.Error as exc:
                log.warning("account shutdown: %s", exc.info())
        if self.accounts and self.stack.ep is not None:
            # Let the registrar's answers come in (a TCP connection may still be opening); the
            # stack is then destroyed without pjsua's own fixed 1 s wait (SipStack.destroy).
            self.stack.pump(0.2)
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
            case HoldCall() | SendDtmfCall() | TransferCall() | ConferenceCalls():
                self.ops.execute(cmd)
            case RetryRegistration():
                self._register_again(cmd.account)
            case _:
                pass  # audio commands are the engine's (app/engine/audio.py)

    def _place(self, cmd: PlaceCall) -> None:
        account = self.accounts.get(cmd.account) or next(iter(self.accounts.values()))
        call = self._new_call(account, cmd.call)
        op = pj.CallOpParam(True)
        for name, value in cmd.headers:
            op.txOption.headers.append(make_header(name, value))
        try:
            call.makeCall(cmd.uri, op)
        except pj.Error as exc:
            log.warning("makeCall %s failed: %s", cmd.uri, exc.info())
            if self.calls.get(cmd.call) is call:
                self.calls.pop(cmd.call, None)
            self._feed(CallProgress(cmd.call, "DISCONNECTED", 500, exc.reason or "Call failed"))
            return
        self.stack.expect_answer()
        self._remember_call_id(call)

    def _register_again(self, index: int) -> None:
        account = self.accounts.get(index)
        if account is None:
            return
        if account.problem:
            self._feed(RegistrationChanged(index, 503, account.problem[:120], 0, False))
            return
        try:
            account.setRegistration(True)
        except pj.Error as exc:  # e.g. no transport for it: a failure like any other
            log.warning("account %d: REGISTER failed at once: %s", index, exc.info())
            self._feed(RegistrationChanged(index, 503, exc.reason or "Register failed", 0, False))

    def _answer(self, cmd: AnswerCall) -> None:
        call = self.calls.get(cmd.call)
        if call is None:
            return
        op = pj.CallOpParam(True)
        op.statusCode = cmd.code
        if cmd.reason:
            op.reason = cmd.reason
        for name, value in cmd.headers:
            op.txOption.headers.append(make_header(name, value))
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
        previous = self.calls.get(core_id)
        if previous is not None:
            # A redirect placed a new leg for the same user call; the old one lives until
            # pjsua2 reports it DISCONNECTED (one reference per live Call, docs/pjsua2.md §2).
            self._retired[id(previous)] = previous
        call = SipCall(
            account,
            core_id,
            self._on_call_state,
            self._on_media,
            self._on_redirect,
            pj_id if pj_id >= 0 else pj.PJSUA_INVALID_ID,
            account_srtp(self._settings, account.index),
        )
        call.on_secured = self._on_secured
        self.calls[core_id] = call
        return call

    def _on_secured(self, call: SipCall, encrypted: bool) -> None:
        if self.calls.get(call.core_id) is call:  # not a leg a redirect already replaced
            self._feed(CallSecured(call.core_id, encrypted))

    def _remember_call_id(self, call: SipCall, info: Any = None) -> None:
        try:
            sip_id = str((info or call.getInfo()).callIdString)
        except pj.Error:
            return
        if sip_id:
            self.sip_call_ids.note(call.core_id, sip_id, self.calls)

    def _on_reg(self, index: int, prm: Any) -> None:
        acc = (
            self._settings.accounts[index - 1]
            if 0 < index <= len(self._settings.accounts)
            else None
        )
        if prm.code in (401, 407) and learn_realm(
            index,
            self.accounts[index],
            acc,
            str(prm.rdata.wholeMsg),
            self.stack.creds.policy,
            self._bind,
        ):
            return  # registering again at once, now with credentials for that realm only
        info = self.accounts[index].getInfo()
        server = str(prm.rdata.srcAddress) if prm.code // 100 == 2 else ""
        self._feed(
            RegistrationChanged(
                index,
                int(prm.code),
                str(prm.reason),
                int(info.regExpiresSec if info.regIsActive else 0),
                bool(info.regIsActive),
                server,  # the registrar or outbound proxy, trusted (incoming_policy.py)
            )
        )

    def _on_incoming(self, index: int, prm: Any) -> None:
        self._incoming_seq += 1
        core_id = f"i{self._incoming_seq}"
        call = self._new_call(self.accounts[index], core_id, int(prm.callId))
        if call.security.mode != "off":
            call.security.remote(sdp_body(str(prm.rdata.wholeMsg)))
        info = call.getInfo()
        self._remember_call_id(call, info)
        self.stack.guard.admission.call_started(str(info.callIdString))
        remote = str(info.remoteUri)
        headers = header_values(str(prm.rdata.wholeMsg), INCOMING_HEADERS)
        self._feed(IncomingCall(core_id, index, remote, display_name(remote), headers))

    def _on_answered(self, answered: Answered) -> None:
        """A new call the incoming guard forwarded or refused from the policy (no pjsua call)."""
        self._incoming_seq += 1
        core_id = f"i{self._incoming_seq}"
        self.sip_call_ids.note(core_id, answered.call_id, self.calls)
        self._feed(answered.fact(core_id))

    def _on_message(self, index: int, prm: Any) -> None:
        self._feed(MessageReceived(index, str(prm.fromUri), str(prm.msgBody), time.monotonic()))

    def _on_call_state(self, call: SipCall, prm: Any) -> None:
        info = call.getInfo()
        ended = info.state == pj.PJSIP_INV_STATE_DISCONNECTED
        if call.redirected or self.calls.get(call.core_id) is not call:
            # A leg stopped after a 3xx: the core already moved the user's call on (or ended
            # it with the real reason), so its 487 must not end the call.
            if ended:
                self._drop(call)
            return
        state = INV_STATE_NAMES.get(info.state, str(info.state))
        msg = rx_message(prm)
        code, reason = int(info.lastStatusCode), str(info.lastReason)
        if ended and 300 <= code < 400:
            # pjsua2 ends a 3xx without asking when it found no SIP Contact in it (none at
            # all, or only tel:): the policy still decides what that means.
            call.redirected = True
            self._feed(redirect_of(call.core_id, msg, code, reason, ""))
            self._drop(call)
            return
        if ended:  # credentials withheld from a host that challenged: say so
            realm = getattr(self.accounts.get(call.account_index), "realm", "")
            reason = self.stack.creds.why_refused(realm, msg, info.callIdString, code) or reason
        self._feed(
            CallProgress(
                call.core_id,
                state,
                code,
                reason,
                has_sdp=bool(msg and SDP_RE.search(msg)),
                remote_uri=str(info.remoteUri),
                remote_name=display_name(str(info.remoteUri)),
            )
        )
        if ended:
            self._drop(call)

    def _drop(self, call: SipCall) -> None:
        """The one reference to an ended leg goes now: a stale Call collected later hangs up
        whatever new call reuses its id (pjproject issue #3856, docs/pjsua2.md §2). The core may
        just have placed the next redirect target under the same id: that leg stays."""
        # its media slots stay busy a while, and its source's share is free again (admission)
        self.stack.guard.note_call_ended(self.sip_call_ids.get(call.core_id, ""))
        self._retired.pop(id(call), None)
        if self.calls.get(call.core_id) is call:
            self.calls.pop(call.core_id, None)

    def _on_media(self, call: SipCall) -> None:
        # Hold and conference links are the call ops'; the engine's audio connects the call's
        # media (early media too) to the bridge port.
        self.ops.on_media(call)
        self._relink_audio(call)

    def _relink_audio(self, call: SipCall) -> None:
        """The call's link to the sound device (the engine's), after its media or far mute."""
        if self.on_media is not None and self.calls.get(call.core_id) is call:
            self.on_media(call)

    def _on_redirect(self, call: SipCall, prm: Any) -> int:
        """pjsua2 never follows a redirect itself (no hop limit, no realm guard, and a
        multi-Contact crash, docs/pjsua2.md §3): this leg stops and the core, asked right here,
        places a new call (new Call-ID, through the account's route) to the target it allows.
        Only the 3xx itself is read before that INVITE goes out (no getInfo())."""
        current = self.calls.get(call.core_id) is call and not call.redirected
        call.redirected = True
        if current:
            msg = rx_message(prm)
            if msg:
                self._feed(redirect_of(call.core_id, msg, 302, "", ""))
            else:
                info = call.getInfo()
                code, reason = int(info.lastStatusCode) or 302, str(info.lastReason)
                self._feed(redirect_of(call.core_id, msg, code, reason, target_uri(prm)))
        return int(pj.PJSIP_REDIRECT_STOP)


def _ignore(*_args: Any) -> None:
    return None
