"""pjsua2's log (every SIP message at level 4+) into a rotating file in the config directory,
and each whole SIP message to the call flow capture (capture.py).

pjsip logs synchronously from inside its own work: the 302 it just read, then about eight
lines while `makeCall()` builds the next INVITE, then that INVITE before it goes out. Those
lines are written by pjsua in C into a spool (pjlog_spool.py) and read after
`libHandleEvents()` returns; the Python writer here gets only what `consoleLevel` lets through
(nothing when sip.log is taken from the spool, the lines up to the asked level when the spool
holds more than sip.log wants). A Python callback per line was 15-60 µs of the 302 → new
INVITE path (measured, docs/pjsua2.md §7). The writer only queues (one deque append,
thread-safe: the media clock thread logs too) and the SIP thread writes sip.log in one batch
after `libHandleEvents()` returns. An abort loses at most the current loop turn's lines.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj

from app.sip.capture import is_message
from app.sip.guard import guarded
from app.sip.pjlog_spool import PjLogSpool

SIP_LOG_NAME = "sip.log"
MAX_BYTES = 5 * 1024 * 1024  # then sip.log becomes sip.log.1 (… .3), as before
BACKUPS = 3
MAX_QUEUED = 20000  # lines between two drains (one loop turn); beyond it the oldest go

log = logging.getLogger("deskphone.sip")

# (time.time(), log entry) of a SIP message, handed over on the SIP thread: it must only queue.
MessageSink = Callable[[tuple[float, str]], None]


class SipLogFile:
    """sip.log, private (0600), rotated at MAX_BYTES, written in batches."""

    def __init__(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.path = log_dir / SIP_LOG_NAME
        self._fh = self._open()

    def _open(self) -> Any:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # A message that is not UTF-8 reaches us with surrogate escapes: \x escapes, not lost.
        return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")

    def write_lines(self, lines: list[str]) -> None:
        fh = self._fh
        for line in lines:
            fh.write(line if line.endswith("\n") else line + "\n")
        fh.flush()
        if fh.tell() >= MAX_BYTES:
            self._rotate()

    def _rotate(self) -> None:
        self._fh.close()
        for n in range(BACKUPS - 1, 0, -1):
            older = self.path.with_name(f"{SIP_LOG_NAME}.{n}")
            if older.exists():
                older.replace(self.path.with_name(f"{SIP_LOG_NAME}.{n + 1}"))
        self.path.replace(self.path.with_name(f"{SIP_LOG_NAME}.1"))
        self._fh = self._open()

    def close(self) -> None:
        self._fh.close()


class PjLogWriter(pj.LogWriter):  # type: ignore[misc]
    """Runs on whichever pjsip thread logs (the media clock thread too): only queue.

    pjsua logs at least at level 4 while a sink is set (the messages are at 4). With a spool,
    sip.log is the spool's entries when `spool_is_file` (it holds exactly the asked level),
    else the lines this writer queued (consoleLevel = the asked level)."""

    def __init__(
        self,
        out: SipLogFile | None = None,
        sink: MessageSink | None = None,
        spool: PjLogSpool | None = None,
        spool_is_file: bool = True,
    ) -> None:
        super().__init__()
        self.out = out
        self.sink = sink
        self.spool = spool
        self.spool_is_file = spool is not None and spool_is_file
        self._queue: deque[tuple[float, str]] = deque(maxlen=MAX_QUEUED)

    @guarded()
    def write(self, entry: Any) -> None:
        self._queue.append((time.time(), entry.msg))

    def drain(self) -> None:
        """Write out what was logged; on the SIP thread, outside any pjsip callback."""
        sink = self.sink
        spooled = self.spool.read() if self.spool is not None else []
        lines = [text for _, text in spooled] if self.spool_is_file else []
        queue = self._queue
        while queue:  # popleft is atomic: lines appended meanwhile wait for the next drain
            entry = queue.popleft()
            if self.spool is None:
                spooled.append(entry)
            if not self.spool_is_file:
                lines.append(entry[1])
        if sink is not None:
            for item in spooled:
                if is_message(item[1]):
                    sink(item)
        if self.out is None or not lines:
            return
        try:
            self.out.write_lines(lines)
        except (OSError, ValueError) as exc:  # a full disk costs the SIP log, not the engine
            log.warning("sip.log not written: %s", exc)

    def close(self) -> None:
        self.drain()
        if self.out is not None:
            self.out.close()
            self.out = None
        if self.spool is not None:
            self.spool.close()
            self.spool = None
