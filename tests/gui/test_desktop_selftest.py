"""`deskphone --selftest`: a report and an honest exit code."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.client.supervisor import EngineConfig
from app.desktop import selftest
from app.desktop.selftest import FAIL, OK, WARN, Report, run_checks
from tests.engine_harness import ROOT

pytestmark = pytest.mark.gui


def test_selftest_passes_here() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--selftest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1].startswith("self-test passed")
    for what in ("resources", "window", "Qt platforms", "audio", "engine"):
        assert any(f"] {what}: " in line for line in lines), what
    engine = next(line for line in lines if "] engine: " in line)
    assert "[  ok]" in engine and "exit code 0" in engine


def test_missing_resource_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(selftest, "required_files", lambda: [tmp_path / "gone.svg"])
    report = run_checks([selftest.check_resources])
    assert report.failed and "gone.svg" in report.render()
    assert report.render().splitlines()[-1].startswith("self-test FAILED")


def test_no_audio_device_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice

    monkeypatch.setattr(sounddevice, "query_devices", lambda: [])
    report = run_checks([selftest.check_audio])
    assert report.lines[0][0] == WARN and not report.failed


def test_missing_portaudio_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import raises, as without PortAudio
    report = run_checks([selftest.check_audio])
    assert report.lines[0][0] == FAIL


def test_engine_that_never_starts_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_argv(self: EngineConfig) -> list[str]:
        return [sys.executable, "-c", "raise SystemExit(3)"]

    monkeypatch.setattr(EngineConfig, "argv", broken_argv)
    check: Any = functools.partial(selftest.check_engine, engine_timeout=2.0)
    check.__name__ = "check_engine"
    report = run_checks([check])
    assert report.failed and "engine" in report.lines[0][1]


def test_report_counts_warnings() -> None:
    report = Report()
    report.add(OK, "a", "x")
    report.add(WARN, "b", "y")
    assert not report.failed
    assert report.render().splitlines()[-1] == "self-test passed (1 warning)"
