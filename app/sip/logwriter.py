"""pjsua2's log (every SIP message at level 4+) into a rotating file in the config directory,
and each whole SIP message to the call flow capture (capture.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pjsua2 as pj

from app.sip.capture import is_message
from app.sip.guard import guarded

SIP_LOG_NAME = "sip.log"
sip_log = logging.getLogger("deskphone.pjsip")

# (time.time(), log entry) of a SIP message; called on the SIP thread, so it must only queue.
MessageSink = Callable[[tuple[float, str]], None]


def open_sip_log(log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    # A message that is not UTF-8 reaches us with surrogate escapes: written as \x escapes,
    # not dropped with a "Logging error" on stderr.
    handler = RotatingFileHandler(
        log_dir / SIP_LOG_NAME,
        maxBytes=5 * 1024 * 1024,
        backupCount=3,
        encoding="utf-8",
        errors="backslashreplace",
    )
    handler.setFormatter(logging.Formatter("%(message)s"))  # pjsip stamps its own time
    sip_log.handlers[:] = [handler]
    sip_log.setLevel(logging.DEBUG)
    sip_log.propagate = False


class PjLogWriter(pj.LogWriter):  # type: ignore[misc]
    """Runs on whichever pjsip thread logs (the media clock thread too): only hand over.

    pjsua logs at least at level 4 while a sink is set (the messages are at 4); `file_level`
    is what the user asked for in sip.log."""

    def __init__(self, file_level: int = 4, sink: MessageSink | None = None) -> None:
        super().__init__()
        self.file_level = file_level
        self.sink = sink

    @guarded()
    def write(self, entry: Any) -> None:
        msg = entry.msg
        if self.sink is not None and is_message(msg):
            self.sink((time.time(), msg))
        if entry.level <= self.file_level:
            sip_log.info(msg.rstrip("\n"))
