"""Links handed to DeskPhone by the desktop (sip:, sips:, tel:, callto:) made dialable.

The result is what a user could have typed on the keypad: a full sip:/sips: URI, or a number
(a tel: number is dialled as a number, so it goes through the account's domain).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

SCHEMES = ("sip", "sips", "tel", "callto")
_VISUAL = re.compile(r"[\s\-.()]")  # RFC 3966 visual separators
_NUMBER = re.compile(r"^\+?[0-9*#]+$")
_USERHOST = re.compile(r"^[^\s@<>\"]+@[A-Za-z0-9.\-\[\]:]+$")
_SIPURI = re.compile(r"^sips?:[^\s<>\"]+$", re.IGNORECASE)


def is_link(text: str) -> bool:
    """True if the text starts with one of the handled schemes."""
    scheme, colon, _ = text.strip().partition(":")
    return bool(colon) and scheme.lower() in SCHEMES


def normalise(link: str) -> str | None:
    """The dial target for a desktop link or a typed target; None if it cannot be dialled."""
    text = link.strip()
    if not text or any(ord(c) < 32 for c in text):
        return None
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in SCHEMES:
        return text  # a plain number or user@host: the dialler decides
    rest = rest.removeprefix("//")  # browsers sometimes hand "sip://bob@host"
    if scheme in ("sip", "sips"):
        uri = f"{scheme}:{rest}"  # percent-escapes are valid in SIP URIs: keep them
        return uri if _SIPURI.match(uri) and len(rest) > 0 else None
    if scheme == "tel":
        return _number(rest.split(";", 1)[0])
    return _callto(unquote(rest))


def _number(text: str) -> str | None:
    digits = _VISUAL.sub("", unquote(text))
    return digits if _NUMBER.match(digits) else None


def _callto(rest: str) -> str | None:
    """callto: carries a number, user@host, or a nested sip:/tel: URI (Skype-style links)."""
    rest = rest.split("?", 1)[0].strip()
    if is_link(rest) and not rest.lower().startswith("callto:"):
        return normalise(rest)
    if _USERHOST.match(rest):
        return f"sip:{rest}"
    return _number(rest.split(";", 1)[0])
