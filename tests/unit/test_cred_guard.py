"""The credential guard's policy and its reading of pjsip_tx_data (no network, no pjsua)."""

from __future__ import annotations

import ctypes
import socket

from app.phone.settings import AccountSettings
from app.sip.cred_guard import (
    HopPolicy,
    Server,
    _TxData,
    account_servers,
    destination,
    resolve,
    server_of,
)


def test_configured_servers_get_the_ports_pjsip_would_use() -> None:
    assert server_of("pbx.example", "udp") == Server("pbx.example", 5060)
    assert server_of("pbx.example", "tls") == Server("pbx.example", 5061)
    assert server_of("127.0.0.21:5080", "tcp") == Server("127.0.0.21", 5080)
    assert server_of("[::1]:5070", "udp") == Server("::1", 5070)
    assert server_of("", "udp") is None
    acc = AccountSettings(user="a", server="pbx.example", port=5062, outbound_proxy="sbc:5070")
    assert account_servers(acc) == [Server("pbx.example", 5062), Server("sbc", 5070)]


def test_names_resolve_to_every_address() -> None:
    assert resolve(Server("127.0.0.1", 5060)) == {("127.0.0.1", 5060)}
    assert ("127.0.0.1", 5099) in resolve(Server("localhost", 5099))
    assert resolve(Server("no-such-host.invalid", 5060)) == frozenset()


class FakeDns:
    def __init__(self) -> None:
        self.table = {"pbx.example": {"127.0.0.21"}}
        self.lookups = 0

    def __call__(self, server: Server) -> frozenset[tuple[str, int]]:
        self.lookups += 1
        return frozenset((ip, server.port) for ip in self.table.get(server.host, set()))


def test_only_the_accounts_servers_get_its_realms_credentials() -> None:
    dns = FakeDns()
    policy = HopPolicy(dns, clock=lambda: 0.0)
    policy.set_account(1, "corp.example", [Server("pbx.example", 5060), None])
    policy.set_account(2, "other.example", [Server("127.0.0.29", 5060)])
    assert policy.allows("corp.example", ("127.0.0.21", 5060))
    assert policy.allows("CORP.example", ("127.0.0.21", 5060))  # pjsip matches realms so
    assert not policy.allows("corp.example", ("127.0.0.21", 5061))  # same host, other port
    assert not policy.allows("corp.example", ("127.0.0.22", 5060))  # claims the realm only
    assert not policy.allows("corp.example", ("127.0.0.29", 5060))  # another account's server
    assert not policy.allows("", ("127.0.0.21", 5060))
    policy.clear()
    assert not policy.allows("corp.example", ("127.0.0.21", 5060))


def test_a_server_that_moved_in_dns_is_looked_up_again() -> None:
    dns, now = FakeDns(), [0.0]
    policy = HopPolicy(dns, clock=lambda: now[0])
    policy.set_account(1, "corp.example", [Server("pbx.example", 5060)])
    assert policy.allows("corp.example", ("127.0.0.21", 5060))
    dns.table["pbx.example"] = {"127.0.0.27"}
    now[0] = 5.0
    assert policy.allows("corp.example", ("127.0.0.27", 5060))  # a miss asks DNS again
    lookups = dns.lookups
    assert not policy.allows("corp.example", ("127.0.0.26", 5060))
    assert not policy.allows("corp.example", ("127.0.0.26", 5060))
    assert dns.lookups == lookups  # looked up at most once a second on misses


def _tdata(ip: str, port: int, name: str, name_port: int) -> ctypes.Array[ctypes.c_char]:
    buf = ctypes.create_string_buffer(ctypes.sizeof(_TxData))
    tx = _TxData.from_buffer(buf)
    info = tx.tp_info
    info.dst_addr.family = socket.AF_INET
    info.dst_addr.port = socket.htons(port)
    ctypes.memmove(ctypes.addressof(info.dst_addr) + 4, socket.inet_aton(ip), 4)
    info.dst_addr_len = 16
    info.dst_name = name.encode()
    info.dst_port = name_port
    return buf


def test_the_destination_is_read_only_when_it_adds_up() -> None:
    good = _tdata("127.0.0.2", 5099, "127.0.0.2", 5099)
    assert destination(ctypes.addressof(good)) == ("127.0.0.2", 5099)
    for bad in (
        _tdata("127.0.0.2", 5099, "127.0.0.3", 5099),
        _tdata("127.0.0.2", 5099, "127.0.0.2", 5098),
        _tdata("127.0.0.2", 0, "127.0.0.2", 0),
    ):
        assert destination(ctypes.addressof(bad)) is None
    blank = ctypes.create_string_buffer(ctypes.sizeof(_TxData))
    assert destination(ctypes.addressof(blank)) is None
