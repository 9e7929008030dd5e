"""Range and type checks for Settings: key path -> message naming the key.

Key paths are the dataclass attribute paths joined by dots, with list indexes and dict keys
as parts: `accounts.0.port`, `forward.accounts.1.always.target`, `audio.custom_tones.busy`.
The provisioning import maps them back to Yealink key names.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

from app.phone.dialplan_check import dialplan_errors
from app.phone.settings import Settings

MAX_ACCOUNTS = 16
REFUSE_CODES = (404, 480, 486, 603)
TRANSPORTS = ("udp", "tcp", "tls")
DTMF_MODES = ("rfc2833", "info", "inband", "both")
REDIRECT_MODES = ("auto", "ask", "never")
HOLD_MODES = ("sendonly", "rfc2543")
RINGTONES = (*(f"Ring{i}" for i in range(1, 9)), "Silent", "Splash")
# voice.tone.country values (docs/yealink.md §9); "Custom" uses audio.custom_tones.
TONE_COUNTRIES = (
    "Custom", "Australia", "Austria", "Brazil", "Belgium", "Chile", "China", "Czech", "Czech ETSI",
    "Denmark", "Finland", "France", "Germany", "Great Britain", "Greece", "Hungary", "Lithuania",
    "India", "Italy", "Japan", "Mexico", "New Zealand", "Netherlands", "Norway", "Portugal",
    "Spain", "Switzerland", "Sweden", "Russia", "United States",
)  # fmt: skip
TONE_NAMES = (
    "dial", "ring", "busy", "congestion", "callwaiting", "dialrecall", "record", "info",
    "stutter", "message", "autoanswer",
)  # fmt: skip
ACTION_URL_EVENTS = (
    "setup_completed", "registered", "unregistered", "register_failed", "off_hook", "on_hook",
    "incoming_call", "outgoing_call", "call_established", "call_terminated", "missed_call",
    "hold", "unhold", "mute", "unmute", "dnd_on", "dnd_off", "always_fwd_on", "always_fwd_off",
    "busy_fwd_on", "busy_fwd_off", "no_answer_fwd_on", "no_answer_fwd_off",
    "forward_incoming_call", "reject_incoming_call", "transfer_call", "blind_transfer_call",
    "attended_transfer_call", "transfer_finished", "transfer_failed",
)  # fmt: skip
FORWARD_TARGET_MAX = 32  # characters the handset accepts

_TONE_ELEMENT = re.compile(r"^!?\d{1,4}(\+\d{1,4}){0,3}/\d{1,5}$")
_HOST = re.compile(r"^[A-Za-z0-9._\-\[\]:]+$")
_MAC = re.compile(r"^[0-9a-f]{12}$")
_DIAL_PREFIX = re.compile(r"^[0-9*#+]+$")

Rule = Callable[[Any], str]  # returns "" when fine, else the reason (without the key)


def tone_error(text: str) -> str:
    """Yealink tone syntax: up to 8 `[!]f1[+f2..f4]/ms`, 200-7000 Hz or 0, 0-30000 ms."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or len(parts) > 8:
        return "a tone needs 1 to 8 comma-separated elements f1[+f2]/ms"
    for part in parts:
        if not _TONE_ELEMENT.match(part):
            return f"'{part}' is not of the form [!]f1[+f2[+f3[+f4]]]/ms"
        freqs, ms = part.lstrip("!").split("/")
        for f in (int(x) for x in freqs.split("+")):
            if f != 0 and not 200 <= f <= 7000:
                return f"frequency {f} Hz is outside 200-7000 (or 0 for silence)"
        if int(ms) > 30000:
            return f"duration {ms} ms is above 30000"
    return ""


def normalize_mac(text: str) -> str:
    """'00:15:65:AA:BB:CC' or '001565aabbcc' -> '001565aabbcc'; '' when not a MAC."""
    mac = re.sub(r"[:\-.\s]", "", text).lower()
    return mac if _MAC.match(mac) else ""


def _range(lo: int, hi: int) -> Rule:
    return lambda v: "" if lo <= v <= hi else f"{v} is out of range {lo}-{hi}"


def _one_of(options: tuple[Any, ...]) -> Rule:
    shown = ", ".join(str(o) for o in options)
    return lambda v: "" if v in options else f"{v!r} is not one of {shown}"


def _host_port(v: str) -> str:
    if not v:
        return ""
    host, _, port = v.rpartition(":") if v.count(":") == 1 else (v, "", "")
    if not _HOST.match(host or v):
        return f"'{v}' is not a host name or address"
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        return f"port '{port}' is out of range 1-65535"
    return ""


def _host(v: str) -> str:
    return "" if not v or _HOST.match(v) else f"'{v}' is not a host name or address"


def _url(v: str) -> str:
    return "" if re.match(r"^https?://\S+$", v) else f"'{v}' is not an http:// or https:// URL"


def _opt_url(v: str) -> str:
    return _url(v) if v else ""


def _target(v: str) -> str:
    if len(v) > FORWARD_TARGET_MAX:
        return f"is longer than {FORWARD_TARGET_MAX} characters"
    return "contains spaces" if re.search(r"\s", v) else ""


def _number_list(v: str) -> str:
    return "" if v and not re.search(r"\s", v) else f"'{v}' is not a number"


def _prefix(v: str) -> str:
    return "" if _DIAL_PREFIX.match(v) else f"'{v}' is not a dial prefix (digits, +, *, #)"


def _mac(v: str) -> str:
    return "" if not v or normalize_mac(v) else f"'{v}' is not a MAC address (12 hex digits)"


# Path patterns: `*` matches one list index or dict key.
RULES: dict[str, Rule] = {
    "sip_port": _range(0, 65535),  # 0: let the system pick a free port
    "accounts.*.port": _range(0, 65535),  # 0: as Yealink, port from DNS (SRV) / default
    "accounts.*.transport": _one_of(TRANSPORTS),
    "accounts.*.expires": _range(30, 604800),
    "accounts.*.dtmf": _one_of(DTMF_MODES),
    "accounts.*.server": _host,
    "accounts.*.outbound_proxy": _host_port,
    "forward.*.*.target": _target,
    "forward.phone.no_answer_rings": _range(0, 20),
    "forward.accounts.*.*.target": _target,
    "forward.accounts.*.no_answer_rings": _range(0, 20),
    "forward.never_forward.*": _number_list,
    "dnd.refuse_code": _one_of(REFUSE_CODES),
    "features.auto_answer_delay": _range(1, 4),
    "features.normal_refuse_code": _one_of(REFUSE_CODES),
    "features.ringing_timeout": _range(1, 3600),
    "features.ringback_timeout": _range(1, 3600),
    "features.hold_mode": _one_of(HOLD_MODES),
    "features.redirect.mode": _one_of(REDIRECT_MODES),
    "features.redirect.max_redirects": _range(0, 20),
    "features.redirect.block_prefixes.*": _prefix,
    "audio.tone_country": _one_of(TONE_COUNTRIES),
    "audio.custom_tones.*": tone_error,
    "audio.volume_handset": _range(0, 15),
    "audio.volume_handsfree": _range(0, 15),
    "audio.volume_ringer": _range(0, 15),
    "remote.action_uri_port": _range(1, 65535),
    "remote.action_uri_allow.*": lambda v: "" if v.strip() else "an empty entry",
    "remote.action_urls.*": _url,
    "provisioning.url": _opt_url,
    "provisioning.mac": _mac,
}


def _matches(pattern: str, path: str) -> bool:
    pp, kp = pattern.split("."), path.split(".")
    return len(pp) == len(kp) and all(p in ("*", k) for p, k in zip(pp, kp, strict=True))


def _type_error(value: Any, hint: Any) -> str:
    if hint is bool:
        return "" if isinstance(value, bool) else f"expected on/off (true/false), got {value!r}"
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return "" if ok else f"expected a whole number, got {value!r}"
    if hint is str:
        if not isinstance(value, str):
            return f"expected text, got {value!r}"
        if re.search(r"[\x00-\x1f]", value):
            return "contains a line break or control character"
    return ""


def _walk(obj: Any, hint: Any, path: str, out: dict[str, str]) -> None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if is_dataclass(hint):
        if not isinstance(obj, hint):  # type: ignore[arg-type]
            out[path] = f"{path}: expected a {hint.__name__} section"  # type: ignore[union-attr]
            return
        hints = typing.get_type_hints(hint)
        for f in fields(hint):
            sub = f"{path}.{f.name}" if path else f.name
            _walk(getattr(obj, f.name), hints[f.name], sub, out)
        return
    if origin is list:
        if not isinstance(obj, list):
            out[path] = f"{path}: expected a list, got {obj!r}"
            return
        for i, item in enumerate(obj):
            _walk(item, args[0], f"{path}.{i}", out)
        return
    if origin is dict:
        if not isinstance(obj, dict):
            out[path] = f"{path}: expected a mapping, got {obj!r}"
            return
        for k, item in obj.items():
            key_error = _type_error(k, args[0])
            if key_error:
                out[f"{path}.{k}"] = f"{path}.{k}: key {key_error}"
                continue
            _walk(item, args[1], f"{path}.{k}", out)
        return
    error = _type_error(obj, hint)
    if error:
        out[path] = f"{path}: {error}"
        return
    for pattern, rule in RULES.items():
        if _matches(pattern, path):
            reason = rule(obj)
            if reason:
                out[path] = f"{path}: {reason}"
            return


def _cross_checks(s: Settings, out: dict[str, str]) -> None:
    if len(s.accounts) > MAX_ACCOUNTS:
        out["accounts"] = f"accounts: at most {MAX_ACCOUNTS} accounts, got {len(s.accounts)}"
    for key in s.forward.accounts:
        if isinstance(key, int) and not 1 <= key <= MAX_ACCOUNTS:
            out[f"forward.accounts.{key}"] = (
                f"forward.accounts.{key}: account number out of range 1-{MAX_ACCOUNTS}"
            )
    sets = [("forward.phone", s.forward.phone)]
    sets += [(f"forward.accounts.{k}", v) for k, v in s.forward.accounts.items()]
    for prefix, fset in sets:
        for kind in ("always", "busy", "no_answer"):
            rule = getattr(fset, kind, None)
            path = f"{prefix}.{kind}.target"
            if rule is not None and rule.enabled and not rule.target and path not in out:
                out[path] = f"{path}: a target is needed while this forward is on"
    for name in s.audio.custom_tones:
        if isinstance(name, str) and name not in TONE_NAMES:
            path = f"audio.custom_tones.{name}"
            out[path] = f"{path}: unknown tone, known: {', '.join(TONE_NAMES)}"
    for event in s.remote.action_urls:
        if isinstance(event, str) and event not in ACTION_URL_EVENTS:
            path = f"remote.action_urls.{event}"
            out[path] = f"{path}: unknown Action URL event"
    ring = s.audio.ringtone
    if isinstance(ring, str) and ring not in RINGTONES and not ring.startswith("/"):
        out["audio.ringtone"] = (
            f"audio.ringtone: {ring!r} is not Ring1-Ring8, Silent, Splash or an absolute file path"
        )


def validate_settings(settings: Settings) -> dict[str, str]:
    """Every problem found, as key path -> message that starts with the key path."""
    out: dict[str, str] = {}
    _walk(settings, Settings, "", out)
    if not isinstance(settings, Settings):
        return out
    _cross_checks(settings, out)
    for path, message in dialplan_errors(settings.dialplan).items():
        out.setdefault(path, message)
    return out
