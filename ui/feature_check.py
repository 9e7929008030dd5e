"""PySide6's `__feature__` import check, answered in advance (window start-up time and memory).

PySide6 lets a module switch on `from __feature__ import snake_case, true_property` for itself.
To know which modules may do so, PySide6 6.11 hooks every import statement executed after it
is loaded, and for each module not yet in `shibokensupport.feature.pyside_feature_dict` it
calls `inspect.getsource()` on it and stores 0 if the text contains "PySide6" (a PySide module,
whose feature selection is looked up) or -1 (ignored). That reads each whole source file into
`linecache`, which keeps it for the life of the process: the window's imports (stdlib, app/,
ui/, also modules already loaded, once per name) cost ~1 MiB of source text, ~2.5 MiB of RSS
and ~25 ms of start-up (docs/footprint.md §3).

DeskPhone selects no feature anywhere (tests/gui/test_feature_check.py checks that no module
imports `__feature__`), so for every module of its own the check can only find "no feature
selected": the entry is filled here before the check runs, with 0 for the window's Qt modules
(ui.*) and -1 for the rest, so the check never reads a source. The dict is a private
interface: where it is missing (another PySide6), nothing is done and the check runs as before.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping, Sequence
from types import ModuleType

PYSIDE_MODULE = 0  # the values feature_imported() stores (shibokensupport/feature.py)
IGNORED = -1


def feature_value(name: str) -> int:
    """What the entry says for `name`: the window's modules are Qt code, nothing else is."""
    return PYSIDE_MODULE if name == "ui" or name.startswith("ui.") else IGNORED


class _Prefill:
    """A finder first on sys.meta_path that finds nothing: it only gives each module about
    to be imported its entry, before the import statement's check looks for one."""

    def __init__(self, entries: MutableMapping[str, int]) -> None:
        self.entries = entries

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> None:
        self.entries.setdefault(name, feature_value(name))


def skip_feature_check() -> bool:
    """Fill the entries for the modules loaded so far and for each one imported later.

    Call it before the window's imports (ui/launch.py): it loads PySide6 itself, which
    installs the check. True if done; False where this PySide6 has no such dict (nothing
    changed)."""
    import PySide6.QtCore  # noqa: F401  (loading it installs the check and its dict)

    feature = sys.modules.get("shibokensupport.feature")
    entries = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(entries, dict):
        return False
    if any(isinstance(f, _Prefill) for f in sys.meta_path):
        return True
    for name in list(sys.modules):
        entries.setdefault(name, feature_value(name))
    sys.meta_path.insert(0, _Prefill(entries))
    return True
