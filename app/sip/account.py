"""pjsua2 accounts: the configured ones that register, and the embedded local one."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
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
    scheme = "sips" if acc.transport == "tls" else "sip"
    name = quoted_display_name(acc.display_name)
    user = quote(acc.user, safe=_USER_SAFE)
    return f"{name} <{scheme}:{user}@{acc.server}>" if name else f"<{scheme}:{user}@{acc.server}>"


def sip_accounts(settings: Settings) -> list[AccountSettings]:
    """What the pjsua2 accounts are built from: auto answer and DND need no new account."""
    return [replace(a, auto_answer=False, dnd=False) for a in settings.accounts]


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
    return cfg


def local_config(bind: str, port: int) -> pj.AccountConfig:
    cfg = pj.AccountConfig()
    host = bind or "localhost"
    cfg.idUri = f"<sip:deskphone@{host}:{port}>"
    if bind:
        cfg.mediaConfig.transportConfig.boundAddress = bind
        cfg.mediaConfig.transportConfig.publicAddress = bind
    cfg.priority = 0
    return cfg


class SipAccount(pj.Account):  # type: ignore[misc]
    """Forwards registration, incoming calls and messages to the adapter's handlers."""

    def __init__(
        self,
        index: int,
        on_reg: Callable[[int, Any], None],
        on_incoming: Callable[[int, Any], None],
        on_message: Callable[[int, Any], None],
    ) -> None:
        super().__init__()
        self.index = index
        self.realm = ""  # the only realm its credentials are offered to; "" until known
        self.realm_asked = False  # learnt from the registrar's first challenge, once
        self.problem = ""  # why it cannot register at all (e.g. a refused TLS CA file)
        self._on_reg = on_reg
        self._on_incoming = on_incoming
        self._on_message = on_message

    @guarded()
    def onRegState(self, prm: Any) -> None:
        self._on_reg(self.index, prm)

    @guarded()
    def onIncomingCall(self, prm: Any) -> None:
        self._on_incoming(self.index, prm)

    @guarded()
    def onInstantMessage(self, prm: Any) -> None:
        self._on_message(self.index, prm)
