"""What a call flow is made of: captured packets, the facts read from each, and the flow.

Every packet came off the network or was built from what did: nothing here raises on odd
bytes, and the work done on one message is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_MESSAGE = 65536  # more than pjsip accepts (4000 bytes in the wheel): a bound, not a limit
_REQUEST_RE = re.compile(r"^([A-Za-z][A-Za-z0-9.!%*_+`'~-]{0,31}) (\S{1,2048}) SIP/2\.0$")
_CSEQ_RE = re.compile(r"^\s*(\d{1,10})\s+([A-Za-z][A-Za-z0-9.!%*_+`'~-]{0,31})")
_BRANCH_RE = re.compile(r";\s*branch\s*=\s*([^;,\s]+)", re.IGNORECASE)
_TAG_RE = re.compile(r";\s*tag\s*=\s*([^;,\s>]+)", re.IGNORECASE)
_STATUS_RE = re.compile(r"^SIP/2\.0[ \t]+([1-6][0-9]{2})[ \t]*(.*)$")
MAX_LINES = 200  # header lines read; pjsip's 4000 bytes hold fewer
_NAMES = (
    ("call-id", "i"),
    ("cseq", ""),
    ("via", "v"),
    ("from", "f"),
    ("to", "t"),
    ("contact", "m"),
)
_WANTED = {name: full for full, compact in _NAMES for name in (full, compact) if name}
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
    """Read a message's start line and a few headers in one pass; never raises.

    Runs off the SIP thread but for every message, floods included: one pass over the header
    lines, no full URI parsing (a regex over the whole head was ten times slower)."""
    try:
        text = data[:MAX_MESSAGE].decode("utf-8", "backslashreplace").lstrip("\r\n")
        end = text.find("\n\r\n")
        end = end if end >= 0 else text.find("\n\n")
        lines = (text[:end] if end >= 0 else text).split("\n")
        first = lines[0].rstrip("\r")
        found: dict[str, list[str]] = {}
        last: list[str] | None = None
        for line in lines[1:MAX_LINES]:
            if line[:1] in (" ", "\t") and last:  # a folded line continues the header above
                last[-1] += " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            key = _WANTED.get(name.strip().lower())
            last = found.setdefault(key, []) if key and colon else None
            if last is not None:
                last.append(value.strip())
        cseq = _CSEQ_RE.match(_first(found.get("cseq")))
        vias = found.get("via", [])
        branch = _BRANCH_RE.search(vias[0]) if vias else None
        request = _REQUEST_RE.match(first)
        status = _STATUS_RE.match(first) if not request else None
        method = request.group(1) if request else (cseq.group(2) if cseq else "")
        return SipInfo(
            request=bool(request),
            method=method.upper(),
            code=int(status.group(1)) if status else 0,
            reason=status.group(2).strip()[:80] if status else "",
            uri=request.group(2) if request else "",
            call_id=_first(found.get("call-id"))[:256],
            cseq=int(cseq.group(1)) if cseq else 0,
            branch=branch.group(1)[:128] if branch else "",
            vias=sum(value.count(",") + 1 for value in vias),
            from_uri=_uri(found.get("from")),
            from_tag=_tag(found.get("from")),
            to_uri=_uri(found.get("to")),
            to_tag=_tag(found.get("to")),
            contact=_uri(found.get("contact")),
            via=_sent_by(vias),
        )
    except Exception:  # a garbled message is still a message: shown, just not understood
        return SipInfo()


def _first(values: list[str] | None) -> str:
    return values[0] if values else ""


def _tag(values: list[str] | None) -> str:
    found = _TAG_RE.search(values[0]) if values else None
    return found.group(1)[:128] if found else ""


def _uri(values: list[str] | None) -> str:
    """The first URI of a name-addr header value: inside <>, else up to its parameters."""
    value = _first(values)
    lt = value.find("<")
    if lt >= 0:
        gt = value.find(">", lt)
        return value[lt + 1 : gt if gt > 0 else None][:512]
    return re.split(r"[;,\s]", value.strip(), maxsplit=1)[0][:512]


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
    """One recorded call: its metadata and the SIP packets seen, in order."""

    meta: FlowMeta
    packets: list[Packet] = field(default_factory=list)
