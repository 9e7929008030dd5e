"""pjsua2 accounts: the configured ones that register, and the embedded local one."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import quote

import pjsua2 as pj

from app.phone.settings import AccountSettings, Settings
from app.phone.settings.accounts import NAME_MAX
from app.sip.guard import guarded
from app.sip.srtp import apply_srtp

log = logging.getLogger("deskphone.sip")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# RFC 3261 user part: unreserved, the user-unreserved marks and escapes; anything else escaped.
_USER_SAFE = "-_.!~*'()&=+$,;?/%"


def quoted_display_name(name: str) -> str:
    """A display name as an RFC 3261 quoted-string: `"` and `\\` escaped, no control
    characters, bounded. '' for an empty name. An unquoted `"` or `<` used to end the name
    early and put the rest (another URI, parameters) into the From header."""
    text = _CONTROL.sub("", name).strip()[:NAME_MAX]  # the settings refuse longer ones
    if not text:
        return ""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def id_uri(acc: AccountSettings) -> str:
    """The account's address. It carries the server's port when that is not the default, as
    AccountSettings.aor does: pjsua sends the MWI SUBSCRIBE to this address (app/sip/mwi.py),
    which without the port went to 5060 instead of the registrar (pjsip leaves the port out of
    From and To, RFC 3261 §19.1.1)."""
    scheme = "sips" if acc.transport == "tls" else "sip"
    name = quoted_display_name(acc.display_name)
    user = quote(acc.user, safe=_USER_SAFE)
    address = f"<{scheme}:{user}@{acc.domain}>"
    return f"{name} {address}" if name else address


def sip_accounts(settings: Settings) -> list[AccountSettings]:
    """What the pjsua2 accounts are built from (`built_from` of each)."""
    return [built_from(a) for a in settings.accounts]


def account_config(index: int, acc: AccountSettings, bind: str, realm: str) -> pj.AccountConfig:
    """pjsua2 config of a configured account. Its credentials are bound to `realm` only (the
    configured one, else the one learnt from the registrar's challenge); with no realm known
    there are none: pjsip would answer ANY realm's challenge for a "*" credential, including
    one from a host a redirect pointed at (docs/pjsua2.md §3)."""
    cfg = pj.AccountConfig()
    transport = "" if acc.transport == "udp" else f";transport={acc.transport}"
    scheme = "sips" if acc.transport == "tls" else "sip"
    cfg.idUri = id_uri(acc)
    cfg.regConfig.registrarUri = f"{scheme}:{acc.domain}{transport}"
    cfg.regConfig.timeoutSec = acc.expires
    # The core retries a failed REGISTER with a growing backoff (app/phone/accounts.py):
    # pjsua2's fixed-interval retry stays off so the two never race.
    cfg.regConfig.retryIntervalSec = 0
    cfg.regConfig.firstRetryIntervalSec = 0
    if acc.password and realm and realm != "*":
        cred = pj.AuthCredInfo("digest", realm, acc.auth_name or acc.user, 0, acc.password)
        cfg.sipConfig.authCreds.append(cred)
    if acc.outbound_proxy:
        cfg.sipConfig.proxies.append(f"sip:{acc.outbound_proxy};lr{transport}")
    if bind:
        cfg.mediaConfig.transportConfig.boundAddress = bind
        cfg.mediaConfig.transportConfig.publicAddress = bind
    apply_srtp(cfg, acc.srtp)
    cfg.priority = 100 - index
    # Message waiting (RFC 3842): pjsua subscribes once registered (app/sip/mwi.py).
    cfg.mwiConfig.enabled = acc.subscribe_mwi
    cfg.mwiConfig.expirationSec = acc.subscribe_mwi_expires
    return cfg


def built_from(acc: AccountSettings) -> AccountSettings:
    """The part of an account's settings its pjsua2 account is built from: accounts equal in
    it need no new pjsua2 account. Auto answer, DND, the voice mail display and the Voice Mail
    number (unless the MWI subscription goes to it) are the phone core's alone."""
    vm = acc.voice_mail if acc.subscribe_mwi and acc.subscribe_mwi_to_vm else ""
    return replace(acc, auto_answer=False, dnd=False, display_mwi=True, voice_mail=vm)


def local_config(bind: str, port: int) -> pj.AccountConfig:
    cfg = pj.AccountConfig()
    host = bind or "localhost"
    cfg.idUri = f"<sip:deskphone@{host}:{port}>"
    if bind:
        cfg.mediaConfig.transportConfig.boundAddress = bind
        cfg.mediaConfig.transportConfig.publicAddress = bind
    cfg.priority = 0
    return cfg


class MwiHooks(Protocol):
    """What message waiting needs to hear of an account (app/sip/mwi.py MwiWatch)."""

    def notify(self, index: int, prm: Any) -> None: ...
    def on_registration(self, index: int, prm: Any) -> None: ...
    def renew_after_register(self, index: int) -> None: ...


class SipAccount(pj.Account):  # type: ignore[misc]
    """Forwards registration, incoming calls, messages and message waiting to the adapter's
    handlers (message waiting also hears of each registration and re-registration)."""

    def __init__(
        self,
        index: int,
        on_reg: Callable[[int, Any], None],
        on_incoming: Callable[[int, Any], None],
        on_message: Callable[[int, Any], None],
        mwi: MwiHooks | None = None,
    ) -> None:
        super().__init__()
        self.index = index
        self.realm = ""  # the only realm its credentials are offered to; "" until known
        self.realm_asked = False  # learnt from the registrar's first challenge, once
        self.problem = ""  # why it cannot register at all (e.g. a refused TLS CA file)
        self._on_reg = on_reg
        self._on_incoming = on_incoming
        self._on_message = on_message
        self._on_mwi = mwi.notify if mwi is not None else _nothing
        self._mwi_reg = mwi.on_registration if mwi is not None else _nothing
        self._mwi_renew = mwi.renew_after_register if mwi is not None else _nothing

    def setRegistration(self, renew: bool) -> None:
        """REGISTER again (the core's retry after a failure): the MWI subscription is then
        started anew once it succeeds (app/sip/mwi.py)."""
        if renew:
            self._mwi_renew(self.index)
        super().setRegistration(renew)

    @guarded()
    def onRegState(self, prm: Any) -> None:
        self._mwi_reg(self.index, prm)
        self._on_reg(self.index, prm)

    @guarded()
    def onIncomingCall(self, prm: Any) -> None:
        self._on_incoming(self.index, prm)

    @guarded()
    def onInstantMessage(self, prm: Any) -> None:
        self._on_message(self.index, prm)

    @guarded()
    def onMwiInfo(self, prm: Any) -> None:
        self._on_mwi(self.index, prm)


def _nothing(*_args: Any) -> None:
    return None
