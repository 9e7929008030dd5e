"""C library functions taken from the process's own symbols.

libc is linked into the interpreter, so `ctypes.CDLL(None)` finds them without
`ctypes.util.find_library`, which runs `ldconfig -p` in a subprocess (~15 ms of the engine's
start-up with its import; docs/footprint.md §2).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any, cast


def libc_function(name: str, argtypes: list[Any], restype: Any) -> Callable[..., int] | None:
    """libc's `name`, or None where the C library has no such function (not glibc)."""
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = restype
    return cast(Callable[..., int], function)
