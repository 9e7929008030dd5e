"""SIP URI and header helpers for text that comes off the wire (RFC 3261, 3966, 5806, 7044).

Everything here is called from inside pjsua2 callbacks, on text a remote party chose: no function
raises, none blocks, and anything malformed is skipped (or gives None) instead of guessed at.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from urllib.parse import unquote

Params = tuple[tuple[str, str], ...]

# A remote party controls these texts: bound the work done on them.
MAX_TEXT = 65536
MAX_ENTRIES = 64

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HOSTPORT_RE = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,=]+)(?::([0-9]{1,5}))?$")
_Q_RE = re.compile(r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_NUMBER_RE = re.compile(r"^\+?[0-9*#A-Da-d\-.()/ ]+$")
_USER_RE = re.compile(r"^[A-Za-z0-9\-_.!~*'()&=+$,%]+$")
_VISUAL_SEPARATORS = str.maketrans("", "", "-.()/ ")
_URI_BAD_RE = re.compile(r'[ \t\r\n<>"]')
_DEFAULT_PORT = {"sip": 5060, "sips": 5061}


@dataclass(frozen=True)
class SipUri:
    """A parsed sip:, sips: or tel: URI."""

    scheme: str  # lower case: sip, sips or tel
    user: str  # as written (percent escapes kept); the number for tel:
    host: str  # lower case; empty for tel:
    port: int = 0  # 0 when absent
    params: Params = ()
    headers: Params = ()  # the `?name=value&...` part, never used to build a request

    def __str__(self) -> str:
        """The URI without its embedded headers."""
        userinfo = f"{self.user}@" if self.user and self.host else self.user
        port = f":{self.port}" if self.port else ""
        params = "".join(f";{k}={v}" if v else f";{k}" for k, v in self.params)
        return f"{self.scheme}:{userinfo}{self.host}{port}{params}"

    @property
    def number(self) -> str:
        """The user part unescaped and without visual separators (what a block list matches)."""
        return unquote(self.user).translate(_VISUAL_SEPARATORS)

    def key(self) -> tuple[str, str, str, int]:
        """What makes two URIs the same target: scheme, unescaped user, host, port (default
        port filled in), so `sip:Bob@X` and `sip:Bob@x:5060` compare equal."""
        port = self.port or _DEFAULT_PORT.get(self.scheme, 0)
        return (self.scheme, unquote(self.user), self.host, port)

    def param(self, name: str) -> str | None:
        return _param(self.params, name)


@dataclass(frozen=True)
class Contact:
    """One Contact of a 3xx: its URI, q-value and parameters."""

    uri: str  # as received inside <>, embedded headers included; "*" for the wildcard
    q: float = 1.0
    display: str = ""
    params: Params = ()  # header parameters (q, expires, ...), names in lower case

    @property
    def is_wildcard(self) -> bool:
        return self.uri == "*"

    def param(self, name: str) -> str | None:
        return _param(self.params, name)


@dataclass(frozen=True)
class Diversion:
    """One Diversion header entry (RFC 5806)."""

    uri: str
    reason: str = ""  # lower case, e.g. unconditional, user-busy, no-answer
    counter: int = 1
    display: str = ""
    params: Params = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One History-Info header entry (RFC 7044)."""

    uri: str  # without embedded headers
    index: str = ""
    cause: int = 0  # from the embedded Reason header or the RFC 4458 `cause` URI parameter
    reason_text: str = ""
    params: Params = ()


def _param(params: Params, name: str) -> str | None:
    return next((value for key, value in params if key == name.lower()), None)


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside quoted strings and angle brackets; an unbalanced part is kept
    whole so the caller can reject it."""
    if '"' not in text and ("<" not in text or _plain_angles(text, sep)):
        return text.split(sep)[:MAX_ENTRIES]  # nothing to skip over (most values): 10x faster
    parts: list[str] = []
    start = angle = 0
    quoted = escaped = False
    for i, ch in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "<":
            angle += 1
        elif ch == ">" and angle:
            angle -= 1
        elif ch == sep and not angle:
            parts.append(text[start:i])
            start = i + 1
            if len(parts) >= MAX_ENTRIES:
                return parts
    parts.append(text[start:])
    return parts


_ANGLES_RE = re.compile(r"(?:[^<>]*<[^<>]*>)*[^<>]*")


def _plain_angles(text: str, sep: str) -> bool:
    """`<...>` pairs, not nested, none holding `sep`: splitting on `sep` keeps them whole."""
    return _ANGLES_RE.fullmatch(text) is not None and not any(
        sep in part.partition(">")[0] for part in text.split("<")[1:]
    )


def _unquote_value(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_params(text: str) -> Params:
    """`;a=1;b;c="x;y"` into (("a", "1"), ("b", ""), ("c", "x;y")): names lower case."""
    if not text:
        return ()
    out: list[tuple[str, str]] = []
    for part in _split_top(text, ";"):
        name, _, value = part.partition("=")
        name = name.strip().lower()
        if name:
            out.append((name, _unquote_value(value)))
    return tuple(out)


def _parse_uri_headers(text: str) -> Params:
    if not text:
        return ()
    out: list[tuple[str, str]] = []
    for part in text.split("&")[:MAX_ENTRIES]:
        name, _, value = part.partition("=")
        if name.strip():
            out.append((unquote(name.strip()), unquote(value)))
    return tuple(out)


def parse_uri(text: str) -> SipUri | None:
    """Parse a sip:, sips: or tel: URI (with or without <>); None when it is not one."""
    try:
        return _parse_uri(text)
    except Exception:  # a parser bug must never reach pjsua2
        return None


def _parse_uri(text: str) -> SipUri | None:
    text = text.strip()[:MAX_TEXT]
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    match = _SCHEME_RE.match(text)
    if not match or _URI_BAD_RE.search(text):
        return None
    scheme = match.group(1).lower()
    rest = text[match.end() :]
    if scheme == "tel":
        number, _, params = rest.partition(";")
        if not number or not _NUMBER_RE.match(number):
            return None
        return SipUri("tel", number, "", 0, parse_params(params))
    if scheme not in ("sip", "sips"):
        return None
    at = rest.find("@")
    qmark = rest.find("?")
    user = ""
    if at >= 0 and (qmark < 0 or qmark > at):
        user, rest = rest[:at], rest[at + 1 :]
        user = user.partition(":")[0]  # a password never leaves this function
        if not user:
            return None
    rest, _, headers = rest.partition("?")
    hostport, _, params = rest.partition(";")
    match = _HOSTPORT_RE.match(hostport)
    port = int(match.group(2) or 0) if match else -1
    if match is None or not 0 <= port < 65536 or match.group(2) == "0":
        return None
    host = match.group(1).lower()
    return SipUri(scheme, user, host, port, parse_params(params), _parse_uri_headers(headers))


def strip_uri_headers(uri: str) -> str:
    """The URI without its `?headers` part (and without <>): they are never acted upon."""
    parsed = parse_uri(uri)
    if parsed is not None:
        return str(parsed)
    text = uri.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    return text.partition("?")[0].strip()


def _parse_name_addr(entry: str) -> tuple[str, str, Params] | None:
    """One `"Name" <uri>;params` or `uri;params` entry into (display, uri, params)."""
    text = entry.strip()
    if not text:
        return None
    display = ""
    if text[0] == '"':
        i, chars = 1, []
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            chars.append(text[i])
            i += 1
        if i >= len(text):
            return None  # unterminated quoted string
        display, text = "".join(chars), text[i + 1 :].lstrip()
        if not text.startswith("<"):
            return None
    lt = text.find("<")
    if lt >= 0:
        if not display:
            display = text[:lt].strip()
            if '"' in display:
                return None
        gt = text.find(">", lt)
        if gt < 0:
            return None
        uri, params = text[lt + 1 : gt].strip(), text[gt + 1 :].strip()
        if params and not params.startswith(";"):
            return None
    else:
        # Without <> the parameters belong to the header, not to the URI (RFC 3261 §20.10).
        uri, _, params = text.partition(";")
        uri = uri.strip()
        if any(ch in uri for ch in ' \t"?>'):
            return None
    if not uri:
        return None
    return display, uri, parse_params(params)


def _parse_q(value: str | None) -> float:
    if value is None or not _Q_RE.match(value.strip()):
        return 1.0
    q = float(value)
    return q if math.isfinite(q) and 0.0 <= q <= 1.0 else 1.0


def _entries(value: str) -> list[tuple[str, str, Params]]:
    """The well-formed (display, uri, params) entries of a comma-separated header value."""
    try:
        parts = _split_top(value[:MAX_TEXT], ",")
        return [e for e in map(_parse_name_addr, parts) if e is not None]
    except Exception:
        return []


def parse_contacts(value: str) -> list[Contact]:
    """All Contacts of one header value (several may share it); malformed entries are skipped."""
    if value.strip() == "*":
        return [Contact("*")]
    return [Contact(u, _parse_q(_param(p, "q")), d, p) for d, u, p in _entries(value) if u != "*"]


def _parse_int(value: str | None, default: int) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 6 else default


def parse_diversion(value: str) -> list[Diversion]:
    """RFC 5806 Diversion entries, most recent first as they are written."""
    out: list[Diversion] = []
    for display, uri, params in _entries(value):
        reason = (_param(params, "reason") or "").lower()
        counter = _parse_int(_param(params, "counter"), 1)
        out.append(Diversion(strip_uri_headers(uri), reason, counter, display, params))
    return out


def parse_history_info(value: str) -> list[HistoryEntry]:
    """RFC 7044 History-Info entries: the target, its index and the cause that ended it."""
    out: list[HistoryEntry] = []
    for _display, uri, params in _entries(value):
        sip = parse_uri(uri)
        cause, text = 0, ""
        if sip is not None:
            cause = _parse_int(sip.param("cause"), 0)
            for name, header in sip.headers:
                if name.lower() == "reason":
                    reason_params = parse_params(header.partition(";")[2])
                    cause = _parse_int(_param(reason_params, "cause"), cause)
                    text = _param(reason_params, "text") or ""
        out.append(
            HistoryEntry(strip_uri_headers(uri), _param(params, "index") or "", cause, text, params)
        )
    return out


def normalise_target(target: str, domain: str, secure: bool = False) -> str:
    """A dialable SIP URI for `target`: sip:/sips: URIs as they are (headers dropped), a tel:
    URI, a bare number or user name as `sip:NUMBER@domain` (sips: when `secure`), `user@host`
    as `sip:user@host`; empty when there is nothing to dial (or a number and no domain)."""
    uri = normalise_uri(target, domain, secure)
    return str(uri) if uri is not None else ""


def normalise_uri(target: str, domain: str, secure: bool = False) -> SipUri | None:
    """`normalise_target` parsed (its str() is the target, embedded headers dropped): for
    callers that look inside it, so the text is not parsed a second time."""
    uri = _normalise(target, domain, secure)
    return replace(uri, headers=()) if uri is not None and uri.headers else uri


def _normalise(target: str, domain: str, secure: bool) -> SipUri | None:
    try:
        text = target.strip()[:MAX_TEXT]
        scheme = "sips" if secure else "sip"
        parsed = parse_uri(text)
        if parsed is not None and parsed.scheme in ("sip", "sips"):
            return parsed
        if parsed is not None and parsed.scheme == "tel":
            number = parsed.number
        elif _SCHEME_RE.match(text):
            return None  # some other scheme (http:, mailto:, ...) or a broken URI: not dialable
        elif "@" in text:
            return parse_uri(f"{scheme}:{text}")
        elif _NUMBER_RE.match(text):
            number = text.translate(_VISUAL_SEPARATORS)
        elif _USER_RE.match(text):
            number = text
        else:
            return None
        host = domain.strip()
        if not number or not host:
            return None
        return parse_uri(f"{scheme}:{number.replace('#', '%23')}@{host}")
    except Exception:
        return None
