"""Turning what the user typed into a SIP request URI, the way the handset does."""

from __future__ import annotations

import re

from app.phone.sipuri import parse_uri, strip_uri_headers

# A dialled target longer than this is no address anyone types or links to: refused before it
# reaches pjsua2, the screen or the history (the handset's own dial field holds far fewer).
MAX_TARGET = 256
_SHOWN = 40  # characters of a refused target repeated on screen

_NUMBER = re.compile(r"^[0-9*#+]+$")
_SEPARATORS = re.compile(r"[\s\-.()]")
_HOSTLIKE = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")


class DialError(ValueError):
    """The text cannot be dialled; the message is shown on screen."""


def to_request_uri(target: str, domain: str | None) -> str:
    """Map a typed target to a request URI.

    `domain` is the account's domain (host[:port]); None means the embedded local account,
    which can only reach full URIs or user@host.

    Headers embedded in a URI (`sip:bob@host?Route=<...>&P-Asserted-Identity=...`) are dropped
    whatever the target came from (keypad, link, Action URI, control socket): pjsua would copy
    them into the INVITE, re-routing it or forging an identity. Redirect targets lose theirs the
    same way (strip_uri_headers).
    """
    text = target.strip()
    if not text:
        raise DialError("Empty number")
    if len(text) > MAX_TARGET:
        raise DialError(f"Address too long: {text[:_SHOWN]}...")
    lowered = text.lower()
    if lowered.startswith(("sip:", "sips:")):
        if "?" not in text:
            return text
        uri = strip_uri_headers(text)
        if parse_uri(uri) is None:
            raise DialError(f"Invalid address: {_shown(text)}")
        return uri
    if lowered.startswith("tel:"):
        number = text[4:].split(";", 1)[0]
        return _number_uri(number, domain)
    if "@" in text:
        address = text.partition("?")[0]  # user@host?headers: the headers go, as above
        user, _, host = address.partition("@")
        if not user or not host or not _HOSTLIKE.match(host):
            raise DialError(f"Invalid address: {_shown(text)}")
        return f"sip:{address}"
    if _NUMBER.match(_strip_separators(text)):
        return _number_uri(text, domain)
    if domain is None and _HOSTLIKE.match(text) and "." in text:
        return f"sip:{text}"  # an IP direct call to a host
    if domain is not None and re.match(r"^[A-Za-z0-9._\-+]+$", text):
        return f"sip:{text}@{domain}"
    raise DialError(f"Invalid address: {_shown(text)}")


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}..."


def plain_number(target: str) -> str | None:
    """The digits of a typed phone number (separators dropped); None for anything else:
    sip:/sips:/tel: URIs, user@host, names. The dial plan applies to these numbers only."""
    text = target.strip()
    if not text or text.lower().startswith(("sip:", "sips:", "tel:")) or "@" in text:
        return None
    digits = _strip_separators(text)
    return digits if _NUMBER.match(digits) else None


def _number_uri(number: str, domain: str | None) -> str:
    digits = _strip_separators(number)
    if not _NUMBER.match(digits):
        raise DialError(f"Invalid number: {_shown(number)}")
    if domain is None:
        raise DialError("No account to dial a number: use sip:user@host")
    return f"sip:{digits}@{domain}"


def _strip_separators(number: str) -> str:
    return (
        number.replace("-", "").replace(" ", "").replace(".", "").replace("(", "").replace(")", "")
    )
