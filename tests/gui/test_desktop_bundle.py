"""The PyInstaller bundle runs with nothing from the venv on the path (needs PyInstaller)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine_harness import ROOT

pytestmark = [pytest.mark.gui, pytest.mark.slow]

pytest.importorskip("PyInstaller", reason="pip install pyinstaller (or `make bundle-test`)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
            str(ROOT / "packaging" / "deskphone.spec"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    exe = out / "dist" / "deskphone" / "deskphone"
    assert exe.is_file()
    return exe


def _clean_env(**extra: str) -> dict[str, str]:
    """What a desktop launcher gives: no venv, no PYTHONPATH, system PATH only."""
    return {"HOME": os.environ["HOME"], "PATH": "/usr/bin:/bin", **extra}


def test_bundle_selftest_without_venv(bundle: Path) -> None:
    proc = subprocess.run(
        [str(bundle), "--selftest"], env=_clean_env(), capture_output=True, text=True, timeout=90
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "self-test passed" in out
    internal = str(bundle.parent)
    # Everything must come from inside the bundle, not from this machine's venv.
    assert f"resources: {internal}" in out
    assert "xcb, wayland" in out
    audio = next(line for line in out.splitlines() if "] audio: " in line)
    assert f"{internal}/_internal/libportaudio.so" in audio


def test_bundle_window_on_x11(bundle: Path, tmp_path: Path) -> None:
    """The real xcb platform plugin from the bundle draws the window and reaches idle."""
    env = _clean_env(DISPLAY=os.environ["DISPLAY"])
    proc = subprocess.run(
        [
            str(bundle),
            "--config-dir",
            str(tmp_path / "cfg"),
            "--bind",
            "127.0.0.1",
            "--sip-port",
            "0",
            "--startup-probe",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "IDLE No Service" in proc.stdout
