"""The handset's menu tree as pure data, and where the user is in it.

Settings that need more than a line of text open the desktop settings dialog (OpenSettings)
instead of a phone-sized editor; the small edit forms are in forms.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.phone.intents import OpenSettings
from app.phone.texts import T


@dataclass(frozen=True)
class MenuItem:
    """An entry of the handset's Menu tree."""

    id: str
    text: str  # catalog source text
    children: tuple[MenuItem, ...] = ()
    action: str = ""  # history | directory | status | messages | form:<id> | settings:<section>


def _settings(id_: str, text: str) -> MenuItem:
    return MenuItem(id_, text, action=f"settings:{id_}")


# Menu -> Message, also what the MESSAGE key opens (docs/yealink.md §16): voice mail and the
# SIP MESSAGE texts.
MESSAGE_MENU = MenuItem(
    "message",
    T.MESSAGE,
    (
        MenuItem("voice_mail", T.VOICE_MAIL, action="voice_mail"),
        MenuItem("text", T.TEXT_MESSAGE, action="messages"),
    ),
)

# The top level of a SIP-T46G, where Basic and Advanced sit beside Status and Features (the
# T42G nests them under Settings). Source: the phone UI paths "Menu->Basic->..." listed for the
# T54S/T52S/T48S/T48G/T46S/T46G/T29G against "Menu->Settings->Basic Settings->..." for the
# T42G and smaller models (docs/yealink.md §15). The T5x (T54W skin) has the same tree, so both
# skins share it. The order of the top level is unconfirmed (docs/yealink.md §15).
MAIN = MenuItem(
    "menu",
    T.MENU,
    (
        MenuItem("status", T.STATUS, action="status"),
        MenuItem(
            "features",
            T.FEATURES,
            (
                MenuItem(
                    "call_forward",
                    T.CALL_FORWARD,
                    (
                        MenuItem("always", T.ALWAYS_FORWARD, action="form:always"),
                        MenuItem("busy", T.BUSY_FORWARD, action="form:busy"),
                        MenuItem("no_answer", T.NO_ANSWER_FORWARD, action="form:no_answer"),
                    ),
                ),
                MenuItem("dnd", T.DND, action="form:dnd"),
                _settings("call_waiting", T.CALL_WAITING),
                _settings("auto_answer", T.AUTO_ANSWER),
                _settings("line_keys", T.DSS_KEYS),
            ),
        ),
        MenuItem("directory", T.DIRECTORY, action="directory"),
        MenuItem("history", T.HISTORY, action="history"),
        MESSAGE_MENU,
        MenuItem(
            "basic",
            T.BASIC,
            (
                _settings("language", T.LANGUAGE),
                _settings("time", T.TIME_DATE),
                _settings("ringtones", T.RING_TONES),
                _settings("audio", T.VOLUME),
            ),
        ),
        MenuItem(
            "advanced",
            T.ADVANCED,
            (
                _settings("accounts", T.ACCOUNTS),
                _settings("network", T.NETWORK),
                _settings("remote", T.ACTION_URI),
            ),
        ),
    ),
)


class MenuNav:
    """Where the user is in the menu tree: a stack of (menu, selected row)."""

    def __init__(self, root: MenuItem = MAIN) -> None:
        self._stack: list[tuple[MenuItem, int]] = [(root, 0)]

    @property
    def menu(self) -> MenuItem:
        return self._stack[-1][0]

    @property
    def selected(self) -> int:
        return self._stack[-1][1]

    @property
    def title(self) -> str:
        return self.menu.text

    def move(self, delta: int) -> None:
        menu, sel = self._stack[-1]
        self._stack[-1] = (menu, (sel + delta) % len(menu.children))

    def select(self, row: int) -> None:
        menu, _ = self._stack[-1]
        if 0 <= row < len(menu.children):
            self._stack[-1] = (menu, row)

    def enter(self) -> MenuItem | None:
        """Open the selected row: a submenu is entered (None), a leaf is returned to act on."""
        item = self.menu.children[self.selected]
        if item.children:
            self._stack.append((item, 0))
            return None
        return item

    def back(self) -> bool:
        """Go up one level; False when already at the top (the caller leaves the menu)."""
        if len(self._stack) == 1:
            return False
        self._stack.pop()
        return True


def settings_intent(action: str) -> OpenSettings | None:
    return OpenSettings(action.split(":", 1)[1]) if action.startswith("settings:") else None
