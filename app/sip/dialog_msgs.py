"""Reading the SIP messages of a BLF subscription: NOTIFYs and the answers to SUBSCRIBE.

Pure code on bytes that pjsip has already parsed (its receive path calls the dialog watch only
for messages it could read); still, a remote party wrote them, so every value is bounded and a
line that does not parse is skipped. No regular expressions over the whole head: one pass over
at most MAX_LINES header lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINES = 64
MAX_VALUE = 512
_COMPACT = {"o": "event", "f": "from", "t": "to", "v": "via", "i": "call-id"}
_URI_IN = re.compile(r"<([^>]{0,512})>")
_BRANCH = re.compile(r";\s*branch\s*=\s*([^;,\s]{1,128})", re.IGNORECASE)
_EXPIRES = re.compile(r";\s*expires\s*=\s*(\d{1,9})", re.IGNORECASE)
_REASON = re.compile(r";\s*reason\s*=\s*([A-Za-z0-9_\-]{1,40})", re.IGNORECASE)

Presentity = tuple[str, str]  # (user, host): who is monitored


@dataclass(frozen=True)
class Notify:
    """A dialog-info NOTIFY of a BLF subscription, read from the raw message."""

    call_id: str  # of the subscription's dialog
    cseq: str
    presentity: Presentity  # of the From: the monitored URI
    body: bytes
    state: str  # Subscription-State: active | pending | terminated | ...
    expires: int | None  # its expires param
    reason: str  # its reason param (terminated)


@dataclass(frozen=True)
class SubscribeAnswer:
    """The answer to one of our SUBSCRIBEs, read from the raw message."""

    call_id: str  # of the subscription's dialog
    code: int
    reason: str  # the reason phrase
    presentity: Presentity  # of the To: the monitored URI
    branch: str  # of the top Via: names the client transaction
    expires: int | None


def presentity_of(uri: str) -> Presentity:
    """(user, host) of a SIP URI or name-addr, lower-case host, without port or params."""
    found = _URI_IN.search(uri)
    text = (found.group(1) if found else uri.split(";", 1)[0]).strip()
    for scheme in ("sips:", "sip:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    user, at, host = text.partition("@")
    if not at:
        user, host = "", user
    host = host.split(";", 1)[0].split("?", 1)[0]
    if host.startswith("["):
        host = host.split("]", 1)[0] + "]"
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return user[:128], host.lower()[:128]


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    text = head.decode("utf-8", "replace").replace("\r\n ", " ").replace("\r\n\t", " ")
    rows = text.split("\r\n")
    found: dict[str, str] = {}
    for row in rows[1:MAX_LINES]:
        name, colon, value = row.partition(":")
        key = name.strip().lower()
        key = _COMPACT.get(key, key)
        if colon and key not in found:
            found[key] = value.strip()[:MAX_VALUE]
    return rows[0][:MAX_VALUE], found


def _int(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(text)
    return int(found.group(1)) if found else None


def read_notify(message: bytes) -> Notify | None:
    """A NOTIFY of the dialog event package; None for anything else."""
    head, _, body = message.partition(b"\r\n\r\n")
    first, h = _headers(head)
    if not first.startswith("NOTIFY "):
        return None
    event = h.get("event", "").split(";", 1)[0].strip().lower()
    cseq = h.get("cseq", "").split(" ", 1)[0]
    if event != "dialog" or not cseq.isdigit() or "from" not in h:
        return None
    sub_state = h.get("subscription-state", "")
    reason = _REASON.search(sub_state)
    return Notify(
        call_id=h.get("call-id", ""),
        cseq=cseq,
        presentity=presentity_of(h["from"]),
        body=body,
        state=sub_state.split(";", 1)[0].strip().lower(),
        expires=_int(_EXPIRES, sub_state),
        reason=reason.group(1).lower() if reason else "",
    )


def read_subscribe_answer(message: bytes) -> SubscribeAnswer | None:
    """A response to SUBSCRIBE; None for anything else."""
    first, h = _headers(message.partition(b"\r\n\r\n")[0])
    parts = first.split(" ", 2)
    if len(parts) < 2 or parts[0] != "SIP/2.0" or not parts[1].isdigit():
        return None
    method = h.get("cseq", "").split(" ", 1)[-1].strip().upper()
    branch = _BRANCH.search(h.get("via", ""))
    if method != "SUBSCRIBE" or "to" not in h or branch is None:
        return None
    expires = h.get("expires", "")
    return SubscribeAnswer(
        call_id=h.get("call-id", ""),
        code=int(parts[1]),
        reason=(parts[2] if len(parts) > 2 else "")[:80],
        presentity=presentity_of(h["to"]),
        branch=branch.group(1),
        expires=int(expires) if expires.isdigit() and len(expires) < 10 else None,
    )
