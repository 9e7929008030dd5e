"""Key tones: the keypad feedback a desk phone gives while dialling (settings.audio.key_tones).

Each key sounds its own DTMF pair, short and once, in Yealink's tone syntax (app/audio/tones.py).
"""

from __future__ import annotations

_ROWS = {"1": 697, "2": 697, "3": 697, "4": 770, "5": 770, "6": 770}
_ROWS |= {"7": 852, "8": 852, "9": 852, "*": 941, "0": 941, "#": 941}
_COLS = {"1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336}
_COLS |= {"0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477}
KEY_TONE_MS = 80


def key_tone(key: str) -> str | None:
    """The tone text of `key` ("!697+1209/80"), None for a key with no DTMF pair."""
    if key not in _ROWS:
        return None
    return f"!{_ROWS[key]}+{_COLS[key]}/{KEY_TONE_MS}"
