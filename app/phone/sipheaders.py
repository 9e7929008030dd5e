"""Reading a raw SIP message's headers: the values of one header (compact forms, folded
lines), the status line, and the Contact, Diversion and History-Info entries in it (parsed by
sipuri.py). On the SIP thread inside `onCallRedirected`, before the new INVITE: kept lean."""

from __future__ import annotations

import re
from functools import lru_cache

from app.phone.sipuri import (
    MAX_TEXT,
    Contact,
    Diversion,
    HistoryEntry,
    parse_contacts,
    parse_diversion,
    parse_history_info,
)

_STATUS_RE = re.compile(r"^SIP/2\.0[ \t]+([1-6][0-9]{2})[ \t]*(.*)$")

# RFC 3261 §7.3.3 and later RFCs' compact header names.
_COMPACT = {
    "m": "contact", "f": "from", "t": "to", "i": "call-id", "v": "via", "l": "content-length",
    "c": "content-type", "e": "content-encoding", "s": "subject", "k": "supported",
    "o": "event", "u": "allow-events", "r": "refer-to", "b": "referred-by", "x": "session-expires",
    "a": "accept-contact", "j": "reject-contact", "d": "request-disposition",
}  # fmt: skip


def header_values(message: str, name: str) -> list[str]:
    """Every value of header `name` (full or compact form, any case) in a raw SIP message,
    folded lines joined, in message order; the body is not searched."""
    try:
        # One regex pass over the head (the SIP thread reads each 3xx with it): the header's
        # lines with the folded lines that follow them.
        found = _header_pattern(name.strip().lower()).finditer(_head(message))
        return [" ".join(part.strip() for part in m.group(1).split("\n")) for m in found]
    except Exception:
        return []


@lru_cache(maxsize=2)  # a 3xx's Contact and Diversion are read from one message in a row
def _head(message: str) -> str:
    """The header lines of a raw message, line ends made `\n`, the start line and body cut."""
    text = message[:MAX_TEXT].lstrip("\r\n")  # a keep-alive CRLF may lead the message
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.find("\n")  # the start line is no header
    if first < 0:
        return ""
    blank = _BLANK_LINE.search(text, first)
    return text[first + 1 : blank.start() + 1 if blank else len(text)]


_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")


@lru_cache(maxsize=32)
def _header_pattern(name: str) -> re.Pattern[str]:
    full = _COMPACT.get(name, name)
    names = "|".join(re.escape(n) for n in (full, *(c for c, f in _COMPACT.items() if f == full)))
    return re.compile(rf"^(?:{names})[ \t]*:(.*(?:\n[ \t][^\n]*)*)", re.M | re.I)


def status_of(message: str) -> tuple[int, str]:
    """(code, reason phrase) of a raw SIP response; (0, "") for a request or garbage."""
    match = _STATUS_RE.match(message[:1024].lstrip("\r\n").split("\n", 1)[0].rstrip("\r"))
    return (int(match.group(1)), match.group(2).strip()) if match else (0, "")


def contacts_in(message: str) -> list[Contact]:
    return [c for value in header_values(message, "contact") for c in parse_contacts(value)]


def diversion_in(message: str) -> Diversion | None:
    """The most recent diversion (the top-most Diversion entry), if any."""
    return diversion_of(header_values(message, "diversion"))


def diversion_of(values: list[str] | tuple[str, ...]) -> Diversion | None:
    """The top-most Diversion entry of these header values, if any."""
    for value in values:
        entries = parse_diversion(value)
        if entries:
            return entries[0]
    return None


def history_info_in(message: str) -> list[HistoryEntry]:
    return [
        h for value in header_values(message, "history-info") for h in parse_history_info(value)
    ]
