"""Yealink outbound proxy keys -> AccountSettings.outbound_proxy -> pjsua2 account config.

account.X.outbound_proxy_enable / outbound_host / outbound_port (docs/yealink.md §8)
become one `host[:port]` value (IPv6 in brackets, as split_host_port reads it back); the engine
turns it into a loose-route proxy URI on the account's transport (app/sip/account.py). The wire
behaviour is in tests/integration/test_outbound_proxy_sip.py.
"""

from __future__ import annotations

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store.yealink_cfg import export_cfg, import_cfg
from app.store.yealink_keys import split_host_port

HEADER = "#!version:1.0.0.1\n"


def proxy_of(cfg: str, base: Settings | None = None) -> tuple[str, list[str]]:
    settings, report = import_cfg(HEADER + cfg, base)
    return settings.accounts[0].outbound_proxy, [str(r) for r in report.refused]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["outbound_proxy_enable = 1", "outbound_host = 127.0.0.1", "outbound_port = 5070"],
         "127.0.0.1:5070"),
        (["outbound_port = 5070", "outbound_host = sbc.example.com", "outbound_proxy_enable = 1"],
         "sbc.example.com:5070"),
        (["outbound_proxy_enable = 1", "outbound_host = sbc.example.com"], "sbc.example.com"),
        (["outbound_proxy_enable = 0", "outbound_host = sbc.example.com"], ""),
        (["outbound_proxy_enable = 1", "outbound_host = 2001:db8::1", "outbound_port = 5070"],
         "[2001:db8::1]:5070"),
        (["outbound_proxy_enable = 1", "outbound_host = 2001:db8::1"], "[2001:db8::1]"),
        (["outbound_proxy_enable = 1", "outbound_host = [2001:db8::1]", "outbound_port = 5070"],
         "[2001:db8::1]:5070"),
    ],
)  # fmt: skip
def test_proxy_keys_fill_outbound_proxy(lines: list[str], expected: str) -> None:
    cfg = "".join(f"account.1.{line}\n" for line in lines)
    assert proxy_of(cfg) == (expected, [])


def test_an_ipv6_proxy_splits_back_into_its_host_and_port() -> None:
    cfg = "account.1.outbound_proxy_enable = 1\naccount.1.outbound_host = 2001:db8::1\n"
    cfg += "account.1.outbound_port = 5070\n"
    value, _ = proxy_of(cfg)
    assert split_host_port(value) == ("[2001:db8::1]", "5070")


def test_enabled_without_a_host_or_with_a_bad_port_is_refused() -> None:
    value, refused = proxy_of("account.1.outbound_proxy_enable = 1\n")
    assert value == "" and "without account.1.outbound_host" in refused[0]
    cfg = "account.1.outbound_proxy_enable = 1\naccount.1.outbound_host = sbc.example.com\n"
    value, refused = proxy_of(cfg + "account.1.outbound_port = 99999\n")
    assert value == "" and "out of range" in refused[0]


def test_keys_change_an_existing_proxy_in_part() -> None:
    base = Settings(accounts=[AccountSettings(user="a", server="pbx", outbound_proxy="old:5070")])
    assert proxy_of("account.1.outbound_port = 6000\n", base) == ("old:6000", [])
    assert proxy_of("account.1.outbound_proxy_enable = 0\n", base) == ("", [])


@pytest.mark.parametrize("proxy", ["sbc.example.com:5070", "sbc.example.com", "[2001:db8::1]:5070"])
def test_export_then_import_keeps_the_proxy(proxy: str) -> None:
    settings = Settings(accounts=[AccountSettings(user="a", server="pbx", outbound_proxy=proxy)])
    text = export_cfg(settings)
    assert "account.1.outbound_proxy_enable = 1" in text
    again, report = import_cfg(text)
    assert again.accounts[0].outbound_proxy == proxy and report.refused == []


@pytest.mark.parametrize(
    ("transport", "expected"),
    [("udp", "sip:sbc.example.com:5070;lr"), ("tcp", "sip:sbc.example.com:5070;lr;transport=tcp")],
)
def test_the_engine_account_routes_through_the_imported_proxy(
    transport: str, expected: str
) -> None:
    from app.sip.account import account_config  # pjsua2: only this test needs it

    cfg = "account.1.user_name = alice\naccount.1.sip_server.1.address = pbx.example.com\n"
    cfg += "account.1.outbound_proxy_enable = 1\naccount.1.outbound_host = sbc.example.com\n"
    cfg += "account.1.outbound_port = 5070\n"
    settings, _ = import_cfg(HEADER + cfg)
    settings.accounts[0].transport = transport
    acc_cfg = account_config(0, settings.accounts[0], "127.0.0.1", "")
    assert list(acc_cfg.sipConfig.proxies) == [expected]
    # the registrar stays the server: the proxy is only the next hop
    assert acc_cfg.regConfig.registrarUri.startswith("sip:pbx.example.com")
