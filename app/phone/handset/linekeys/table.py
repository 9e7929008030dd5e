"""The line key types this phone knows, by Yealink's linekey.X.type number.

Adding a type: one module with a KeyType object (linekeys/base.py) and one row here
(docs/extending.md, "Adding a line key type").
"""

from __future__ import annotations

from app.phone.handset.linekeys.base import KeyType
from app.phone.handset.linekeys.config import LINE, NA
from app.phone.handset.linekeys.empty import EMPTY_KEY
from app.phone.handset.linekeys.line import LINE_KEY

TYPES: dict[int, KeyType] = {
    NA: EMPTY_KEY,
    LINE: LINE_KEY,
}


def type_of(number: int) -> KeyType:
    """The type of a key; a number not (yet) in the table is an empty key, as N/A."""
    return TYPES.get(number, EMPTY_KEY)
