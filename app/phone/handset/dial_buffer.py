"""The dial screen's edit buffer: digits, typed URIs, the IME modes and matches as you type."""

from __future__ import annotations

from app.phone.handset.flags import HistoryItem

IME_MODES = ("123", "abc", "ABC", "2aB")
# Letters per key in the letter modes. "1" carries what SIP URIs need besides letters.
_LETTERS = {
    "1": ".@:-_/",
    "2": "abc",
    "3": "def",
    "4": "ghi",
    "5": "jkl",
    "6": "mno",
    "7": "pqrs",
    "8": "tuv",
    "9": "wxyz",
    "0": "",
    "*": ".*",
    "#": "#",
}
MULTITAP_SECONDS = 1.0
MAX_MATCHES = 5


def _cycle(key: str, mode: str) -> str:
    letters = _LETTERS.get(key, "")
    if mode == "abc":
        return letters + key if key not in letters else letters
    if mode == "ABC":
        return letters.upper() + key if key not in letters else letters
    if mode == "2aB":
        return key + letters + letters.upper() if key not in letters else letters
    return key


class DialBuffer:
    def __init__(self) -> None:
        self.text = ""
        self.cursor = 0
        self.ime = 0
        self._tap_key = ""
        self._tap_at = -1e9
        self._tap_index = 0

    @property
    def mode(self) -> str:
        return IME_MODES[self.ime]

    def clear(self) -> None:
        self.text, self.cursor, self._tap_key = "", 0, ""

    def insert(self, text: str) -> None:
        self.text = self.text[: self.cursor] + text + self.text[self.cursor :]
        self.cursor += len(text)
        self._tap_key = ""

    def key(self, key: str, now: float) -> None:
        """A keypad key: a digit in 123 mode, else multi-tap through the key's letters."""
        chars = _cycle(key, self.mode)
        if len(chars) <= 1:
            self.insert(chars or key)
            return
        if key == self._tap_key and now - self._tap_at < MULTITAP_SECONDS and self.cursor > 0:
            self._tap_index = (self._tap_index + 1) % len(chars)
            head, tail = self.text[: self.cursor - 1], self.text[self.cursor :]
            self.text = head + chars[self._tap_index] + tail
        else:
            self.insert(chars[0])
            self._tap_index = 0
        self._tap_key, self._tap_at = key, now

    def backspace(self) -> None:
        if self.cursor > 0:
            self.text = self.text[: self.cursor - 1] + self.text[self.cursor :]
            self.cursor -= 1
        self._tap_key = ""

    def move(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.text), self.cursor + delta))
        self._tap_key = ""

    def next_ime(self) -> None:
        self.ime = (self.ime + 1) % len(IME_MODES)
        self._tap_key = ""


_T9 = {c: k for k, letters in _LETTERS.items() if k.isdigit() for c in letters}


def _t9(name: str) -> str:
    return "".join(_T9.get(c, c) for c in name.lower())


def matches(
    text: str, history: list[HistoryItem], directory: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Contacts and history entries whose number or name (also as T9 digits) holds `text`."""
    if not text:
        return []
    needle = text.lower()
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    candidates = list(directory) + [(h.name, h.number) for h in history]
    for name, number in candidates:
        hit = needle in number.lower() or needle in name.lower()
        hit = hit or (needle.isdigit() and needle in _t9(name))
        if hit and number not in seen:
            seen.add(number)
            out.append((name, number))
        if len(out) >= MAX_MATCHES:
            break
    return out
