"""The few fields of a received request that the incoming guard needs, read from its bytes.

pjsip has already parsed the request (its receive path calls the guard only for messages it
could read), so this reads well-formed text; still, a remote party wrote it: every value is
bounded and a line that does not parse is skipped. Runs inside pjsip's receive path, on the SIP
thread, once per new request: one pass over the header lines, no regular expressions.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_VALUE = 512  # characters kept of any header value
_COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id"}
_WANTED = {"via", "from", "to", "call-id", "cseq"}
# Headers the core keeps with an incoming call (caller ID, who diverted it, ring tone):
# the same names as app/sip/sipmsg.py's INCOMING_HEADERS.
RECORDED = {
    "diversion": "Diversion",
    "p-asserted-identity": "P-Asserted-Identity",
    "alert-info": "Alert-Info",
    "history-info": "History-Info",
}


@dataclass(frozen=True)
class RequestHead:
    """The headers that identify a request, read without parsing it whole."""

    method: str
    call_id: str
    cseq: str  # the sequence number
    branch: str  # of the top Via
    transport: str  # of the top Via, upper case (UDP, TCP, TLS, ...)
    to_tag: bool  # an in-dialog request (or a stray one)
    from_value: str  # the From header without its parameters: '"Name" <sip:alice@host>'
    headers: tuple[tuple[str, str], ...] = ()  # RECORDED ones, in order


def parse_head(data: bytes) -> RequestHead | None:
    """The request's head, or None for a response or anything unreadable."""
    text = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "surrogateescape")
    lines = text.replace("\r\n ", " ").replace("\r\n\t", " ").split("\r\n")
    method, _, rest = lines[0].partition(" ")
    if not method or not rest.endswith("SIP/2.0"):
        return None
    found: dict[str, str] = {}
    recorded: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            continue
        key = name.strip().lower()
        key = _COMPACT.get(key, key)
        value = value.strip()[:MAX_VALUE]
        if key in _WANTED and key not in found:
            found[key] = value
        elif key in RECORDED and len(recorded) < 16:
            recorded.append((RECORDED[key], value))
    if not {"via", "from", "to", "call-id"} <= found.keys():
        return None
    transport, branch = _via(found["via"])
    return RequestHead(
        method=method[:32],
        call_id=found["call-id"],
        cseq=found.get("cseq", "").split(" ", 1)[0],
        branch=branch,
        transport=transport,
        to_tag=_has_tag(found["to"]),
        from_value=_without_params(found["from"]),
        headers=tuple(recorded),
    )


def _via(value: str) -> tuple[str, str]:
    """(transport, branch) of the first Via value: 'SIP/2.0/UDP host:port;branch=z9hG4bK..'."""
    first = value.split(",", 1)[0]
    sent, _, params = first.partition(";")
    protocol = sent.strip().split(None, 1)[0] if sent.strip() else ""
    transport = protocol.rpartition("/")[2].upper()
    branch = ""
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "branch":
            branch = val.strip()
    return transport, branch


def _uri_end(value: str) -> int:
    """Where the name-addr or addr-spec ends and the header's parameters begin."""
    start = 0
    if value.startswith('"'):  # a quoted display name may hold '<', '>' and ';'
        i = 1
        while i < len(value) and value[i] != '"':
            i += 2 if value[i] == "\\" else 1
        start = i + 1
    lt = value.find("<", start)
    close = value.find(">", lt) if lt >= 0 else -1
    if close >= 0:
        return close + 1
    semi = value.find(";", start)
    return semi if semi >= 0 else len(value)


def _has_tag(value: str) -> bool:
    params = value[_uri_end(value) :].lower()
    return any(p.strip().startswith("tag=") for p in params.split(";")[1:])


def _without_params(value: str) -> str:
    return value[: _uri_end(value)].strip()
