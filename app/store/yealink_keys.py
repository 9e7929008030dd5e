"""The map between Yealink provisioning keys and Settings key paths, used both ways.

Keys are Yealink's own (docs/yealink.md §7). Settings a Yealink phone has no key for are written
under `deskphone.*` (a Yealink phone ignores them), so an export re-imports to the same
settings. Accounts are `account.1` to `account.16` in files and `accounts.0` to
`accounts.15` in Settings; `forward.accounts` is keyed 1-based like account.X (and the phone core).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.store.validate import MAX_ACCOUNTS, RINGTONES

HEADER = "#!version:1.0.0.1"
NULL = "%NULL%"


def split_host_port(value: str) -> tuple[str, str]:
    """'host:port' -> (host, port); IPv6 only with brackets; port '' when absent."""
    if value.startswith("["):
        host, _, rest = value.partition("]")
        return host + "]", rest[1:] if rest.startswith(":") else ""
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, port
    return value, ""


@dataclass(frozen=True)
class Codec:
    name: str
    decode: Callable[[str], Any]  # raises ValueError with the reason
    encode: Callable[[Any], str]


def _bool(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"expected 0 or 1, got '{text}'")
    return text == "1"


def _int(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ValueError(f"expected a whole number, got '{text}'")
    return int(text)


def _enum(table: dict[str, str], what: str) -> Codec:
    back = {v: k for k, v in table.items()}

    def decode(text: str) -> str:
        if text not in table:
            options = ", ".join(f"{k} ({v})" for k, v in table.items())
            raise ValueError(f"'{text}' is not a supported {what}: {options}")
        return table[text]

    return Codec(what, decode, lambda v: back[v])


def _ring_decode(text: str) -> str:
    name = text.removeprefix("Resource:")
    stem = name[:-4] if name.lower().endswith(".wav") else name
    return stem if stem in RINGTONES else text


def _ring_encode(value: str) -> str:
    return f"Resource:{value}.wav" if value in RINGTONES else value


BOOL = Codec("0/1", _bool, lambda v: "1" if v else "0")
INT = Codec("number", _int, str)
STR = Codec("text", lambda t: t, str)
LIST = Codec("list", lambda t: [p.strip() for p in t.split(",") if p.strip()], ",".join)
TRANSPORT = _enum({"0": "udp", "1": "tcp", "2": "tls"}, "transport")
DTMF = _enum({"0": "inband", "1": "rfc2833", "2": "info", "3": "both"}, "DTMF type")
HOLD = _enum({"0": "sendonly", "1": "rfc2543"}, "hold method")
RING = Codec("ringtone", _ring_decode, _ring_encode)


@dataclass(frozen=True)
class KeySpec:
    key: str  # concrete Yealink key, e.g. account.2.sip_server.1.port
    path: str  # Settings key path, e.g. accounts.1.port
    codec: Codec
    account: int = -1  # 0-based account the key belongs to, -1 for phone-wide keys
    forward: bool = False  # belongs to forward.accounts[account]
    secret: bool = False


GLOBAL: list[tuple[str, str, Codec]] = [
    ("sip.listen_port", "sip_port", INT),
    # Yealink's "Only Accept Trusted Certificates". Its CA choice (`security.ca_cert`: default,
    # custom or all certificates) and the custom CA upload (`trusted_certificates.url`) carry
    # no local file, so DeskPhone's CA file goes under its own key.
    ("security.trust_certificates", "tls_verify_server", BOOL),
    ("deskphone.tls.ca_file", "tls_ca_file", STR),
    ("features.fwd.allow", "forward.allowed", BOOL),
    ("features.fwd_mode", "forward.per_account", BOOL),
    ("forward.international.enable", "forward.international", BOOL),
    ("features.fwd_diversion_enable", "forward.show_diversion", BOOL),
    # forward.* rules are added below; the emergency pair is a combination (yealink_cfg)
    ("features.dnd.enable", "dnd.enabled", BOOL),
    ("features.dnd_mode", "dnd.per_account", BOOL),
    ("features.dnd_refuse_code", "dnd.refuse_code", INT),
    ("features.normal_refuse_code", "features.normal_refuse_code", INT),
    ("features.auto_answer_delay", "features.auto_answer_delay", INT),
    ("call_waiting.enable", "features.call_waiting", BOOL),
    ("call_waiting.tone", "features.call_waiting_tone", BOOL),
    ("phone_setting.ringing_timeout", "features.ringing_timeout", INT),
    ("phone_setting.ringback_timeout", "features.ringback_timeout", INT),
    ("sip.rfc2543_hold", "features.hold_mode", HOLD),
    ("deskphone.redirect.mode", "features.redirect.mode", STR),
    ("deskphone.redirect.max_redirects", "features.redirect.max_redirects", INT),
    ("deskphone.redirect.block_prefixes", "features.redirect.block_prefixes", LIST),
    ("deskphone.redirect.allow_sips_downgrade", "features.redirect.allow_sips_downgrade", BOOL),
    ("voice.tone.country", "audio.tone_country", STR),
    ("phone_setting.ring_type", "audio.ringtone", RING),
    ("deskphone.audio.handset_device", "audio.handset_device", STR),
    ("deskphone.audio.handsfree_device", "audio.handsfree_device", STR),
    ("deskphone.audio.ringer_device", "audio.ringer_device", STR),
    ("deskphone.audio.volume_handset", "audio.volume_handset", INT),
    ("deskphone.audio.volume_handsfree", "audio.volume_handsfree", INT),
    ("deskphone.audio.volume_ringer", "audio.volume_ringer", INT),
    ("deskphone.audio.key_tones", "audio.key_tones", BOOL),
    ("features.action_uri.enable", "remote.action_uri_enabled", BOOL),
    ("features.action_uri_limit_ip", "remote.action_uri_allow", LIST),
    ("features.show_action_uri_option", "remote.action_uri_prompt", BOOL),
    ("deskphone.action_uri.port", "remote.action_uri_port", INT),
    ("deskphone.action_uri.bind_any", "remote.action_uri_bind_any", BOOL),
    ("deskphone.action_uri.user", "remote.action_uri_user", STR),
    ("deskphone.action_uri.password", "remote.action_uri_password", STR),
    ("static.auto_provision.server.url", "provisioning.url", STR),
    ("deskphone.provisioning.mac", "provisioning.mac", STR),
]
SECRET_KEYS = {"deskphone.action_uri.password"}

ACCOUNT: list[tuple[str, str, Codec]] = [
    ("enable", "enabled", BOOL),
    ("label", "label", STR),
    ("display_name", "display_name", STR),
    ("auth_name", "auth_name", STR),
    ("user_name", "user", STR),
    ("password", "password", STR),
    ("sip_server.1.address", "server", STR),
    ("sip_server.1.port", "port", INT),
    ("sip_server.1.transport_type", "transport", TRANSPORT),
    ("sip_server.1.expires", "expires", INT),
    ("auto_answer", "auto_answer", BOOL),
    ("dnd.enable", "dnd", BOOL),
    ("dtmf.type", "dtmf", DTMF),
]
# account.X.outbound_proxy_enable/outbound_host/outbound_port make accounts.i.outbound_proxy
PROXY_KEYS = ("outbound_proxy_enable", "outbound_host", "outbound_port")
EMERGENCY_ENABLE = "features.forward.emergency.enable"
EMERGENCY_NUMBERS = "features.forward.emergency.authorized_number"

RULE_FIELDS = [("enable", "enabled", BOOL), ("target", "target", STR)]
RULE_FIELDS += [("on_code", "on_code", STR), ("off_code", "off_code", STR)]
PHONE_RULES = [("always", "always"), ("busy", "busy"), ("no_answer", "no_answer")]
ACCOUNT_RULES = [("always_fwd", "always"), ("busy_fwd", "busy"), ("timeout_fwd", "no_answer")]

# Dict-valued settings: `<prefix><name>` for each allowed name.
DICT_KEYS = [("voice.tone.", "audio.custom_tones"), ("action_url.", "remote.action_urls")]
DIRECTORY_URL_KEY = "local_contact.data.url"


def _build() -> dict[str, KeySpec]:
    table: dict[str, KeySpec] = {}

    def add(spec: KeySpec) -> None:
        table[spec.key] = spec

    for key, path, codec in GLOBAL:
        add(KeySpec(key, path, codec, secret=key in SECRET_KEYS))
    for yk, attr in PHONE_RULES:
        for field_key, field_attr, codec in RULE_FIELDS:
            add(KeySpec(f"forward.{yk}.{field_key}", f"forward.phone.{attr}.{field_attr}", codec))
    add(KeySpec("forward.no_answer.timeout", "forward.phone.no_answer_rings", INT))
    for i in range(MAX_ACCOUNTS):
        n = i + 1
        for suffix, attr, codec in ACCOUNT:
            key = f"account.{n}.{suffix}"
            add(KeySpec(key, f"accounts.{i}.{attr}", codec, i, secret=suffix == "password"))
        add(KeySpec(f"deskphone.account.{n}.realm", f"accounts.{i}.realm", STR, i))
        for yk, attr in ACCOUNT_RULES:
            for field_key, field_attr, codec in RULE_FIELDS:
                key = f"account.{n}.{yk}.{field_key}"
                add(KeySpec(key, f"forward.accounts.{n}.{attr}.{field_attr}", codec, i, True))
        path = f"forward.accounts.{n}.no_answer_rings"
        add(KeySpec(f"account.{n}.timeout_fwd.timeout", path, INT, i, True))
    return table


KEYS: dict[str, KeySpec] = _build()
