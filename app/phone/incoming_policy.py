"""Which incoming requests the SIP layer answers itself, before pjsua makes a call of them.

The rules stay here (pure, no I/O); the SIP adapter applies a snapshot of them, an
`IncomingPolicy`, inside pjsip's receive path (app/sip/flood_guard.py), so that a call the
phone will not ring costs no call object and no media sockets (docs/pjsua2.md §9):

- Accept SIP Trust Server Only (Yealink `sip.trust_ctrl`, docs/yealink.md §8): while an
  account is registered, requests from anywhere but its registrar or outbound proxy are
  dropped, so SIP scanners cannot ring the phone ("ghost calls"). Yealink ships it off; a PC
  moves between networks, so DeskPhone turns it on by default while an account is registered.
  With no account registered, direct (IP) calls keep working.
- A new call that Always (or Busy) forwarding sends on gets its 302, one that DND or a busy
  phone refuses its code, at once and statelessly (RFC 3261 §8.2.7); the core records it
  afterwards (`IncomingAnswered`). Only calls that really ring reach pjsua.

A trusted server is where an account's REGISTER was answered from (its registrar, or the
outbound proxy in front of it: the address and port after DNS, as pjsip saw them), plus the
configured server and proxy when they are IP addresses. Over TCP/TLS the server may open a
new connection to the phone from any port, so there the address alone counts. This computer
itself (127.0.0.1, ::1) is trusted too: the threat is the network, and nothing off the host can
send from those addresses (the kernel drops such packets from outside); the tests use the other
loopback addresses (127.0.0.2, .3) for other hosts, as the project does everywhere.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from app.phone.incoming import Route, route_incoming
from app.phone.settings import Settings

Source = tuple[str, int]  # (host, port) a request came from, as pjsip printed it
THIS_HOST = frozenset({"127.0.0.1", "::1"})


@dataclass(frozen=True)
class IncomingPolicy:
    """One snapshot of the rules, made by the core; only read (on the SIP thread)."""

    settings: Settings  # the core's own copy when the snapshot was made
    accounts: tuple[int, ...] = ()  # the core's account indexes, the first registered first
    in_call: bool = False
    local_domain: str = ""
    servers: frozenset[Source] = frozenset()  # trusted (host, port)
    trust_only: bool = False  # drop requests from anywhere else
    # Routes by account while no never-forward list makes them depend on the caller (a
    # forward-always phone under load asks the same question hundreds of times a second).
    _routes: dict[int, Route] = field(default_factory=dict, compare=False, repr=False)

    def trusted(self, host: str, port: int, stream: bool = False) -> bool:
        """Whether a request from (host, port) comes from a registrar or outbound proxy (or
        from this computer itself)."""
        if host in THIS_HOST:
            return True
        if stream:
            return any(h == host for h, _ in self.servers)
        return (host, port) in self.servers

    def accepts(self, host: str, port: int, stream: bool = False) -> bool:
        """False: drop the request without an answer (sip.trust_ctrl)."""
        return not self.trust_only or self.trusted(host, port, stream)

    def account(self, index: int) -> int:
        """The core's account for a request pjsua matched to `index` (as the core picks)."""
        if index in self.accounts or not self.accounts:
            return index
        return self.accounts[0]

    def route(self, account: int, caller: str) -> Route:
        """What the phone does with a new call to `account` from `caller` (the From header)."""
        account = self.account(account)
        if self.settings.forward.never_forward:
            return route_incoming(self.settings, account, caller, self.in_call, self.local_domain)
        route = self._routes.get(account)
        if route is None:
            route = route_incoming(self.settings, account, "", self.in_call, self.local_domain)
            self._routes[account] = route
        return route


def literal_source(host: str, port: int, transport: str) -> Source | None:
    """A configured server or proxy that is an IP address, as a trusted source."""
    host = host.strip().strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: trusted once its REGISTER answer shows where it is
    return host, port or (5061 if transport == "tls" else 5060)


def split_hostport(text: str, default_port: int = 5060) -> Source | None:
    """'1.2.3.4:5060', '[::1]:5060' or a bare host, as pjsip prints addresses."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if not host:
        return None
    port = int(port_text) if port_text.isdigit() and 0 < int(port_text) < 65536 else 0
    return host, port or default_port
