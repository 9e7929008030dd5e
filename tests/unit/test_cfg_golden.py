"""Golden .cfg: every setting DeskPhone has, each with a value other than its default.

tests/data/golden-all-keys.cfg is `export_cfg(golden_settings(), include_passwords=True)` as
written before the settings were declared once (app/phone/settings/); importing it and exporting
again must give the same bytes (only the "# DeskPhone <version> settings export, <time>" line
may differ). Regenerate it only on purpose: `python -m tests.unit.test_cfg_golden > FILE`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.phone.settings import (
    AccountSettings,
    AreaCode,
    BlockOutRule,
    DialNowRule,
    ForwardRule,
    ForwardSet,
    LineKeySettings,
    ReplaceRule,
    Settings,
)
from app.store.yealink_cfg import export_cfg, import_cfg

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden-all-keys.cfg"
STAMP = re.compile(r"^# DeskPhone \S+ settings export, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.$")
TONES = {
    "dial": "350+440/0", "ring": "440+480/2000,0/4000", "busy": "480+620/500,0/500",
    "congestion": "480+620/250,0/250", "callwaiting": "440/300,0/10000",
    "dialrecall": "!350+440/100,!0/100,350+440/0", "record": "1400/500,0/15000",
    "info": "!950/330,!1400/330,!1800/330,0/0", "stutter": "!350+440/100,!0/100,350+440/0",
    "message": "!350+440/100,!0/100,350+440/0", "autoanswer": "425/200",
}  # fmt: skip
EVENTS = (
    "setup_completed", "registered", "unregistered", "register_failed", "off_hook", "on_hook",
    "incoming_call", "outgoing_call", "call_established", "call_terminated", "missed_call",
    "hold", "unhold", "mute", "unmute", "dnd_on", "dnd_off", "always_fwd_on", "always_fwd_off",
    "busy_fwd_on", "busy_fwd_off", "no_answer_fwd_on", "no_answer_fwd_off",
    "forward_incoming_call", "reject_incoming_call", "transfer_call", "blind_transfer_call",
    "attended_transfer_call", "transfer_finished", "transfer_failed",
)  # fmt: skip
PROXIES = ("sbc.example.com:5070", "sbc.example.com", "[2001:db8::1]:5070", "[2001:db8::2]")


def _account(n: int) -> AccountSettings:
    return AccountSettings(
        enabled=False,
        label=f"Line {n}",
        display_name=f"User {n}",
        user=f"{1000 + n}",
        auth_name=f"auth{n}",
        password=f"pw-{n}!",
        realm=f"realm{n}.example.com",
        server=f"pbx{n}.example.com",
        port=5060 + n,
        transport=("tcp", "tls")[n % 2],
        outbound_proxy=PROXIES[n % 4],
        expires=600 + n,
        auto_answer=True,
        dnd=True,
        dtmf=("info", "inband", "both")[n % 3],
        srtp=("optional", "compulsory")[n % 2],
        voice_mail=("*97", f"sip:vm{n}@pbx{n}.example.com")[n % 2],
        subscribe_mwi=True,
        subscribe_mwi_expires=1800 + n,
        subscribe_mwi_to_vm=True,
        display_mwi=False,
    )


def _forward_set(n: int) -> ForwardSet:
    return ForwardSet(
        always=ForwardRule(True, f"2{n:03d}", f"*7{n % 10}", "*73"),
        busy=ForwardRule(True, f"sip:vm{n}@pbx.example.com", "*90", "*91"),
        no_answer=ForwardRule(True, f"3{n:03d}", "*92", f"*9{n % 10}"),
        no_answer_rings=3 + n % 10,
    )


def golden_settings() -> Settings:
    s = Settings(sip_port=5062, tls_verify_server=False, tls_ca_file="/etc/ssl/office ca.pem")
    s.trust_ctrl = False
    s.accounts = [_account(n) for n in range(1, 17)]
    f = s.forward
    f.allowed, f.per_account, f.international, f.show_diversion = False, True, False, False
    f.phone = ForwardSet(
        ForwardRule(True, "4000", "*72", "*73"),
        ForwardRule(True, "5000", "*90", "*91"),
        ForwardRule(True, "sip:6000@pbx.example.com", "*92", "*93"),
        5,
    )
    f.accounts = {n: _forward_set(n) for n in range(1, 17)}
    f.never_forward = ["911", "112"]
    s.dnd.enabled, s.dnd.per_account, s.dnd.refuse_code = True, True, 603
    ft = s.features
    ft.call_waiting, ft.call_waiting_tone, ft.auto_answer_delay = False, False, 3
    ft.normal_refuse_code, ft.ringing_timeout, ft.ringback_timeout = 404, 90, 60
    ft.hold_mode = "rfc2543"
    ft.voice_mail_popup, ft.mail_power_led = False, False
    r = ft.redirect
    r.mode, r.max_redirects, r.block_prefixes, r.allow_sips_downgrade = (
        "ask",
        3,
        ["00", "1900"],
        True,
    )
    a = s.audio
    a.tone_country, a.custom_tones, a.ringtone = "Germany", dict(TONES), "Ring3"
    a.handset_device, a.handsfree_device, a.ringer_device = "USB Headset", "Speakers", "Dock"
    a.volume_handset, a.volume_handsfree, a.volume_ringer, a.key_tones = 3, 4, 15, False
    rm = s.remote
    rm.action_uri_enabled, rm.action_uri_port, rm.action_uri_bind_any = True, 9876, True
    rm.action_uri_allow = ["127.0.0.1", "192.0.2.*"]
    rm.action_uri_user, rm.action_uri_password, rm.action_uri_prompt = "crm", "uri-pw", False
    rm.action_urls = {e: f"http://192.0.2.50/{e}?from=$remote" for e in EVENTS}
    s.provisioning.url = "http://provisioning.example.com/t46g/"
    s.provisioning.user, s.provisioning.password = "prov", "prov-pw"
    s.provisioning.mac = "001565aabbcc"
    d = s.dialplan
    d.replace = {
        1: ReplaceRule("001(xxx)45(xx)", "9001$145$2", [1]),
        10: ReplaceRule("9([5-7])(.)", "5$2", [1, 3]),
        100: ReplaceRule("0(x.)", "$1", [16]),
    }
    d.dialnow = {
        1: DialNowRule("1xxx", [2]),
        50: DialNowRule("2xxx", [1, 2]),
        100: DialNowRule("9xx", [16]),
    }
    d.block_out = {1: BlockOutRule("1900x.", [1]), 10: BlockOutRule("4321", [2])}
    d.area_code = AreaCode("011", 4, 11, [1, 2])
    d.dialnow_delay = 3
    ic = ft.intercom
    ic.allow, ic.mute, ic.tone, ic.barge = False, True, False, True
    ic.header = "Alert-Info: Intercom"
    k = s.keys
    k.dsskey_transfer, k.direct_pickup_code, k.group_pickup_code = "attended", "*97", "*98"
    k.park_code, k.park_retrieve_code = "*68", "*88"
    s.line_keys = {
        1: LineKeySettings(15, 2, "2", "Sales", "-"),
        2: LineKeySettings(16, 3, "1005", "Bob", "*8"),
        27: LineKeySettings(13, 3, "5551234", "Taxi", "x"),
    }
    return s


def _leaves(obj: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key path, value, default) of every leaf setting of `obj` (a settings dataclass)."""
    fresh = type(obj)()
    for f in dataclasses.fields(obj):
        value, default, sub = getattr(obj, f.name), getattr(fresh, f.name), f"{path}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from _leaves(value, sub + ".")
        elif isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value):
                yield from _leaves(item, f"{sub}.{i}.")
        elif (
            isinstance(value, dict)
            and value
            and dataclasses.is_dataclass(next(iter(value.values())))
        ):
            for k, item in value.items():
                yield from _leaves(item, f"{sub}.{k}.")
        else:
            yield sub, value, default


def _without_stamp(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    assert STAMP.match(lines[1].rstrip("\n")), lines[1]
    return [lines[0], *lines[2:]]


def test_every_setting_in_the_golden_file_differs_from_its_default() -> None:
    s, report = import_cfg(GOLDEN.read_text(encoding="utf-8"))
    assert report.malformed == [] and report.refused == [] and report.unsupported == []
    same = [p for p, value, default in _leaves(s) if value == default and p != "schema"]
    assert same == []
    assert len(s.accounts) == 16 and sorted(s.forward.accounts) == list(range(1, 17))
    assert s.audio.custom_tones == TONES and set(s.remote.action_urls) == set(EVENTS)
    assert s == golden_settings()


def test_golden_settings_export_to_the_golden_file() -> None:
    text = export_cfg(golden_settings(), include_passwords=True)
    assert _without_stamp(text) == _without_stamp(GOLDEN.read_text(encoding="utf-8"))


def test_import_then_export_gives_the_golden_file_byte_for_byte() -> None:
    golden = GOLDEN.read_bytes().decode("utf-8")
    settings, _ = import_cfg(golden)
    again = export_cfg(settings, include_passwords=True)
    assert "".join(_without_stamp(again)).encode() == "".join(_without_stamp(golden)).encode()


def test_export_without_passwords_is_the_golden_file_less_its_password_lines() -> None:
    golden = _without_stamp(GOLDEN.read_text(encoding="utf-8"))
    settings, _ = import_cfg("".join(golden))
    text = _without_stamp(export_cfg(settings))
    kept = [line for line in golden if not re.match(r"^\S*password = ", line)]
    assert text[0] == kept[0] and text[1] == "# Passwords are not included.\n"
    # 16 accounts, the Action URI and the provisioning server
    assert text[2:] == kept[2:] and len(kept) == len(golden) - 18


if __name__ == "__main__":
    print(export_cfg(golden_settings(), include_passwords=True), end="")
