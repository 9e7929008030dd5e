"""Which message-summary NOTIFYs DeskPhone accepts, and the answer to the others. Pure.

An *unsolicited* NOTIFY (out of any dialog: no To tag) is answered by pjsua with 200 before the
application hears of it, from any sender, whatever its Event header names (pjsip drops one
with an unknown package unanswered). So a pjsip module (app/sip/mwi_guard.py) first runs
`check_unsolicited` on it and answers for pjsua when it must not be taken:
- no Event header: 400 (RFC 6665 §8.2.1 makes it mandatory);
- an event package other than message-summary: 489 Bad Event, with Allow-Events;
- a sender that is not the registrar or outbound proxy of an account (`MwiTrust`): 403, and
  nothing on the screen changes;
- a body that is not a usable message summary (app/phone/mwi.py), or of another type: 400 / 415.
What passes is answered 200 by pjsua and reaches `Account.onMwiInfo`, where the sender is
checked again against that one account (app/sip/mwi.py).

A NOTIFY inside the subscription's dialog reaches the application only through pjsip's event
subscription, which has answered 200 by then (481 for another package): a bad body there is
ignored and logged, never shown (docs/pjsua2.md §14).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.phone.mwi import SummaryError, parse_summary

MWI_EVENT = "message-summary"
MWI_TYPE = "application/simple-message-summary"
MAX_HEADERS = 64

_COMPACT = {"o": "event", "c": "content-type", "t": "to", "f": "from", "i": "call-id"}


@dataclass(frozen=True)
class Refusal:
    code: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
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


def source_host(address: str) -> str:
    """'127.0.0.2:5060' or '[::1]:5060' (pjsip's way) -> the address alone, '' if none."""
    host = address.strip()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return ""


@dataclass
class MwiTrust:
    """The hosts each account takes voice mail news from: its registrar and outbound proxy,
    as configured (their addresses) and as seen (where its REGISTER answers came from)."""

    hosts: dict[int, set[str]] = field(default_factory=dict)

    def set_account(self, index: int, addresses: Iterable[str]) -> None:
        self.hosts[index] = {a for a in (source_host(x) or x for x in addresses) if a}

    def learn(self, index: int, address: str) -> None:
        host = source_host(address)
        if host and index in self.hosts:
            self.hosts[index].add(host)

    def clear(self) -> None:
        self.hosts.clear()

    def allows(self, index: int, address: str) -> bool:
        host = source_host(address)
        return bool(host) and host in self.hosts.get(index, set())

    def allows_any(self, address: str) -> bool:
        return any(self.allows(index, address) for index in self.hosts)


def check_unsolicited(request: Request, source: str, trust: MwiTrust) -> Refusal | None:
    """The answer to an out-of-dialog NOTIFY that must not reach pjsua; None to let it pass."""
    if "event" not in request.headers:
        return Refusal(400, "Missing Event header")
    if event_package(request.headers["event"]) != MWI_EVENT:
        return Refusal(489, "Bad Event", (("Allow-Events", MWI_EVENT),))
    if not trust.allows_any(source):
        return Refusal(403, "Forbidden")
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if request.body and ctype not in ("", MWI_TYPE):
        return Refusal(415, "Unsupported Media Type", (("Accept", MWI_TYPE),))
    if isinstance(parse_summary(request.body), SummaryError):
        return Refusal(400, "Bad message-summary body")
    return None
