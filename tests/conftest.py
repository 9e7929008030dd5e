"""Shared fixtures: a real X display (Xvfb) for GUI tests and a folder for screenshots.

The display is started before any Qt import can pick a platform, so `pytest` works the same
with or without an outer `xvfb-run`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENS = ARTIFACTS / "screens"

_xvfb: subprocess.Popen[bytes] | None = None


def _start_xvfb() -> None:
    """Start Xvfb on a free display number and point DISPLAY at it."""
    global _xvfb
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    if shutil.which("Xvfb") is None:
        pytest.exit("Xvfb is not installed: run `make test` (it installs the test tools)", 2)
    read_fd, write_fd = os.pipe()
    _xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        number = fh.readline().strip()
    if not number:
        pytest.exit("Xvfb did not start", 2)
    os.environ["DISPLAY"] = f":{number}"
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="deskphone-xdg-"))


def pytest_configure(config: pytest.Config) -> None:
    _start_xvfb()
    SCREENS.mkdir(parents=True, exist_ok=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _xvfb is not None:
        _xvfb.terminate()
        try:
            _xvfb.wait(5)
        except subprocess.TimeoutExpired:
            _xvfb.kill()


@pytest.fixture
def screens_dir() -> Path:
    """Where tests save screenshots (kept by CI as artifacts)."""
    return SCREENS


@pytest.fixture
def config_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh DeskPhone config directory."""
    path = tmp_path / "config"
    path.mkdir()
    yield path
