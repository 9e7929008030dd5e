"""PySide6's `__feature__` import check no longer reads the window's sources (ui/feature_check.py).

Each case builds the window in a fresh interpreter (this one loaded PySide6 long ago) and
lists which of DeskPhone's sources ended up in `linecache`, where the check's
`inspect.getsource()` leaves them for the life of the process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine_harness import ROOT
from ui.feature_check import IGNORED, PYSIDE_MODULE, feature_value

BUILD_WINDOW = """
import linecache, sys, tempfile
from pathlib import Path
if sys.argv[1] == "skip":
    from ui.feature_check import skip_feature_check
    assert skip_feature_check()
from PySide6.QtWidgets import QApplication
from ui.app import DeskPhoneApp, UiOptions, attach_tray
qt = QApplication(["deskphone"])
tmp = Path(tempfile.mkdtemp())
phone = DeskPhoneApp(UiOptions(config_dir=tmp, control_path=tmp / "engine.sock"))
tray = attach_tray(phone)
phone.window.show()
qt.processEvents()
phone.settings.open()  # a screen loaded on first use goes through the same imports
qt.processEvents()
ours = (sys.argv[2] + "/app/", sys.argv[2] + "/ui/")
print("\\n".join(f for f in linecache.cache if f.startswith(ours)))
"""


def _sources_read(mode: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", BUILD_WINDOW, mode, str(ROOT)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [line for line in proc.stdout.splitlines() if line.strip()]


def test_the_check_reads_no_source_of_the_window() -> None:
    assert _sources_read("skip") == []


def test_without_the_prefill_the_check_reads_them() -> None:
    """The case above can fail: this PySide6 still runs the check (if it stops, the prefill
    and this test can go)."""
    read = _sources_read("plain")
    assert f"{ROOT}/ui/app.py" in read
    assert any(f.startswith(f"{ROOT}/app/") for f in read)


def test_no_module_selects_a_feature() -> None:
    """The prefill's values rest on this: with no `from __feature__ import`, every module
    of ours has "no feature selected", whatever the check would have stored."""
    for base in ("app", "ui"):
        for path in (ROOT / base).rglob("*.py"):
            assert "__feature__" not in path.read_text(encoding="utf-8") or path == Path(
                ROOT / "ui" / "feature_check.py"
            ), path


@pytest.mark.parametrize(
    ("name", "value"),
    [("ui.app", PYSIDE_MODULE), ("ui", PYSIDE_MODULE), ("app.cli", IGNORED), ("json", IGNORED)],
)
def test_feature_value(name: str, value: int) -> None:
    assert feature_value(name) == value
