"""Reading received SIP messages and building headers for pjsua2 (SIP thread only)."""

from __future__ import annotations

import re
from typing import Any

import pjsua2 as pj

from app.phone import sipheaders
from app.phone.messages import CallRedirected
from app.phone.sipheaders import contacts_in, status_of
from app.phone.sipuri import parse_contacts

NAME_RE = re.compile(r'^\s*"?([^"<]*?)"?\s*<')
SDP_RE = re.compile(r"^(content-type|c)\s*:\s*application/sdp", re.IGNORECASE | re.MULTILINE)


def display_name(uri: str) -> str:
    match = NAME_RE.match(uri)
    return match.group(1).strip() if match else ""


def rx_message(prm: Any) -> str:
    """The whole received SIP message behind a call event, or '' if it was not a receive."""
    try:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return ""
        tsx = event.body.tsxState
        if tsx.type != pj.PJSIP_EVENT_RX_MSG:
            return ""
        return str(tsx.src.rdata.wholeMsg)
    except Exception:  # a missing or odd event body: callers fall back to what pjsua2 says
        return ""


INCOMING_HEADERS = {
    "diversion": "Diversion",
    "p-asserted-identity": "P-Asserted-Identity",
    "alert-info": "Alert-Info",
    "history-info": "History-Info",
    "call-info": "Call-Info",  # answer-after=0: an intercom call (app/phone/intercom.py)
}


def header_values(message: str, wanted: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Selected headers of a raw SIP message (folded lines joined), in order of appearance."""
    head = message.split("\r\n\r\n", 1)[0].replace("\r\n ", " ").replace("\r\n\t", " ")
    found = []
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if sep and key in wanted:
            found.append((wanted[key], value.strip()))
    return tuple(found)


def target_uri(prm: Any) -> str:
    try:
        return str(prm.targetUri)
    except Exception:
        return ""


def make_header(name: str, value: str) -> pj.SipHeader:
    hdr = pj.SipHeader()
    hdr.hName = name
    hdr.hValue = value
    return hdr


def redirect_of(core_id: str, msg: str, code: int, reason: str, target: str) -> CallRedirected:
    """The real status, Contacts and Diversion of a 3xx, read from the whole message;
    pjsua2's own target URI (no port, no transport) only when the message is not there."""
    if not msg:
        return CallRedirected(core_id, code, reason, tuple(parse_contacts(target)))
    status, phrase = status_of(msg)
    # Diversion is parsed by the core after the new INVITE went out (only the chain needs it)
    diversions = tuple(sipheaders.header_values(msg, "diversion"))
    return CallRedirected(
        core_id, status or code, phrase or reason, tuple(contacts_in(msg)), None, diversions
    )
