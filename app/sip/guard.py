"""One guard for every pjsua2 callback.

A Python exception escaping a director callback segfaults (value-returning) or leaves
`sys.last_traceback` holding pjsua2 objects past `libDestroy()` (abort at exit); a `None`
from a value-returning callback aborts (docs/pjsua2.md §2). So every callback body runs inside
`guarded()`: it catches, logs and returns the safe value.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("deskphone.sip")

F = TypeVar("F", bound=Callable[..., Any])

# Tests set DESKPHONE_FAULT_INJECT=<callback name>[,...] to make that callback raise inside the
# guard, proving a broken handler costs a log line and nothing else.
_INJECT = frozenset(filter(None, os.environ.get("DESKPHONE_FAULT_INJECT", "").split(",")))

failures = 0  # callbacks that raised, for tests and the status report


class InjectedFault(RuntimeError):
    pass


def guarded(default: Any = None) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        name = fn.__name__

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            global failures
            try:
                if name in _INJECT:
                    raise InjectedFault(f"fault injected into {name}")
                result = fn(*args, **kwargs)
                return default if result is None else result
            except BaseException:
                failures += 1
                log.exception("callback %s raised; returning %r and going on", name, default)
                clear_last_exception()
                return default

        return run  # type: ignore[return-value]

    return wrap


def clear_last_exception() -> None:
    """Drop interpreter references that would keep pjsua2 objects alive past libDestroy()."""
    for attr in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, attr):
            with contextlib.suppress(AttributeError):
                delattr(sys, attr)
