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

from app.phone.handset.flags import HandsetFlags, HistoryItem
from app.phone.handset.handset import Handset
from app.phone.handset.keys import KEYS
from app.phone.handset.linekeys.config import LineKey

__all__ = ["KEYS", "Handset", "HandsetFlags", "HistoryItem", "LineKey"]
