"""Which message-summary NOTIFYs DeskPhone accepts, and the answer to the others. Pure.

An *unsolicited* NOTIFY (out of any dialog: no To tag) is answered by pjsua with 200 before the
application hears of it, from any sender, whatever its Event header names (pjsip drops one
with an unknown package unanswered). So a pjsip module (app/sip/mwi_guard.py) first runs
`check_unsolicited` on it and answers for pjsua when it must not be taken:
- no Event header: 400 (RFC 6665 §8.2.1 makes it mandatory);
- an event package other than message-summary: 489 Bad Event, with Allow-Events;
- a sender that is not the registrar or outbound proxy of an account (the incoming policy's
  trusted servers, app/phone/incoming_policy.py): 403, and nothing on the screen changes (with
  Accept SIP Trust Server Only on, app/sip/flood_guard.py drops it unanswered before this);
- a body that is not a usable message summary (app/phone/mwi.py), or of another type: 400 / 415.
What passes is answered 200 by pjsua and reaches `Account.onMwiInfo`; the core then takes it
only from that one account's own server (app/phone/voicemail.py).

A NOTIFY inside the subscription's dialog reaches the application only through pjsip's event
subscription, which has answered 200 by then (481 for another package): a bad body there is
ignored and logged, never shown (docs/pjsua2.md §14).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.phone.mwi import SummaryError, parse_summary

MWI_EVENT = "message-summary"
MWI_TYPE = "application/simple-message-summary"
MAX_HEADERS = 64

_COMPACT = {"o": "event", "c": "content-type", "t": "to", "f": "from", "i": "call-id", "v": "via"}


@dataclass(frozen=True)
class Refusal:
    """The response that refuses an unsolicited NOTIFY."""

    code: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
    """The parts of an incoming request the MWI check reads."""

    method: str
    headers: dict[str, str]  # lower-case full names -> the first value
    body: str


def parse_request(text: str) -> Request | None:
    """The request line, first value of each header (compact names expanded) and the body;
    None when it is not a request pjsip would have parsed either."""
    head, sep, body = text.partition("\r\n\r\n")
    if not sep:
        head, sep, body = text.partition("\n\n")
    lines = head.replace("\r\n", "\n").split("\n")
    method = lines[0].split(" ", 1)[0] if lines and " " in lines[0] else ""
    if not method.isalpha():
        return None
    headers: dict[str, str] = {}
    for line in lines[1 : MAX_HEADERS + 1]:
        if line[:1] in (" ", "\t") or ":" not in line:
            continue  # folded continuations are not needed for the headers read here
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers.setdefault(_COMPACT.get(key, key), value.strip())
    return Request(method.upper(), headers, body)


def in_dialog(request: Request) -> bool:
    return bool(re.search(r";\s*tag\s*=", request.headers.get("to", ""), re.IGNORECASE))


def event_package(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def via_transport(request: Request) -> str:
    """UDP, TCP, TLS ... of the top Via ("SIP/2.0/TCP host:port;...")."""
    sent = request.headers.get("via", "").split(None, 1)[0] if request.headers.get("via") else ""
    return sent.rpartition("/")[2].upper()


def check_unsolicited(request: Request, trusted: bool) -> Refusal | None:
    """The answer to an out-of-dialog NOTIFY that must not reach pjsua; None to let it pass.
    `trusted`: it came from a registrar or outbound proxy of an account (the incoming policy's
    `trusted`, app/phone/incoming_policy.py)."""
    if "event" not in request.headers:
        return Refusal(400, "Missing Event header")
    if event_package(request.headers["event"]) != MWI_EVENT:
        return Refusal(489, "Bad Event", (("Allow-Events", MWI_EVENT),))
    if not trusted:
        return Refusal(403, "Forbidden")
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if request.body and ctype not in ("", MWI_TYPE):
        return Refusal(415, "Unsupported Media Type", (("Accept", MWI_TYPE),))
    if isinstance(parse_summary(request.body), SummaryError):
        return Refusal(400, "Bad message-summary body")
    return None
