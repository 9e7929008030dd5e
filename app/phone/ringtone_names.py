"""Yealink's ringtone names (Ring1–Ring8, Silent) and which one an Alert-Info header asks for.

Pure text rules, so the phone core can pick a call's ringtone without the sound code
(app/audio/ringtones.py synthesises and plays what is named here).
"""

from __future__ import annotations

import re

BUILTIN = tuple(f"Ring{i}" for i in range(1, 9))
SILENT = "Silent"

_INFO = re.compile(r"info\s*=\s*\"?([A-Za-z0-9_.-]+)", re.IGNORECASE)
_RING = re.compile(r"(?<![A-Za-z0-9])ring\s*([1-8])(?![0-9])", re.IGNORECASE)
_BELLCORE = re.compile(r"bellcore-dr([1-5])", re.IGNORECASE)


def ringtone_from_alert_info(value: str) -> str | None:
    """The ringtone an Alert-Info header value asks for, or None.

    Understood, in order: `info=RingN` (Yealink), a bare `RingN` token or a URL whose file is
    RingN.wav, `info=Silent`, and `Bellcore-drN` (N 1–5, mapped to RingN: the phones use the same
    mapping for distinctive ringing by default; unconfirmed for every firmware).
    """
    for part in value.split(","):
        info = _INFO.search(part)
        token = info.group(1) if info else part
        ring = _RING.search(token)
        if ring:
            return f"Ring{ring.group(1)}"
        if token.strip().strip('<>"').lower() == "silent":
            return SILENT
        bell = _BELLCORE.search(token)
        if bell:
            return f"Ring{bell.group(1)}"
    return None
