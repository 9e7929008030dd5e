"""Named checks that settings declare (`check=`): value -> "" when fine, else the reason.

The reason never names the key: the caller puts the key path (validation) or the .cfg key
(import report) in front of it.
"""

from __future__ import annotations

import re

_TONE_ELEMENT = re.compile(r"^!?\d{1,4}(\+\d{1,4}){0,3}/\d{1,5}$")
_HOST = re.compile(r"^[A-Za-z0-9._\-\[\]:]+$")
_MAC = re.compile(r"^[0-9a-f]{12}$")
_DIAL_PREFIX = re.compile(r"^[0-9*#+]+$")
_URL = re.compile(r"^https?://\S+$")
# what a key dials: a number with * # +, or a SIP user or URI (`*97`, `voicemail`, `sip:vm@pbx`)
_DIAL_TARGET = re.compile(r"^[A-Za-z0-9*#+@._:\-]+$")
DIAL_TARGET_MAX = 99  # Yealink's maxlength for voice_mail.number.X


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


def split_host_port(value: str) -> tuple[str, str]:
    """'host:port' -> (host, port); IPv6 only with brackets; port '' when absent."""
    if value.startswith("["):
        host, _, rest = value.partition("]")
        return host + "]", rest[1:] if rest.startswith(":") else ""
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, port
    return value, ""


def host_port(v: str) -> str:
    if not v:
        return ""
    host, _, port = v.rpartition(":") if v.count(":") == 1 else (v, "", "")
    if not _HOST.match(host or v):
        return f"'{v}' is not a host name or address"
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        return f"port '{port}' is out of range 1-65535"
    return ""


def host(v: str) -> str:
    return "" if not v or _HOST.match(v) else f"'{v}' is not a host name or address"


def url(v: str) -> str:
    return "" if _URL.match(v) else f"'{v}' is not an http:// or https:// URL"


def url_or_empty(v: str) -> str:
    return url(v) if v else ""


def number(v: str) -> str:
    return "" if v and not re.search(r"\s", v) else f"'{v}' is not a number"


def dial_target(v: str) -> str:
    """Empty, or something a key can dial: digits * # +, a SIP user name or URI; at most 99."""
    if not v:
        return ""
    if len(v) > DIAL_TARGET_MAX:
        return f"longer than {DIAL_TARGET_MAX} characters"
    if not _DIAL_TARGET.match(v):
        return f"'{v}' is not a number or SIP address (digits, * # +, letters, @ . : _ -)"
    return ""


def dial_prefix(v: str) -> str:
    return "" if _DIAL_PREFIX.match(v) else f"'{v}' is not a dial prefix (digits, +, *, #)"


def mac(v: str) -> str:
    return "" if not v or normalize_mac(v) else f"'{v}' is not a MAC address (12 hex digits)"


def not_blank(v: str) -> str:
    return "" if v.strip() else "an empty entry"


_HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-]{0,63}$")
_NOT_ADDED = frozenset(
    {
        "via",
        "from",
        "to",
        "call-id",
        "cseq",
        "contact",
        "content-length",
        "content-type",
        "max-forwards",
        "route",
        "record-route",
        "authorization",
        "proxy-authorization",
    }
)


def sip_header(text: str) -> str:
    """One extra SIP header 'Name: value' (an intercom header); blank: none."""
    if not text.strip():
        return ""
    name, colon, value = text.partition(":")
    if not colon or not _HEADER_NAME.match(name.strip()) or not value.strip():
        return "write the header as 'Name: value'"
    if name.strip().lower() in _NOT_ADDED:
        return f"{name.strip()} is set by the phone itself"
    if len(text) > 256 or any(not c.isprintable() for c in text):
        return "at most 256 printable characters on one line"
    return ""
