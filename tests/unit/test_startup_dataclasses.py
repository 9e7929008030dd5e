"""Every dataclass the engine loads at start-up has a docstring of its own.

Python 3.11's `dataclass` writes a docstring for a class that has none from
`inspect.signature(cls)`: ~0.5 ms per class, ~45 ms of the engine's imports for the ~100 that
had none, on the way to the registered idle screen (docs/footprint.md §1).
"""

from __future__ import annotations

import dataclasses
import importlib
import sys

# app/audio is the in-call audio's (another piece of work changes it now); its few classes are
# left to it.
LEFT_OUT = ("app.audio.",)


def test_start_up_dataclasses_have_docstrings() -> None:
    importlib.import_module("app.engine.runtime")
    importlib.import_module("app.cli")
    generated = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("app.") or name.startswith(LEFT_OUT):
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == name
                and (value.__doc__ or "").startswith(f"{value.__name__}(")
            ):
                generated.append(f"{name}.{value.__name__}")
    assert sorted(generated) == []
