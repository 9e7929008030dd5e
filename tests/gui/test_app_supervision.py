"""The real window supervising the real engine, on an X display (Xvfb)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.engine_harness import ROOT, deskphone_argv
from tests.gui.conftest import start_alice_app
from tests.sipnet import HOST, Kamailio, Sipp, free_port
from ui.app import DeskPhoneApp

pytestmark = pytest.mark.gui


@pytest.fixture
def phone(qtbot: QtBot, config_dir: Path, kam: Kamailio) -> Iterator[DeskPhoneApp]:
    app = start_alice_app(qtbot, config_dir, kam, test_hooks=True)
    try:
        yield app
    finally:
        app.shutdown()


def _registered(app: DeskPhoneApp) -> bool:
    return app.window.registration_text() == "Registered"


def _engine_processes(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and "app.engine" in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.mark.parametrize("how", ["sigkill", "abort"])
def test_engine_death_restarts_and_reregisters(
    qtbot: QtBot, phone: DeskPhoneApp, screens_dir: Path, how: str
) -> None:
    qtbot.waitUntil(lambda: _registered(phone), timeout=10000)
    phone.window.grab().save(str(screens_dir / "main-window-registered.png"))
    assert phone.window.state.error == "", phone.window.state.error
    first_pid = phone.bridge.supervisor.pid
    killed_at = time.monotonic()
    if how == "sigkill":
        os.kill(first_pid, signal.SIGKILL)
    else:
        assert phone.bridge.send("debug_abort")
    qtbot.waitUntil(lambda: "Restarting…" in phone.window.shown, timeout=3000)
    phone.window.grab().save(str(screens_dir / f"main-window-restarting-{how}.png"))
    qtbot.waitUntil(
        lambda: phone.window.shown[-1] == "Registered" and phone.bridge.supervisor.pid != first_pid,
        timeout=3000,
    )
    assert time.monotonic() - killed_at < 3.0
    assert phone.bridge.restarts == 1
    expected = "SIGKILL" if how == "sigkill" else "SIGABRT"
    assert phone.bridge.supervisor.last_exit == f"killed by {expected}"
    assert f"Engine restarts: 1 (killed by {expected})" in phone.window.info_label.text()
    assert phone.window.shown[-3:] == ["Registered", "Restarting…", "Registered"] or (
        "Restarting…" in phone.window.shown[-3:]
    )
    phone.window.grab().save(str(screens_dir / f"main-window-reregistered-{how}.png"))


def test_window_close_stops_the_engine_with_exit_0(qtbot: QtBot, phone: DeskPhoneApp) -> None:
    qtbot.waitUntil(lambda: _registered(phone), timeout=10000)
    pid = phone.bridge.supervisor.pid
    phone.window.closing.connect(phone.shutdown)
    phone.window.close()
    assert phone.exit_code == 0
    assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


@pytest.mark.slow
def test_start_and_quit_20_times(tmp_path: Path, config_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(20):
        proc = subprocess.run(
            deskphone_argv(config_dir, "--startup-probe"),
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=60,
        )
        out = proc.stdout.decode(errors="replace")
        assert proc.returncode == 0, f"round {round_}: {proc.returncode} {out} {proc.stderr!r}"
        assert "IDLE No Service" in out
        assert _engine_processes(str(config_dir)) == [], f"leftover engine after round {round_}"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("core")]
    log = (config_dir / "logs" / "deskphone.log").read_text()
    assert log.count("engine stopped: 0") == 20
    assert "restart #" not in log


def test_sigterm_hangs_up_and_exits_0(tmp_path: Path, config_dir: Path) -> None:
    """`deskphone URI` dials once idle; SIGTERM during the call sends BYE, then exits 0."""
    callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30).listen()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        deskphone_argv(config_dir, f"sip:carol@{HOST}:{callee.port}"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while "ACK sip:" not in callee.messages() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "ACK sip:" in callee.messages(), "the call from the command line did not connect"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert callee.wait(15) == 0
    assert "BYE sip:" in callee.messages()
    assert _engine_processes(str(config_dir)) == []


def test_no_display_says_so(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--config-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert b"no display found" in proc.stderr and b"xvfb-run -a deskphone" in proc.stderr


def test_version_names_pjsua2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        capture_output=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith(b"DeskPhone 0.1.0 (pjsua2 2.15.1")
