"""Credentials go to the account's own servers only: a pjsip module on outgoing requests.

Why (docs/pjsua2.md §12): pjsip picks credentials by realm alone. pjsip_auth_clt_reinit_req()
answers any 401/407 whose realm matches a credential, whoever sent it, and a realm is public: a
host the user dials, or a 302 points at, answers 401 with realm="<the PBX's realm>" and gets a
digest it can crack offline. pjsua2 offers no per-host binding (AuthCredInfo has none), and the
retry is sent inside pjsip before any Python callback hears of the challenge.

So this module looks at every request as it is handed to a transport (on_tx_request, called by
pjsip_transport_send() once the next hop is resolved, for every address tried and every
retransmission). A request that carries Authorization or Proxy-Authorization may leave only
towards an address and port of the servers configured for the account of that realm (registrar
and outbound proxy, resolved as pjsip resolves them: getaddrinfo, no SRV, since no nameserver
is configured). Anything else is refused before a byte is written: pjsip then fails that
transaction as a transport error, so the call ends (503 from pjsua) and the adapter shows why.
Refusing, not stripping, is deliberate: a stripped retry would be challenged again and pjsip,
seeing no Authorization in its copy, would answer again without end.

What this cannot see: a request sent to the registrar travels on as the registrar routes it. A
proxy that forwards credentials downstream (instead of consuming them) is the PBX's choice;
the phone hands them to no one but the servers it was configured with.

pjsip_tx_data is read through ctypes (struct layout of the wheel, 2.15.1, no IPv6: 16 resolved
addresses); every read is checked for consistency (address family, length, port and printed
name must agree) and a request with credentials whose destination cannot be read is refused.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pjsua2 as pj

from app.phone.redirect import challenge_realms, credentials_allowed, parse_auth_realm
from app.phone.settings import AccountSettings
from app.phone.sipuri import parse_uri
from app.sip.pj_module import EndpointModule, PjStr, TxHead

log = logging.getLogger("deskphone.sip")

PRIORITY = 40  # on_tx_request runs from the highest number down: before mod-msg-print (8)
PJSIP_ENOCREDENTIAL = 171101  # "No suitable credential" (pjsip/sip_errno.h)
RESOLVE_TTL_S = 30.0  # a server's addresses are looked up again after this
MAX_BLOCKED = 64  # Call-IDs remembered for the adapter's screen text
_MAX_AUTH_HEADERS = 8
_DEFAULT_PORT = {"udp": 5060, "tcp": 5060, "tls": 5061}

Hop = tuple[str, int]  # (IP address as text, port)


# ---- the policy: which hops may receive which realm's credentials (no pjsip here) ------------


@dataclass(frozen=True)
class Server:
    """A host and port an account's credentials may be sent to."""

    host: str  # a name or an IP literal (no brackets)
    port: int


def server_of(host_port: str, transport: str) -> Server | None:
    """A configured `host[:port]` as pjsip reaches it: the transport's default port if none."""
    parsed = parse_uri(f"sip:{host_port.strip()}")
    if parsed is None or not parsed.host:
        return None
    host = parsed.host.strip("[]")
    return Server(host, parsed.port or _DEFAULT_PORT.get(transport, 5060))


def resolve(server: Server) -> frozenset[Hop]:
    """Every address the name stands for (pjsip's own lookup picks one of these)."""
    try:
        infos = socket.getaddrinfo(server.host, server.port, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        return frozenset()
    return frozenset((str(info[4][0]), server.port) for info in infos)


class HopPolicy:
    """Realm -> the servers of the accounts with that realm, resolved lazily and cached."""

    def __init__(
        self,
        resolver: Callable[[Server], frozenset[Hop]] = resolve,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolve = resolver
        self._clock = clock
        self._accounts: dict[int, tuple[str, tuple[Server, ...]]] = {}
        self._cache: dict[Server, tuple[float, frozenset[Hop]]] = {}

    def set_account(self, index: int, realm: str, servers: Iterable[Server | None]) -> None:
        kept = tuple(s for s in servers if s is not None)
        self._accounts[index] = (realm.strip(), kept)

    def clear(self) -> None:
        self._accounts.clear()

    def allows(self, realm: str, hop: Hop) -> bool:
        """Whether credentials for `realm` may be sent to `hop`. Realms compare as pjsip's do
        (case-insensitively); an empty realm belongs to no account."""
        wanted = realm.strip().casefold()
        if not wanted:
            return False
        servers = [s for r, ss in self._accounts.values() if r.casefold() == wanted for s in ss]
        # Cached addresses first; on a miss look each name up again (DNS may have moved it).
        if any(hop in self._hops(s, fresh=False) for s in servers):
            return True
        return any(hop in self._hops(s, fresh=True) for s in servers)

    def _hops(self, server: Server, fresh: bool) -> frozenset[Hop]:
        now = self._clock()
        cached = self._cache.get(server)
        if cached is not None and (now - cached[0] < (1.0 if fresh else RESOLVE_TTL_S)):
            return cached[1]
        hops = self._resolve(server)
        self._cache[server] = (now, hops)
        return hops


# ---- pjsip_tx_data, as far as this module reads it --------------------------------------------


class _HdrLinks(ctypes.Structure):
    # The list links every pjsip header starts with (PJSIP_DECL_HDR_MEMBER: prev, next).
    _fields_ = [("prev", ctypes.c_void_p), ("next", ctypes.c_void_p)]


class _SockAddr(ctypes.Structure):
    # pj_sockaddr: a union of sockaddr_in / sockaddr_in6, 28 bytes, 4-byte aligned.
    _fields_ = [
        ("family", ctypes.c_uint16),
        ("port", ctypes.c_uint16),
        ("rest", ctypes.c_uint32 * 6),
    ]


class _AddrRecord(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("priority", ctypes.c_uint),
        ("weight", ctypes.c_uint),
        ("addr", _SockAddr),
        ("addr_len", ctypes.c_int),
    ]


class _TpInfo(ctypes.Structure):
    _fields_ = [
        ("transport", ctypes.c_void_p),
        ("dst_addr", _SockAddr),
        ("dst_addr_len", ctypes.c_int),
        ("dst_name", ctypes.c_char * 46),  # PJ_INET6_ADDRSTRLEN
        ("dst_port", ctypes.c_int),
    ]


class _TxData(TxHead):
    # struct pjsip_tx_data (pjsip/sip_transport.h, 2.15.1) from after `msg` up to tp_info.
    _fields_ = [  # noqa: RUF012 (a ctypes layout, read once by ctypes)
        ("saved_strict_route", ctypes.c_void_p),
        ("buf", ctypes.c_void_p * 3),
        ("ref_cnt", ctypes.c_void_p),
        ("is_pending", ctypes.c_int),
        ("token", ctypes.c_void_p),
        ("cb", ctypes.c_void_p),
        ("dest_name", PjStr),
        ("dest_count", ctypes.c_uint),
        ("dest_entry", _AddrRecord * 16),  # PJSIP_MAX_RESOLVED_ADDRESSES without IPv6
        ("dest_cur", ctypes.c_uint),
        ("tp_info", _TpInfo),
    ]


def destination(tdata: int) -> Hop | None:
    """The address pjsip is about to send `tdata` to, or None when the read does not add up."""
    info = _TxData.from_address(tdata).tp_info
    family, length = info.dst_addr.family, info.dst_addr_len
    if (family, length) not in ((socket.AF_INET, 16), (socket.AF_INET6, 28)):
        return None
    port = socket.ntohs(info.dst_addr.port)
    raw = ctypes.string_at(ctypes.addressof(info.dst_addr), length)
    packed = raw[4:8] if family == socket.AF_INET else raw[8:24]
    name = socket.inet_ntop(family, packed)
    if port != info.dst_port or not 0 < port < 65536 or info.dst_name.decode() != name:
        return None
    return name, port


# ---- the module ---------------------------------------------------------------------------------


class CredentialGuard:
    """Create, register and unregister on the SIP thread; the adapter keeps `policy` current."""

    def __init__(self, policy: HopPolicy | None = None) -> None:
        self.policy = policy or HopPolicy()
        self.refused = 0
        self.blocked: OrderedDict[str, str] = OrderedDict()  # Call-ID -> "host:port" refused
        self._lib: ctypes.CDLL | None = None
        self._module = EndpointModule(
            b"mod-deskphone-credential-guard", PRIORITY, on_tx_request=self._on_tx_request
        )
        self._buf = ctypes.create_string_buffer(4096)

    def register(self) -> None:
        lib, _endpt = self._module.register()
        lib.pjsip_msg_find_hdr.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.pjsip_msg_find_hdr.restype = ctypes.c_void_p
        lib.pjsip_hdr_print_on.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.pjsip_hdr_print_on.restype = ctypes.c_int
        self._lib = lib

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        self._module.unregister()

    def why_refused(self, account_realm: str, msg: str, call_id: str, code: int) -> str:
        """Why a call that just ended failed, if its credentials were withheld: the challenger
        was not one of the account's servers (this module), or it named a realm the account's
        credentials are never offered to (account_config binds them to one). '' otherwise."""
        hop = self.blocked.pop(str(call_id), "")
        if hop:
            return f"No credentials for {hop}"
        if code not in (401, 407) or not msg:
            return ""
        foreign = [r for r in challenge_realms(msg) if not credentials_allowed(account_realm, r)]
        return f"No credentials for realm {foreign[0][:40]}" if foreign else ""

    def _print(self, hdr: int) -> str:
        assert self._lib is not None
        n = self._lib.pjsip_hdr_print_on(hdr, self._buf, len(self._buf))
        return self._buf.raw[:n].decode("utf-8", "replace") if n > 0 else ""

    def _realms(self, msg: int) -> list[str] | None:
        """The realm of each Authorization / Proxy-Authorization header; None if there is none."""
        assert self._lib is not None
        realms: list[str] = []
        for kind in (pj.PJSIP_H_AUTHORIZATION, pj.PJSIP_H_PROXY_AUTHORIZATION):
            hdr = self._lib.pjsip_msg_find_hdr(msg, kind, None)
            while hdr and len(realms) < _MAX_AUTH_HEADERS:
                value = self._print(hdr).partition(":")[2]
                realms.append(parse_auth_realm(value) or "")
                hdr = self._lib.pjsip_msg_find_hdr(msg, kind, _HdrLinks.from_address(hdr).next)
        return realms or None

    def _on_tx_request(self, tdata: int | None) -> int:
        # Inside pjsip_transport_send(): nothing may raise into C. A request without
        # credentials passes untouched; one with credentials leaves only if proven allowed.
        if self._lib is None or not tdata:
            return 0
        try:
            msg = _TxData.from_address(tdata).msg
            realms = self._realms(msg) if msg else None
        except Exception:
            log.exception("credential guard: cannot read an outgoing request")
            return 0
        if realms is None:
            return 0
        hop: Hop | None = None
        try:
            hop = destination(tdata)
            if hop is not None and all(self.policy.allows(r, hop) for r in realms):
                return 0
            self._note_refusal(msg, hop, realms)
        except Exception:
            log.exception("credential guard: refusing a request it could not check")
        return PJSIP_ENOCREDENTIAL

    def _note_refusal(self, msg: int, hop: Hop | None, realms: list[str]) -> None:
        assert self._lib is not None
        self.refused += 1
        where = f"{hop[0]}:{hop[1]}" if hop is not None else "an unknown host"
        call_id = ""
        with contextlib.suppress(Exception):
            hdr = self._lib.pjsip_msg_find_hdr(msg, pj.PJSIP_H_CALL_ID, None)
            call_id = self._print(hdr).partition(":")[2].strip() if hdr else ""
        if call_id:
            self.blocked[call_id] = where
            while len(self.blocked) > MAX_BLOCKED:
                self.blocked.popitem(last=False)
        log.warning(
            "credentials for realm %r withheld from %s: not a server of that account (Call-ID %s)",
            realms[0][:64] if realms else "",
            where,
            call_id[:80],
        )


def account_servers(acc: AccountSettings) -> list[Server | None]:
    """The registrar and outbound proxy an account is configured with."""
    servers = [server_of(acc.domain, acc.transport)]
    if acc.outbound_proxy:
        servers.append(server_of(acc.outbound_proxy, acc.transport))
    return servers
