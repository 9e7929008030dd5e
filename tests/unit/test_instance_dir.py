"""A pre-created /tmp/deskphone-UID that is not the user's own, or that others can write to:
`deskphone` says so and stops, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.engine_harness import ROOT


def _run_deskphone(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "DISPLAY")}
    env |= {"TMPDIR": str(tmp_path / "tmp"), "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}
    env["PYTHONPATH"] = str(ROOT)
    argv = [sys.executable, "-m", "app", "--config-dir", str(tmp_path / "config")]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_a_foreign_instance_dir_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    planted = tmp_path / "tmp" / f"deskphone-{os.getuid()}"
    if os.getuid() == 0:
        planted.mkdir(mode=0o777)
        os.chown(planted, 65534, 65534)  # nobody's
        expected = "owned by uid 65534"
    else:
        planted.symlink_to("/")  # root's
        expected = "a link"
    done = _run_deskphone(tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert f"deskphone: {planted} is {expected}, not your own private directory" in done.stderr
    assert "Remove it" in done.stderr
    if not planted.is_symlink():
        assert list(planted.iterdir()) == []  # no lock or socket was put into it


def test_our_own_dir_widened_by_someone_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    ours = tmp_path / "tmp" / f"deskphone-{os.getuid()}"
    ours.mkdir()
    ours.chmod(0o777)
    done = _run_deskphone(tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert f"deskphone: {ours} has mode 0777, not 0700" in done.stderr
