"""The handset: the faceplate's keys in, intents for the phone core out, and the display.

handset.py      Handset, the one entry point (update, press, type_text, tick, screen)
keys.py         the faceplate's key names
state.py        what the handset remembers between keys (HandsetState)
flags.py        what it is told besides accounts and calls (HandsetFlags)
press.py        which key does what on which screen, and the soft key dispatch
dialling.py     the dial screen's keys; dial_buffer.py its edit buffer and matches
call_keys.py    the call screens' keys and soft keys
navigation.py   menus, lists and forms; menus.py the menu tree and forms as data
softkeys.py     the soft key sets per state
compose.py      the ScreenModel built from the state; call_text.py its call words
screens.py      ScreenModel, the plain data the UI draws
linekeys/       line key configuration, one module per line key type, their layout
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.phone.handset.flags import HandsetFlags, HistoryItem
    from app.phone.handset.handset import Handset
    from app.phone.handset.keys import KEYS
    from app.phone.handset.linekeys.config import LineKey

__all__ = ["KEYS", "Handset", "HandsetFlags", "HistoryItem", "LineKey"]

# Loaded on first use (PEP 562): the window imports screens.py alone to draw a ScreenModel and
# must not pay for the whole handset (50 modules, 5 MB) that only the engine runs.
_WHERE = {
    "HandsetFlags": "app.phone.handset.flags",
    "HistoryItem": "app.phone.handset.flags",
    "Handset": "app.phone.handset.handset",
    "KEYS": "app.phone.handset.keys",
    "LineKey": "app.phone.handset.linekeys.config",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
