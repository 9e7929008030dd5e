"""The body of a message-summary NOTIFY (RFC 3842, application/simple-message-summary). Pure.

    Messages-Waiting: yes
    Message-Account: sip:*97@pbx.example.com
    Voice-Message: 2/8 (1/0)

`parse_summary(text)` gives a `MessageSummary` or a `SummaryError` saying why the body cannot
be used; a body that cannot be used changes nothing on the screen. The rules (RFC 3842 §5.2
grammar, bounded for a hostile server):
- the body is at most `MAX_BODY` characters and `MAX_LINES` lines of printable text;
- `Messages-Waiting: yes|no` is required (names and values in any case);
- `Voice-Message: new/old [(urgent new/urgent old)]`, each count 0-`MAX_COUNT`; other message
  classes (fax, pager, text, multimedia, none) are read alike and kept apart, not counted as
  voice mail; a repeated class is an error (which one to believe?);
- `Messages-Waiting: no` with new voice messages contradicts itself: an error;
- `Messages-Waiting: yes` without a Voice-Message line: voice mail waits, count unknown;
- the optional message headers after an empty line (RFC 3842 §5.2 `opt-msg-headers`) are not
  read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BODY = 4000  # pjsip never hands over a bigger message (docs/pjsua2.md §1: 4000 bytes)
MAX_LINES = 64
MAX_LINE = 256
MAX_COUNT = 999_999  # no mailbox holds more; a bigger "count" is garbage, not a count
CLASSES = ("voice-message", "fax-message", "pager-message", "multimedia-message",
           "text-message", "none")  # fmt: skip

_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9\-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_PAIR = r"(\d{1,7})[ \t]*/[ \t]*(\d{1,7})"
_COUNTS = re.compile(rf"^{_PAIR}(?:[ \t]*\([ \t]*{_PAIR}[ \t]*\))?$")


@dataclass(frozen=True)
class Counts:
    """Message counts of one class: new/old (urgent new/old)."""

    new: int
    old: int
    urgent_new: int = 0
    urgent_old: int = 0


@dataclass(frozen=True)
class MessageSummary:
    """A parsed message-summary body (RFC 3842)."""

    waiting: bool  # Messages-Waiting
    voice: Counts | None  # None: the body gave no Voice-Message line
    account: str = ""  # Message-Account, as sent (at most MAX_LINE characters)
    others: tuple[tuple[str, Counts], ...] = ()  # the other message classes

    @property
    def new_voice(self) -> int | None:
        """New voice messages; None when voice mail waits but the server gave no count."""
        if self.voice is not None:
            return self.voice.new
        return None if self.waiting else 0


@dataclass(frozen=True)
class SummaryError:
    """Why a message-summary body was refused."""

    reason: str


def parse_summary(text: str) -> MessageSummary | SummaryError:
    if len(text) > MAX_BODY:
        return SummaryError(f"body longer than {MAX_BODY} characters")
    lines = text.replace("\r\n", "\n").split("\n")
    waiting: bool | None = None
    account = ""
    counts: dict[str, Counts] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            if waiting is not None:
                break  # the optional message headers follow: not ours to read
            continue
        if number > MAX_LINES or len(line) > MAX_LINE:
            return SummaryError(f"line {number} is past {MAX_LINES} lines or {MAX_LINE} long")
        if not line.isprintable():
            return SummaryError(f"line {number} has control characters")
        m = _HEADER.match(line)
        if m is None:
            return SummaryError(f"line {number} is not 'Name: value'")
        name, value = m.group(1).lower(), m.group(2)
        if name == "messages-waiting":
            if waiting is not None:
                return SummaryError("Messages-Waiting given twice")
            if value.lower() not in ("yes", "no"):
                return SummaryError(f"Messages-Waiting is '{value[:20]}', not yes or no")
            waiting = value.lower() == "yes"
        elif name == "message-account":
            account = value
        elif name in CLASSES:
            if name in counts:
                return SummaryError(f"{m.group(1)} given twice")
            found = _counts(value)
            if isinstance(found, SummaryError):
                return SummaryError(f"{m.group(1)}: {found.reason}")
            counts[name] = found
        # any other header line (an extension) is allowed and not read
    if waiting is None:
        return SummaryError("no Messages-Waiting line")
    voice = counts.pop("voice-message", None)
    if not waiting and voice is not None and voice.new > 0:
        return SummaryError(f"Messages-Waiting: no with {voice.new} new voice messages")
    return MessageSummary(waiting, voice, account, tuple(sorted(counts.items())))


def _counts(value: str) -> Counts | SummaryError:
    m = _COUNTS.match(value)
    if m is None:
        return SummaryError(f"'{value[:30]}' is not new/old (urgent new/urgent old)")
    numbers = [int(g) if g is not None else 0 for g in m.groups()]
    if max(numbers) > MAX_COUNT:
        return SummaryError(f"a count above {MAX_COUNT}")
    return Counts(*numbers)
