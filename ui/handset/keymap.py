"""The PC keyboard on the handset: which key presses mean which phone key."""

from __future__ import annotations

from PySide6.QtCore import Qt

K = Qt.Key

PLAIN: dict[int, str] = {
    **{int(getattr(K, f"Key_{d}")): str(d) for d in range(10)},
    int(K.Key_Asterisk): "*",
    int(K.Key_NumberSign): "#",
    int(K.Key_Return): "OK",
    int(K.Key_Enter): "OK",
    int(K.Key_Escape): "X",
    int(K.Key_Backspace): "DELETE",
    int(K.Key_Delete): "DELETE",
    int(K.Key_F1): "F1",
    int(K.Key_F2): "F2",
    int(K.Key_F3): "F3",
    int(K.Key_F4): "F4",
    int(K.Key_Up): "UP",
    int(K.Key_Down): "DOWN",
    int(K.Key_Left): "LEFT",
    int(K.Key_Right): "RIGHT",
    int(K.Key_F5): "HOLD",
    int(K.Key_F6): "MUTE",
    int(K.Key_F7): "TRAN",
    int(K.Key_F8): "REDIAL",
    int(K.Key_F9): "HEADSET",
    int(K.Key_F10): "SPEAKER",
    int(K.Key_F11): "MESSAGE",
    int(K.Key_End): "CALLEND",
    int(K.Key_PageUp): "VOL+",
    int(K.Key_PageDown): "VOL-",
}

CTRL: dict[int, str] = {
    int(K.Key_H): "HOLD",
    int(K.Key_M): "MUTE",
    int(K.Key_T): "TRAN",
    int(K.Key_R): "REDIAL",
    int(K.Key_E): "CALLEND",
    **{int(getattr(K, f"Key_{n % 10}")): f"L{n}" for n in range(1, 11)},
}

HELP_KEYS = (int(K.Key_F12), int(K.Key_Question))

# (keys, what they do) for the help overlay
HELP: tuple[tuple[str, str], ...] = (
    ("0-9  *  #", "Keypad (# sends a number)"),
    ("Letters, @ . : paste", "Type a SIP URI"),
    ("Enter", "OK / Send"),
    ("Esc", "X (cancel, clear pop-up)"),
    ("Backspace", "Delete"),
    ("F1 - F4", "Soft keys"),
    ("Arrows", "Navigation"),
    ("F5 / Ctrl+H", "HOLD"),
    ("F6 / Ctrl+M", "MUTE"),
    ("F7 / Ctrl+T", "TRAN (transfer)"),
    ("F8 / Ctrl+R", "REDIAL"),
    ("End / Ctrl+E", "End call"),
    ("F9 / F10 / F11", "HEADSET / SPEAKER / MESSAGE"),
    ("PgUp / PgDn", "Volume + / -"),
    ("Ctrl+1 - Ctrl+0", "Line keys 1-10"),
    ("Ctrl+V / Shift+Ins", "Paste a number or URI"),
    ("F12 or ?", "This help"),
)

URI_CHARS = frozenset("@.:;-_+=/%~!$&'()?,")


def map_key(key: int, ctrl: bool, typed: str) -> tuple[str, str] | None:
    """("key", name) | ("text", chars) | ("help", "") | ("paste", "") for one key event."""
    if key in HELP_KEYS:
        return ("help", "")
    if ctrl:
        if key == int(K.Key_V):
            return ("paste", "")
        name = CTRL.get(key)
        return ("key", name) if name else None
    if key == int(K.Key_Insert):
        return None
    name = PLAIN.get(key)
    if name is not None:
        return ("key", name)
    if typed and typed.isprintable() and (typed.isalnum() or typed in URI_CHARS):
        return ("text", typed)
    return None
