"""Keeping web pages out of Action URI: DNS rebinding, cross-site requests, browser callers.

A page in the user's browser can make the browser send GET requests to 127.0.0.1 (an image,
a form, fetch). Three defences, in this order:

- Host: a page that rebinds its own name to 127.0.0.1 still sends `Host: its.name`; only the
  address the client connected to (an IP literal, the socket's local address) or `localhost`
  on a loopback connection is accepted, with our port or none. No browser omits Host, so a
  request without one (an HTTP/1.0 tool) is let through to the other checks.
- Cross-site: browsers mark requests a page makes with `Origin` (anything but our own origin,
  or `null`, is refused) and `Sec-Fetch-Site` (only `same-origin` and `none`, a URL the user
  typed or bookmarked, are let through).
- The prompt: a request that looks like it comes from a browser (Origin, Referer, any
  Sec-Fetch-* header, or a `Mozilla/` User-Agent) is asked about every time, so one "Yes" to a
  dialler program on 127.0.0.1 never admits pages of the browser on the same address (an old
  browser sends none of the headers above from an https page to http://127.0.0.1).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

# Lower-case header names the checks read; the server collects them (and only them).
WEB_HEADERS: Final = (
    "host",
    "origin",
    "referer",
    "user-agent",
    "sec-fetch-site",
    "sec-fetch-mode",
    "sec-fetch-dest",
)
_ALLOWED_FETCH_SITES: Final = frozenset({"same-origin", "none"})


def split_host(value: str) -> tuple[str, int | None] | None:
    """`host[:port]` or `[v6]:port` of a Host header or origin; None when malformed."""
    text = value.strip()
    if not text or any(c.isspace() or ord(c) < 0x20 for c in text):
        return None
    try:
        parts = urlsplit("//" + text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or parts.path or parts.query or parts.fragment or parts.username is not None:
        return None
    return host.lower(), port


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def host_matches(host: str, port: int | None, local_ip: str, server_port: int) -> bool:
    """Is `host[:port]` the address this connection reached (never a name but localhost)?"""
    # A browser always writes a port other than 80; some HTTP tools leave it out, and an IP
    # literal without one cannot come from a rebound name.
    if port is not None and port != server_port:
        return False
    if host == "localhost":
        return _is_loopback(local_ip)
    try:
        return ipaddress.ip_address(host.strip("[]")) == ipaddress.ip_address(local_ip)
    except ValueError:
        return False  # a name: exactly what DNS rebinding sends


def web_refusal(headers: Mapping[str, str], local_ip: str, server_port: int) -> str | None:
    """Why a request must be refused as coming from a web page (for the 403), or None.

    `headers` maps lower-case names to values; a name sent twice arrives as "\\n"-joined.
    """
    host = headers.get("host")
    if host is not None:
        if "\n" in host:
            return "more than one Host header"
        parsed = split_host(host)
        if parsed is None or not host_matches(*parsed, local_ip, server_port):
            return "Host is not this phone's address (DNS rebinding?)"
    origin = headers.get("origin")
    if origin is not None and not _same_origin(origin, local_ip, server_port):
        return "cross-site request (Origin)"
    site = headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in _ALLOWED_FETCH_SITES:
        return "cross-site request (Sec-Fetch-Site)"
    return None


def _same_origin(origin: str, local_ip: str, server_port: int) -> bool:
    text = origin.strip()
    if "\n" in text or text.lower() == "null":
        return False
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() != "http":
        return False
    parsed = split_host(rest)
    if parsed is None:
        return False
    host, port = parsed
    return host_matches(host, port if port is not None else 80, local_ip, server_port)


def from_browser(headers: Mapping[str, str]) -> bool:
    """True when a browser (rather than a dialler program or script) sent the request."""
    if any(name in headers for name in ("origin", "referer")):
        return True
    if any(name.startswith("sec-fetch-") for name in headers):
        return True
    return "mozilla/" in headers.get("user-agent", "").lower()
