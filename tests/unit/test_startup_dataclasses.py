"""Every dataclass the engine loads at start-up has a docstring of its own.

Python 3.11's `dataclass` writes a docstring for a class that has none from
`inspect.signature(cls)` (~0.15 ms a class with its text), which ~100 classes paid on the
engine's way to the registered idle screen (docs/footprint.md §1).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.engine_harness import ROOT

# app/audio is the in-call audio's (another piece of work changes it now); its few classes are
# left to it.
LEFT_OUT = ("app.audio.",)

# A fresh interpreter: what the engine and `deskphone` load, not what other tests loaded here.
LIST_GENERATED = """
import dataclasses, json, sys
import app.engine.runtime, app.cli
found = []
for name, module in list(sys.modules.items()):
    if not name.startswith("app."):
        continue
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == name
            and (value.__doc__ or "").startswith(value.__name__ + "(")
        ):
            found.append(name + "." + value.__name__)
print(json.dumps(sorted(found)))
"""


def test_start_up_dataclasses_have_docstrings() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LIST_GENERATED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    generated = [name for name in json.loads(proc.stdout) if not name.startswith(LEFT_OUT)]
    assert generated == []
