"""One DeskPhone per config dir: a second launch with a link makes the first one dial it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desktop.single_instance import InstancePaths
from tests.engine_harness import ROOT, deskphone_argv
from tests.sipnet import HOST, Sipp, free_port

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def first(tmp_path: Path, config_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A running first instance, listening for later launches."""
    out = open(tmp_path / "first.out", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        deskphone_argv(config_dir), cwd=tmp_path, env=_env(), stdout=out, stderr=subprocess.STDOUT
    )
    sock = InstancePaths.for_config(config_dir).socket
    deadline = time.monotonic() + 20
    while not sock.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert sock.exists(), (tmp_path / "first.out").read_text()
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        out.close()


def _second(tmp_path: Path, config_dir: Path, *args: str) -> tuple[int, float, str]:
    started = time.monotonic()
    proc = subprocess.run(
        deskphone_argv(config_dir, *args), cwd=tmp_path, env=_env(), capture_output=True, timeout=10
    )
    return proc.returncode, time.monotonic() - started, proc.stderr.decode(errors="replace")


@pytest.mark.parametrize("scheme", ["sip", "callto"])
def test_second_launch_hands_link_to_first(
    tmp_path: Path, config_dir: Path, first: subprocess.Popen[bytes], scheme: str
) -> None:
    callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30).listen()
    try:
        link = f"{scheme}:carol@{HOST}:{callee.port}"
        code, took, err = _second(tmp_path, config_dir, link)
        assert code == 0, err
        assert took < 1.0, f"second instance took {took:.2f} s"
        deadline = time.monotonic() + 15
        while "INVITE sip:carol@" not in callee.messages() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"INVITE sip:carol@{HOST}:{callee.port}" in callee.messages()
        assert first.poll() is None, "the first instance must keep running"
    finally:
        callee.stop()


def test_second_plain_launch_exits_and_first_stays(
    tmp_path: Path, config_dir: Path, first: subprocess.Popen[bytes]
) -> None:
    code, took, err = _second(tmp_path, config_dir)
    assert code == 0, err
    assert took < 1.0
    assert first.poll() is None


def test_unreachable_link_is_refused_without_disturbing_first(
    tmp_path: Path, config_dir: Path, first: subprocess.Popen[bytes]
) -> None:
    code, _, err = _second(tmp_path, config_dir, "tel:call-me-maybe")
    assert code == 2 and "cannot dial" in err
    assert first.poll() is None


def test_other_config_dir_is_its_own_instance(
    tmp_path: Path, config_dir: Path, first: subprocess.Popen[bytes]
) -> None:
    other = tmp_path / "other"
    proc = subprocess.run(
        deskphone_argv(other, "--startup-probe"),
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"IDLE " in proc.stdout, "a different config dir must start its own phone"
    assert first.poll() is None
