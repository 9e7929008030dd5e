"""The characters app/phone/redirect.py's _clean() removes from remote text before showing it."""

from __future__ import annotations

import re

from app.phone.redirect import _UNSHOWN


def test_clean_removes_the_same_characters_as_the_negated_class() -> None:
    """_UNSHOWN is the cheap-to-compile spelling of [^\\x20-\\x7e\\u00a0-\\uffff]."""
    negated = re.compile(r"[^\x20-\x7e\u00a0-\uffff]")
    edges = {
        e + d for e in (0x20, 0x7F, 0xA0, 0xD800, 0xE000, 0x10000, 0x10FFFF) for d in (-1, 0, 1)
    }
    for code in sorted(set(range(0x300)) | set(range(0, 0x110000, 97)) | edges - {0x110000}):
        ch = chr(code)
        assert bool(_UNSHOWN.match(ch)) == bool(negated.match(ch)), hex(code)
