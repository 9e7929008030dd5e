"""One line key as configured: Yealink's linekey.X.type / line / value / label / extension.

The type numbers are Yealink's own (docs/yealink.md §13 lists the known ones with their
sources); linekeys/table.py says which of them this phone knows and what each does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.phone.model import AccountView

NA = 0  # N/A: an empty key
LINE = 15  # Line: the key of an account (a T46G's default for keys 1-16)


@dataclass(frozen=True)
class LineKey:
    type: int = NA
    line: int = 0  # the account (AccountView.index; linekey.X.line, 1 = the first account)
    value: str = ""  # what the type acts on: a number to call or monitor, ...
    label: str = ""  # shown on the display; "" lets the type choose (an account's label)
    extension: str = ""  # a second value some types take (BLF: the pickup code)


def default_line_keys(accounts: Sequence[AccountView]) -> tuple[LineKey, ...]:
    """With no line key configuration: key n is a Line key of the n-th account shown."""
    return tuple(LineKey(LINE, a.index) for a in accounts)
