"""SIP accounts: one AccountSettings per Yealink `account.X` (X 1-16 on a T46G).

Field order is the order of an account's keys in a .cfg export (declare.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import app.phone.settings.checks as checks
from app.phone.settings.declare import Choice, Joint, setting

MAX_ACCOUNTS = 16
NAME_MAX = 64  # label and display name: far more than a line key or a phone's screen shows
TRANSPORTS = (Choice("udp", "UDP", "0"), Choice("tcp", "TCP", "1"), Choice("tls", "TLS", "2"))
# Yealink's account.X.srtp_encryption (docs/yealink.md §8); off as on the phone.
SRTP_MODES = (
    Choice("off", "Disabled", "0"),
    Choice("optional", "Optional", "1"),
    Choice("compulsory", "Compulsory", "2"),
)
DTMF_MODES = (
    Choice("inband", "Inband", "0"),
    Choice("rfc2833", "RFC 2833", "1"),
    Choice("info", "SIP INFO", "2"),
    Choice("both", "RFC 2833 + SIP INFO", "3"),
)


def _proxy_split(proxy: str) -> tuple[Any, ...]:
    host, port = checks.split_host_port(proxy)
    return bool(proxy), host, int(port) if port.isdigit() else port


def _proxy_join(current: str, given: dict[str, Any], keys: dict[str, str]) -> str:
    host, port = checks.split_host_port(current)
    enabled = bool(current)
    if "outbound_proxy_enable" in given:
        enabled = bool(given["outbound_proxy_enable"])
    if "outbound_host" in given:
        host = given["outbound_host"] or ""
    if "outbound_port" in given:
        port = "" if given["outbound_port"] is None else str(given["outbound_port"])
    if enabled and not host:
        raise ValueError(f"outbound proxy enabled without {keys['outbound_host']}")
    if host.count(":") > 1 and not host.startswith("["):
        host = f"[{host}]"  # a bare IPv6 address: outbound_proxy keeps IPv6 in brackets
    return (f"{host}:{port}" if port else host) if enabled else ""


# Yealink's three keys (enable, host, port) are one `host[:port]` value here.
OUTBOUND_PROXY = Joint(
    (("outbound_proxy_enable", bool), ("outbound_host", str), ("outbound_port", int)),
    _proxy_split,
    _proxy_join,
)


@dataclass
class AccountSettings:
    """One SIP account (Yealink's account.N.*)."""

    # fmt: off
    enabled: bool = setting(
        True, "Line active", "enable",
        help="The account registers and can place and take calls. Filling in an empty "
        "account in the dialog switches it on.",
    )
    label: str = setting(
        "", "Label", "label", hint="shown on the phone's line key", max_len=NAME_MAX,
        help="Name of the account on its line key and the idle screen.",
    )
    display_name: str = setting(
        "", "Display name", "display_name", hint="shown to the called party", max_len=NAME_MAX,
        help="Name sent with calls (the display name of the From header).",
    )
    auth_name: str = setting(
        "", "Auth name", "auth_name", hint="if not the register name",
        help="User name given when the server asks to authenticate; empty: the register name.",
    )
    user: str = setting(
        "", "Register name", "user_name", hint="user / extension",
        help="The extension or SIP user name registered at the server.",
    )
    password: str = setting(
        "", "Password", "password", secret=True,
        help="Kept in the system keyring (or a private file), never in settings.json; left "
        "out of .cfg exports unless asked for.",
    )
    server: str = setting(
        "", "Server", "sip_server.1.address", check=checks.host,
        hint="pbx.example.com or 192.0.2.10",
        help="The registrar, host name or address; calls go to it too.",
    )
    port: int = setting(
        5060, "Port", "sip_server.1.port", lo=0, hi=65535,
        help="The server's port; 0: from DNS (SRV) or the transport's default.",
    )
    transport: str = setting(
        "udp", "Transport", "sip_server.1.transport_type", choices=TRANSPORTS,
        help="UDP, TCP or TLS; over TLS the server's certificate is checked (tls_verify_server).",
    )
    expires: int = setting(
        3600, "Registration expiry (s)", "sip_server.1.expires", lo=30, hi=604800,
        help="Seconds a registration lasts before it is renewed.",
    )
    outbound_proxy: str = setting(
        "", "Outbound proxy", joint=OUTBOUND_PROXY, check=checks.host_port, hint="host[:port]",
        help="Every request is sent through this proxy (loose routing); empty: straight to the "
        "server. IPv6 addresses in brackets. Yealink's outbound_proxy_enable, outbound_host "
        "and outbound_port.",
    )
    auto_answer: bool = setting(
        False, "Auto answer", "auto_answer",
        help="Calls to this account are answered by themselves after the auto answer delay.",
    )
    dnd: bool = setting(
        False, "DND (Custom mode)", "dnd.enable",
        help="Do Not Disturb for this account, used while DND mode is Custom.",
    )
    dtmf: str = setting(
        "rfc2833", "DTMF type", "dtmf.type", choices=DTMF_MODES,
        help="How key presses in a call are sent (RFC 2833 events use payload 101).",
    )
    srtp: str = setting(
        "off", "RTP encryption (SRTP)", "srtp_encryption", choices=SRTP_MODES,
        help="Encrypt call audio with SRTP, keys exchanged in the SDP (SDES, RFC 4568). "
        "Optional: encrypted when the other side takes it; Compulsory: a call it cannot "
        "encrypt fails. The keys are only private over a TLS transport.",
    )
    realm: str = setting(
        "", "Realm", "realm", own=True,
        help="Authentication realm; empty: learnt from the registrar's first challenge.",
    )
    voice_mail: str = setting(
        "", "Voice Mail", "voice_mail.number.{n}", top=True, check=checks.dial_target,
        hint="e.g. *97: what Connect dials",
        help="The voice mail number of this account: the Voice Mail menu's Connect and a "
        "Voice Mail key dial it on this account. Yealink's voice_mail.number.X.",
    )
    subscribe_mwi: bool = setting(
        False, "Subscribe for MWI", "subscribe_mwi",
        help="Subscribe to the server for message waiting (RFC 3842) once registered: the "
        "voice mail count, lamp and pop-up follow it. Off: only NOTIFYs the registrar or "
        "outbound proxy sends unasked count.",
    )
    subscribe_mwi_expires: int = setting(
        3600, "MWI subscription period (s)", "subscribe_mwi_expires", lo=60, hi=84600,
        hint="{lo}-{hi}",
        help="How long the subscription lasts; it is refreshed before it runs out.",
    )
    subscribe_mwi_to_vm: bool = setting(
        False, "Subscribe MWI to voice mail", "subscribe_mwi_to_vm",
        help="Subscribe to the Voice Mail number (at the account's server) instead of the "
        "account's own address.",
    )
    display_mwi: bool = setting(
        True, "Voice mail display", "display_mwi.enable",
        help="Show this account's new voice mail: the count on the idle screen, the pop-up, "
        "the lamp, the tray and the desktop notification.",
    )

    # fmt: on
    @property
    def domain(self) -> str:
        return self.server if self.port in (0, 5060) else f"{self.server}:{self.port}"

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain}"
