"""Every SIP message this phone sends or receives, taken from pjsua's own message log.

Why the log and not a pjsip module of our own (docs/pjsua2.md §11): pjsua already prints each
message whole on the SIP thread, from its module just below the transport layer: a received
one right after it was read and parsed, before the transaction layer (retransmissions are seen
too), a sent one just before the transport sends it, each with its direction, transport and
the peer's address. pjsua writes that text into its log file in C (pjlog_spool.py); the SIP
thread reads it after `libHandleEvents()` returns, and capturing costs one bounded `str.find`
and, for a message, one queue put with the entry's time (pjsip's decoration, to the
millisecond): no native callback per message on the way to the wire and no struct layouts read
through ctypes. All parsing happens later, off the SIP thread (app/engine/callflow.py).

Limits of that choice, kept visible instead of hidden: pjsip cuts a log entry at 4000
characters, so a message near pjsip's own 4000-byte packet limit may be captured short
(`Packet.truncated`, from the byte count pjsip printed); and this phone's own address is not
printed: the recorder learns it from this phone's Via (for a TCP/TLS connection that is the
listening port, not the connection's own).
"""

from __future__ import annotations

import re

from app.callflow.model import MAX_MESSAGE, Packet

MARK = " bytes Re"  # "... TX 1216 bytes Request msg ..." / "... RX 379 bytes Response msg ..."
MARK_WITHIN = 200  # the mark sits after pjsip's time, sender and indent decoration
END = "\n--end msg--"
_HEAD = re.compile(
    r"(RX|TX) (\d{1,7}) bytes (?:Request|Response) msg [^\n]{0,300}? (?:from|to) "
    r"([A-Za-z0-9]{1,8}) (\[[0-9A-Fa-f:.]{1,60}\]:\d{1,5}|[0-9A-Za-z.\-]{1,255}:\d{1,5}):\r?\n"
)


def is_message(entry: str) -> bool:
    """Whether a pjsua log entry is a whole SIP message (cheap: runs on the SIP thread)."""
    return entry.find(MARK, 0, MARK_WITHIN) > 0


def parse_entry(t: float, entry: str, local: str = "") -> Packet | None:
    """The packet a message log entry holds, or None; never raises.

    `local` is this phone's "host:port" when the caller knows it.
    """
    try:
        head = _HEAD.search(entry, 0, MARK_WITHIN + 400)
        if head is None:
            return None
        size = int(head.group(2))
        body = entry[head.end() : head.end() + MAX_MESSAGE + len(END)]
        cut = body.rfind(END)
        body = body[:cut] if cut >= 0 else body.rstrip("\r\n")
        # pjsua2 turned the C string into str with surrogateescape: this gives the bytes back
        data = body.encode("utf-8", "surrogateescape")[: max(size, 0)]
        transport = head.group(3).upper()
        return Packet(
            t=t,
            sent=head.group(1) == "TX",
            transport=transport,
            local=local,
            peer=head.group(4),
            data=data,
            size=size,
        )
    except Exception:  # a log line is never worth an exception in the engine
        return None


_CALL_ID_RE = re.compile(r"^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
_CSEQ_RE = re.compile(r"^cseq[ \t]*:[ \t]*\d+[ \t]+([^\s]+)", re.IGNORECASE | re.MULTILINE)


def _header(entry: str, end: int, canonical: str, pattern: re.Pattern[str]) -> str:
    at = entry.find(canonical, 0, end)
    if at >= 0:  # the usual spelling: a plain search, no regex over the whole head
        start = at + len(canonical)
        stop = entry.find("\n", start, end)
        return entry[start : stop if stop >= 0 else end]
    found = pattern.search(entry, 0, end)
    return found.group(1) if found else ""


def quick_ids(entry: str) -> tuple[str, str]:
    """(Call-ID, CSeq method) of a message log entry, cheaply: which flow it belongs to, if
    any, is decided on these before anything else is parsed (a flood is mostly strangers)."""
    try:
        end = entry.find("\n\r\n")
        end = end if end >= 0 else min(len(entry), MAX_MESSAGE)
        call_id = _header(entry, end, "\nCall-ID: ", _CALL_ID_RE).strip()[:256]
        cseq = _header(entry, end, "\nCSeq: ", _CSEQ_RE).split()
        method = cseq[-1] if cseq else ""
        return call_id, method.upper()
    except Exception:
        return "", ""
