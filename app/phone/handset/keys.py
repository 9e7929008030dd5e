"""The keys of the faceplate by name: what the window, the keyboard and Action URI may press."""

from __future__ import annotations

# the keypad keys that dial (and send DTMF in a call)
DIAL_KEYS = frozenset("0123456789*#")

KEYS = frozenset(
    [*DIAL_KEYS, "OK", "X", "UP", "DOWN", "LEFT", "RIGHT", "F1", "F2", "F3", "F4"]
    + [f"L{n}" for n in range(1, 11)]
    + ["HOLD", "MUTE", "TRAN", "REDIAL", "MESSAGE", "HEADSET", "SPEAKER"]
    + ["VOL-", "VOL+", "DELETE", "CALLEND"]
)
# Action URI names for the same keys (docs/yealink.md §11)
ALIASES = {
    "STAR": "*",
    "POUND": "#",
    "ENTER": "OK",
    "CANCEL": "X",
    "F_HOLD": "HOLD",
    "F_TRANSFER": "TRAN",
    "VOLUME_UP": "VOL+",
    "VOLUME_DOWN": "VOL-",
}


def key_name(key: str) -> str | None:
    """The faceplate key a name stands for (any case, Action URI aliases too); None: no key."""
    name = ALIASES.get(key.upper(), key.upper())
    return name if name in KEYS else None
