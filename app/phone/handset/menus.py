"""The handset's menus (Menu, Features, Settings) and its small edit forms, as pure data.

The tree follows the T46G: Menu -> Status, Features (Call Forward, DND, ...), History,
Directory, Settings. Settings that need more than a line of text open the desktop settings
dialog (OpenSettings) instead of a phone-sized editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.phone.intents import OpenSettings, SetDnd, SetForward
from app.phone.texts import T


@dataclass(frozen=True)
class MenuItem:
    id: str
    text: str  # catalog source text
    children: tuple[MenuItem, ...] = ()
    action: str = ""  # history | directory | status | form:<id> | settings:<section>


def _settings(id_: str, text: str) -> MenuItem:
    return MenuItem(id_, text, action=f"settings:{id_}")


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
        MenuItem("history", T.HISTORY, action="history"),
        MenuItem("directory", T.DIRECTORY, action="directory"),
        MenuItem(
            "settings",
            T.SETTINGS,
            (
                MenuItem(
                    "basic",
                    T.BASIC_SETTINGS,
                    (
                        _settings("language", T.LANGUAGE),
                        _settings("time", T.TIME_DATE),
                        _settings("ringtones", T.RING_TONES),
                        _settings("audio", T.VOLUME),
                    ),
                ),
                MenuItem(
                    "advanced",
                    T.ADVANCED_SETTINGS,
                    (
                        _settings("accounts", T.ACCOUNTS),
                        _settings("network", T.NETWORK),
                        _settings("remote", T.ACTION_URI),
                    ),
                ),
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


@dataclass
class FormField:
    label: str  # catalog source text
    kind: str  # toggle | text | digits
    value: str  # toggles: "1" / "0"


@dataclass
class Form:
    id: str  # always | busy | no_answer | dnd
    title: str
    fields: list[FormField]
    selected: int = 0
    max_len: dict[int, int] = field(default_factory=dict)

    @property
    def current(self) -> FormField:
        return self.fields[self.selected]

    def move(self, delta: int) -> None:
        self.selected = (self.selected + delta) % len(self.fields)

    def toggle(self) -> None:
        if self.current.kind == "toggle":
            self.current.value = "0" if self.current.value == "1" else "1"

    def type(self, text: str) -> None:
        f = self.current
        if f.kind == "toggle":
            return
        if f.kind == "digits":
            text = "".join(c for c in text if c.isdigit())
        limit = self.max_len.get(self.selected, 64)
        f.value = (f.value + text)[:limit]

    def delete(self) -> None:
        if self.current.kind != "toggle":
            self.current.value = self.current.value[:-1]

    def intent(self) -> SetDnd | SetForward:
        on = self.fields[0].value == "1"
        if self.id == "dnd":
            return SetDnd(on)
        ring = int(self.fields[2].value or 0) if len(self.fields) > 2 else 0
        return SetForward(self.id, on, self.fields[1].value.strip(), ring)


_FORWARD_TITLES = {
    "always": T.ALWAYS_FORWARD,
    "busy": T.BUSY_FORWARD,
    "no_answer": T.NO_ANSWER_FORWARD,
}


def forward_form(kind: str, enabled: bool, target: str, ring_seconds: int = 12) -> Form:
    fields = [
        FormField(_FORWARD_TITLES[kind], "toggle", "1" if enabled else "0"),
        FormField(T.FORWARD_TO, "text", target),
    ]
    if kind == "no_answer":
        fields.append(FormField(T.AFTER_RING_TIME, "digits", str(ring_seconds)))
    # forward.*.target allows at most 32 characters on the phone
    return Form(kind, _FORWARD_TITLES[kind], fields, max_len={1: 32, 2: 3})


def dnd_form(on: bool) -> Form:
    return Form("dnd", T.DND, [FormField(T.DND, "toggle", "1" if on else "0")])
