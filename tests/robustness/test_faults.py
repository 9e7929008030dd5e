"""Faults of the engine's peers and machine: the engine notices, tells, recovers.

- Kamailio stops and comes back: the account shows "Register failed!" (over TCP the lost
  connection is seen at once) and registers again within pjsua's retry interval
  (app/sip/account.py: first retry 5 s, later 30 s, both randomised by up to 10 s).
- The callee vanishes mid-call (SIPp killed): the call still ends, through SIP session timers
  (app/sip/liveness.py: Session-Expires 90 s, refreshed by us at 45 s; a dead peer fails the
  refresh and the call is torn down). Seen: 109 s; bounded at 150 s here.
- The config directory turns read-only (chattr +i, as root ignores modes): saving a setting
  gives an error event naming the cause, the file on disk is untouched, the engine goes on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from app.store.settings import load_settings
from tests.engine_harness import EngineClient, running_engine, write_account
from tests.sipnet import HOST, Kamailio, Sipp, free_port, kamailio

pytestmark = pytest.mark.sip

RETRY_BOUND_S = 30 + 10 + 5  # retryIntervalSec + pjsua's random spread + slack


def _account_events(client: EngineClient, since: int) -> list[str]:
    return [str(e.get("state")) for e in client.events[since:] if e.get("ev") == "account"]


@pytest.mark.slow
def test_registrar_restart_shows_failure_then_reregisters(tmp_path: Path, config_dir: Path) -> None:
    with kamailio(tmp_path / "kam") as kam:
        write_account(config_dir, "alice", HOST, kam.port, transport="tcp")
        with running_engine(config_dir) as (engine, client):
            client.wait_account("Registered", 15)
            assert engine.proc is not None
            pid = engine.proc.pid
            since = len(client.events)
            kam.stop()
            failed_at = time.monotonic()
            # the engine hears the TCP connection close (Endpoint.onTransportState)
            client.wait_account("RegisterFailed", 15, since)
            again = Kamailio(kam.port, tmp_path / "kam2")
            again.start(keep_port=True)
            try:
                since = len(client.events)
                client.wait_account("Registered", RETRY_BOUND_S, since)
                took = time.monotonic() - failed_at
            finally:
                again.stop()
            print(f"re-registered {took:.1f} s after the registrar went away")
            assert engine.proc.poll() is None and engine.proc.pid == pid


SESSION_BOUND_S = 150  # Session-Expires 90 s; seen ending after 109 s


@pytest.mark.slow
def test_callee_vanishing_mid_call_ends_the_call(tmp_path: Path, config_dir: Path) -> None:
    callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=200)
    callee.listen()
    with running_engine(config_dir) as (_engine, client):
        client.send("dial", target=f"sip:bob@{HOST}:{callee.port}")
        client.wait_call("Talking", 10)
        since = len(client.events)
        callee.stop()  # SIGKILL: no BYE, no more RTP, nothing answers
        gone = time.monotonic()
        ended = client.wait_call("Finished", SESSION_BOUND_S, since)
        took = time.monotonic() - gone
        print(f"call ended {took:.0f} s after the callee vanished: {ended.get('extra')}")
    invite = callee.messages().split("\nINVITE ", 1)[-1].split("\n\n", 1)[0]
    assert "Session-Expires: 90" in invite


def _chattr(flag: str, path: Path) -> None:
    subprocess.run(["chattr", flag, str(path)], check=True, capture_output=True)


def test_read_only_config_dir_gives_an_error_and_loses_nothing(config_dir: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    # An account (its registrar is not there): with none, the idle screen's F3 is Accounts.
    write_account(config_dir, "alice", HOST, free_port())
    with running_engine(config_dir) as (engine, client):
        assert engine.proc is not None
        client.send("key", key="F3")  # idle soft keys: History, Directory, DND, Menu
        deadline = time.monotonic() + 5
        while not load_settings(config_dir).settings.dnd.enabled:
            assert time.monotonic() < deadline, "DND soft key did not save the settings"
            time.sleep(0.05)
        before = (config_dir / "settings.json").read_bytes()
        try:
            _chattr("+i", config_dir)
        except subprocess.CalledProcessError:
            pytest.skip("this filesystem has no immutable attribute")
        try:
            assert not os.access(config_dir, os.W_OK) or _immutable(config_dir)
            since = len(client.events)
            client.send("key", key="F3")  # DND off: the save must fail
            err = client.wait_for(lambda e: e.get("ev") == "error", 5, since)
            text = str(err.get("text"))
            print(f"error shown: {text}")
            assert "settings" in text.lower()
            assert "permitted" in text.lower() or "read-only" in text.lower()
            assert (config_dir / "settings.json").read_bytes() == before
            assert engine.proc.poll() is None
        finally:
            _chattr("-i", config_dir)
        # Writable again: the engine still runs and still holds the file it had.
        assert load_settings(config_dir).settings.dnd.enabled
        assert engine.proc.poll() is None


def _immutable(path: Path) -> bool:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(["lsattr", "-d", str(path)], check=True, capture_output=True)
        return "i" in out.stdout.decode().split()[0]
    return False
