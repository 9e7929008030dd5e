"""pjsua2's log (every SIP message at level 4+) into a rotating file in the config directory."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pjsua2 as pj

from app.sip.guard import guarded

SIP_LOG_NAME = "sip.log"
sip_log = logging.getLogger("deskphone.pjsip")


def open_sip_log(log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        log_dir / SIP_LOG_NAME, maxBytes=5 * 1024 * 1024, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))  # pjsip stamps its own time
    sip_log.handlers[:] = [handler]
    sip_log.setLevel(logging.DEBUG)
    sip_log.propagate = False


class PjLogWriter(pj.LogWriter):  # type: ignore[misc]
    """Runs on whichever pjsip thread logs (the media clock thread too): only hand to logging."""

    @guarded()
    def write(self, entry: Any) -> None:
        sip_log.info(entry.msg.rstrip("\n"))
