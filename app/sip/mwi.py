"""Message waiting per account (RFC 3842) over pjsua2: what the adapter does with MWI.

- The subscription is pjsua's own (`AccountConfig.mwiConfig`, set in app/sip/account.py):
  it is sent once the account's REGISTER succeeds (never without a registrar,
  docs/pjsua2.md §14), refreshed by pjsip before it runs out and sent again by pjsua when the
  server ends it. When a registration comes back after a failure (the core's retry), the
  server may have lost the subscription while pjsua still counts it as up: `resubscribe`
  ends it and starts a new one at once. A restarted engine subscribes afresh by itself.
- `subscribe_mwi_to_vm`: the SUBSCRIBE goes to the Voice Mail number at the account's server
  (app/sip/mwi_guard.py changes its Request-URI; pjsua has no setting for it).
- Every NOTIFY, solicited or not, arrives in `notify` (`Account.onMwiInfo`); app/sip/mwi_guard.py
  has already answered the unsolicited ones from hosts that are no account's server. The body is
  parsed with bounds (app/phone/mwi.py): one that cannot be used is logged and changes nothing.
  The core takes an unsolicited one only from that account's own server (app/phone/voicemail.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pjsua2 as pj

from app.phone.dialing import DialError, to_request_uri
from app.phone.messages import Input, MessageWaiting
from app.phone.mwi import SummaryError, parse_summary
from app.phone.settings import AccountSettings, Settings
from app.sip.account import SipAccount, account_config
from app.sip.liveness import with_liveness
from app.sip.mwi_guard import MwiGuard, address_of
from app.sip.mwi_notify import parse_request

log = logging.getLogger("deskphone.sip")


def voice_mail_uri(acc: AccountSettings) -> str:
    """The Voice Mail number as a SIP URI at the account's server; '' if there is none."""
    if not acc.voice_mail:
        return ""
    try:
        return to_request_uri(acc.voice_mail, acc.domain)
    except DialError:
        return ""


class MwiWatch:
    """Create once per adapter, on the SIP thread; the adapter and its accounts (app/sip/account.py
    `MwiHooks`) call it from their callbacks."""

    def __init__(
        self, guard: MwiGuard, feed: Callable[[Input], None], accounts: Mapping[int, SipAccount]
    ) -> None:
        self.guard = guard
        self._feed = feed
        self._accounts = accounts
        self._settings = Settings()
        self._bind = ""
        self._renew: set[int] = set()  # accounts registering again after a failure
        self.ignored = 0  # NOTIFYs taken in but not used (bad body)

    def accounts_created(self, settings: Settings, bind: str) -> None:
        self._settings, self._bind = settings, bind
        self._renew.clear()
        self.guard.targets = {}
        for index in self._accounts:
            acc = self._account(index)
            if acc is None:
                continue
            target = voice_mail_uri(acc) if acc.subscribe_mwi_to_vm else ""
            if acc.subscribe_mwi and target:
                self.guard.targets[address_of(f"sip:{acc.user}@{acc.server}")] = target
                self.guard.targets[address_of(f"sips:{acc.user}@{acc.server}")] = target
            elif acc.subscribe_mwi and acc.subscribe_mwi_to_vm:
                log.warning("account %d: no Voice Mail number to subscribe to: using its own "
                            "address", index)  # fmt: skip

    def _account(self, index: int) -> AccountSettings | None:
        accounts = self._settings.accounts
        return accounts[index - 1] if 0 < index <= len(accounts) else None

    # ---- registration ------------------------------------------------------------------

    def renew_after_register(self, index: int) -> None:
        """The core asked to register again after a failure or a lost connection."""
        self._renew.add(index)

    def on_registration(self, index: int, prm: Any) -> None:
        if int(prm.code) // 100 != 2 or int(prm.expiration) <= 0:
            return
        if index in self._renew:
            self._renew.discard(index)
            self.resubscribe(index)

    def resubscribe(self, index: int) -> None:
        """End the account's MWI subscription (SUBSCRIBE, Expires: 0) and start a new one."""
        account, acc = self._accounts.get(index), self._account(index)
        if account is None or acc is None or not acc.subscribe_mwi:
            return
        try:
            for on in (False, True):
                mwi = replace(acc, subscribe_mwi=on)
                account.modify(with_liveness(account_config(index, mwi, self._bind, account.realm)))
            log.info("account %d: MWI subscription started again", index)
        except pj.Error as exc:
            log.warning("account %d: MWI subscription not renewed: %s", index, exc.info())

    # ---- NOTIFYs -----------------------------------------------------------------------

    def notify(self, index: int, prm: Any) -> None:
        """Account.onMwiInfo: a message-summary NOTIFY for account `index`."""
        rdata = prm.rdata
        source, text = str(rdata.srcAddress), str(rdata.wholeMsg)
        solicited = int(prm.state) != pj.PJSIP_EVSUB_STATE_NULL
        request = parse_request(text)
        body = request.body if request is not None else ""
        if solicited and not body.strip():
            # the first NOTIFY of a subscription before the server knows anything (Kamailio's)
            log.info("account %d: message summary without a body: nothing known yet", index)
            return
        found = parse_summary(body)
        if isinstance(found, SummaryError):
            self.ignored += 1
            log.warning("account %d: message summary from %s not used: %s", index, source,
                        found.reason)  # fmt: skip
            return
        self._feed(MessageWaiting(index, found, source, solicited))
