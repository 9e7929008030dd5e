"""What a call flow is made of: captured packets, the facts read from each, and the flow.

Every packet came off the network or was built from what did: nothing here raises on odd
bytes, and the work done on one message is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.phone.sipuri import header_values, parse_contacts, status_of

MAX_MESSAGE = 65536  # more than pjsip accepts (4000 bytes in the wheel): a bound, not a limit
_REQUEST_RE = re.compile(r"^([A-Za-z][A-Za-z0-9.!%*_+`'~-]{0,31}) (\S{1,2048}) SIP/2\.0$")
_CSEQ_RE = re.compile(r"^\s*(\d{1,10})\s+([A-Za-z][A-Za-z0-9.!%*_+`'~-]{0,31})")
_BRANCH_RE = re.compile(r";\s*branch\s*=\s*([^;,\s]+)", re.IGNORECASE)
_TAG_RE = re.compile(r";\s*tag\s*=\s*([^;,\s>]+)", re.IGNORECASE)
_SENT_BY_RE = re.compile(r"^\s*SIP\s*/\s*2\.0\s*/\s*[A-Za-z0-9]+\s+([^;,\s]{1,300})")
_HOSTPORT_RE = re.compile(r"^\[?([0-9A-Za-z.:_-]*?)\]?(?::(\d{1,5}))?$")


@dataclass(frozen=True)
class Packet:
    """One SIP message as this phone sent or received it."""

    t: float  # wall-clock seconds (time.time()) when pjsip handed it over
    sent: bool  # True: this phone sent it
    transport: str  # UDP, TCP, TLS ...
    local: str  # this phone's "host:port" for it ("" when not known)
    peer: str  # the other side's "host:port"
    data: bytes  # the message as on the wire (cut short when `size` is larger)
    size: int  # the length pjsip reported

    @property
    def truncated(self) -> bool:
        return len(self.data) < self.size

    @property
    def text(self) -> str:
        """The message for people: undecodable bytes shown as escapes, never dropped."""
        return self.data[:MAX_MESSAGE].decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class SipInfo:
    """The few facts of a message a ladder needs; empty strings and 0 when absent or garbled."""

    request: bool = False
    method: str = ""  # the request's method, or a response's CSeq method
    code: int = 0
    reason: str = ""
    uri: str = ""  # request-URI
    call_id: str = ""
    cseq: int = 0
    branch: str = ""  # top Via branch
    vias: int = 0
    from_uri: str = ""
    from_tag: str = ""
    to_uri: str = ""
    to_tag: str = ""
    contact: str = ""  # the first Contact's URI
    via: str = ""  # the top Via's sent-by ("host:port"), the sender of a request

    @property
    def label(self) -> str:
        """What the arrow says: the method of a request, "302 Moved Temporarily" of a response."""
        if self.request:
            return self.method or "?"
        if self.code:
            return f"{self.code} {self.reason}".strip()
        return "?"


def sip_info(data: bytes) -> SipInfo:
    """Read a message's start line and a few headers; never raises."""
    try:
        text = data[:MAX_MESSAGE].decode("utf-8", "backslashreplace")
        first = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
        cseq_text = _first(header_values(text, "cseq"))
        cseq = _CSEQ_RE.match(cseq_text)
        vias = header_values(text, "via")
        branch = _BRANCH_RE.search(vias[0]) if vias else None
        contacts = parse_contacts(_first(header_values(text, "contact")))
        request = _REQUEST_RE.match(first)
        code, reason = (0, "") if request else status_of(first)
        method = request.group(1) if request else (cseq.group(2) if cseq else "")
        return SipInfo(
            request=bool(request),
            method=method.upper(),
            code=code,
            reason=reason[:80],
            uri=request.group(2) if request else "",
            call_id=_first(header_values(text, "call-id"))[:256],
            cseq=int(cseq.group(1)) if cseq else 0,
            branch=branch.group(1)[:128] if branch else "",
            vias=sum(len([v for v in value.split(",") if v.strip()]) for value in vias),
            from_uri=_uri(header_values(text, "from")),
            from_tag=_tag(header_values(text, "from")),
            to_uri=_uri(header_values(text, "to")),
            to_tag=_tag(header_values(text, "to")),
            contact=contacts[0].uri[:512] if contacts else "",
            via=_sent_by(vias),
        )
    except Exception:  # a garbled message is still a message: shown, just not understood
        return SipInfo()


def _first(values: list[str]) -> str:
    return values[0] if values else ""


def _tag(values: list[str]) -> str:
    found = _TAG_RE.search(values[0]) if values else None
    return found.group(1)[:128] if found else ""


def _uri(values: list[str]) -> str:
    entries = parse_contacts(values[0]) if values else []
    return entries[0].uri[:512] if entries else ""


def _sent_by(vias: list[str]) -> str:
    """ "127.0.0.1:5060" from "SIP/2.0/UDP 127.0.0.1:5060;rport;branch=..."."""
    found = _SENT_BY_RE.match(vias[0]) if vias else None
    return found.group(1) if found else ""


def split_hostport(address: str) -> tuple[str, int]:
    """("127.0.0.1", 5060) from "127.0.0.1:5060", ("::1", 5060) from "[::1]:5060"."""
    if address.count(":") > 1 and not address.startswith("["):
        return address, 0  # a bare IPv6 address
    found = _HOSTPORT_RE.match(address.strip())
    if not found:
        return "", 0
    return found.group(1), int(found.group(2) or 0)


@dataclass
class FlowMeta:
    """The user call a flow belongs to, as far as the engine told."""

    flow: int  # the flow's number (its file name); what `--call-flow ID` takes
    started: float = 0.0  # wall-clock time of the first message
    call: str = ""  # the engine's call id (o1, i2 ...) in the run that recorded it
    direction: str = ""  # "out" | "in"
    remote_uri: str = ""  # where the call ended up (the last redirect target)
    original_uri: str = ""  # what was dialled, when a redirect moved the call
    state: str = ""  # the call's last state (Talking, Finished, CallFailed ...)
    code: int = 0
    reason: str = ""
    history_id: int = 0  # the call's row in the call history, once it ended
    ended: bool = False  # closed: nothing more is added
    dropped: int = 0  # messages over the flow's size cap, counted but not kept

    @property
    def running(self) -> bool:
        """The call is still going (its flow may still grow after it ended: a BYE's 200)."""
        return not self.ended and self.state not in ("Finished", "CallFailed")


@dataclass
class Flow:
    meta: FlowMeta
    packets: list[Packet] = field(default_factory=list)
