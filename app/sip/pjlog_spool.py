"""pjsip's level-4 log (every SIP message) written by pjsua in C, read after each loop turn.

Why not the Python LogWriter for these lines (docs/pjsua2.md §7, §11): pjsua's `log_writer`
(pjproject `pjsip/src/pjsua-lib/pjsua_core.c:718`) writes every line up to `LogConfig.level`
to `LogConfig.filename` in C and calls the application's writer only for lines up to
`consoleLevel`. A redirect logs about ten lines between the 302 arriving and the next INVITE
leaving (the 302, its ACK, `makeCall()`'s media set-up, the INVITE itself); through a Python
writer each one retook the GIL and built a LogEntry on the way to the wire.

So pjsua writes them into this spool (0600, in the private logs directory) with stdio
buffering: nothing reaches the disk or Python until the SIP thread, after `libHandleEvents()`
returned, flushes libc's streams (`fflush(NULL)`) and reads what is new. The spool is emptied
once it has grown past SPOOL_MAX (opened in append mode, so pjsua's next line lands at 0).

Each entry starts with pjsip's decoration `HH:MM:SS.mmm` (local time, millisecond: pjlib's
`PJ_LOG_HAS_MICRO_SEC` prints milliseconds, `pjlib/src/pj/log.c:400`): a message's time is
that, to the millisecond the call flow shows. Entries are split on that decoration, but a
message entry's text is skipped by the byte count pjsip printed in its head, so a message body
holding a line that looks like a log entry stays inside its message.
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from pathlib import Path

from app.libc import libc_function

SPOOL_NAME = "pjsip.spool"
SPOOL_MAX = 1 << 20  # bytes; then emptied (everything in it was already read)
READ_MAX = 8 << 20  # one drain reads at most this much (a flood is cut, never held in memory)
LOG_MAX_SIZE = 4000  # PJ_LOG_MAX_SIZE (pjlib/include/pj/config.h): an entry's length at most
END = b"\n--end msg--"

_DECOR = rb"(\d\d):(\d\d):(\d\d)\.(\d\d\d) "
_ENTRY_START = re.compile(rb"(?m)^" + _DECOR)
_ENTRY_HERE = re.compile(_DECOR)  # right after an entry cut at PJ_LOG_MAX_SIZE (no newline)
_MSG_HEAD = re.compile(rb"(?:RX|TX) (\d{1,7}) bytes (?:Request|Response) msg [^\n]{0,400}:\n")
_DAY_MS = 86_400_000


class PjLogSpool:
    """The spool pjsua writes; `read()` returns its new entries as (time, text)."""

    def __init__(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.path = log_dir / SPOOL_NAME
        # pjsua's fopen("ab") keeps the mode of a file that exists: private from the start.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
        self._fd: int | None = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        self._pos = 0
        # libc's fflush: the one pjsua's FILE* belongs to
        self._fflush = libc_function("fflush", [ctypes.c_void_p], ctypes.c_int)

    def read(self) -> list[tuple[float, str]]:
        """The entries pjsua has written since the last call (on the SIP thread only)."""
        if self._fd is None:
            return []
        if self._fflush is not None:
            self._fflush(None)  # pjsua's FILE* buffer, and libc's other output streams
        chunks = []
        left = READ_MAX
        while left > 0:
            chunk = os.pread(self._fd, min(left, 1 << 20), self._pos)
            if not chunk:
                break
            self._pos += len(chunk)
            left -= len(chunk)
            chunks.append(chunk)
        if not chunks:
            return []
        now = time.time()  # and its local time from the same instant, not a second later
        entries = split_entries(b"".join(chunks), now, time.localtime(now))
        skipped = os.fstat(self._fd).st_size - self._pos
        if skipped > 0:  # more than READ_MAX in one loop turn (a flood): the rest is dropped
            stamp = time.strftime("%H:%M:%S.000", time.localtime(now))
            entries.append((now, f"{stamp} pjlog_spool {skipped} bytes of log skipped"))
            self._pos += skipped
        if self._pos >= SPOOL_MAX:
            # Append mode: pjsua's next write goes to offset 0. A line another thread wrote
            # between the read above and this is lost from sip.log (never a SIP message: those
            # are logged on this thread).
            os.truncate(self.path, 0)
            self._pos = 0
        return entries

    def close(self) -> None:
        """After pjsua closed its end (libDestroy) and the last read: sip.log has it all."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self.path.unlink(missing_ok=True)


def split_entries(data: bytes, now: float, local: time.struct_time) -> list[tuple[float, str]]:
    """(time, entry) for each entry in `data`: whole entries, as fflush() wrote them."""
    out: list[tuple[float, str]] = []
    # On the millisecond grid of the decoration: with `now`'s own fraction of a millisecond
    # carried over, entries of the same millisecond read in two turns got times up to 1 ms
    # apart, and a 180 answered within the INVITE's millisecond was shown before it.
    epoch_ms = int(now * 1000)
    now_ms = (local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec) * 1000 + epoch_ms % 1000
    size = len(data)
    start = _ENTRY_START.search(data, 0)
    while start is not None:
        at = start.start()
        end = min(_entry_end(data, at), size)
        h, m, s, ms = (int(g) for g in start.groups())
        ago = (now_ms - ((h * 3600 + m * 60 + s) * 1000 + ms)) % _DAY_MS
        text = data[at:end].rstrip(b"\n").decode("utf-8", "surrogateescape")
        out.append(((epoch_ms - ago) / 1000, text))
        start = _ENTRY_HERE.match(data, end) or _ENTRY_START.search(data, end)
    return out


def _entry_end(data: bytes, at: int) -> int:
    """Where the entry starting at `at` ends: a line (and the lines after it that are not an
    entry, such as pjsua's call dump), or a whole message by its byte count."""
    line_end = data.find(b"\n", at, at + LOG_MAX_SIZE)
    if line_end < 0:
        return at + LOG_MAX_SIZE - 1
    head = _MSG_HEAD.search(data, at, line_end + 1)
    if head is None or head.end() != line_end + 1:
        following = _ENTRY_START.search(data, line_end + 1)
        return following.start() if following is not None else len(data)
    # A message: decoration + head + the message (its byte count) + END, then the newline
    # log.c adds, all cut at PJ_LOG_MAX_SIZE - 1 (and then without the newline).
    whole = head.end() - at + int(head.group(1)) + len(END)
    if whole > LOG_MAX_SIZE - 1:
        return at + LOG_MAX_SIZE - 1
    if data.startswith(END, at + whole - len(END)):
        return at + whole + (1 if whole < LOG_MAX_SIZE - 2 else 0)
    # The text was shorter than its count (a NUL in the message ends %.*s): the end mark.
    mark = data.find(END + b"\n", head.end(), at + LOG_MAX_SIZE)
    return mark + len(END) + 1 if mark >= 0 else at + LOG_MAX_SIZE - 1
