"""SIGKILL while saving: every file opens afterwards and no committed change is lost.

A child process loops: save settings (step n in sip_port and a password), add call n to the
history, add contact n, then print n. A printed n is committed. The child is killed at random
moments, 30 times, each time continuing where the files say it stopped.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.directory import Directory
from app.store.history import CallHistory
from app.store.secrets import SecretStore
from app.store.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
BASE_PORT = 10000

CHILD = f"""
import sys
from pathlib import Path
from app.phone.model import Direction
from app.phone.settings import AccountSettings
from app.store.directory import Contact, Directory
from app.store.history import CallHistory, CallRecord
from app.store.secrets import SecretStore
from app.store.settings import load_settings, save_settings

d = Path(sys.argv[1])
secrets = SecretStore(d, use_keyring=False)
loaded = load_settings(d, secrets)
if loaded.warning:
    sys.exit("settings warning: " + loaded.warning)
s = loaded.settings
if not s.accounts:
    s.accounts = [AccountSettings(user="1", server="pbx.test")]
    s.sip_port = {BASE_PORT}
history = CallHistory(d, limit=1_000_000)
contacts = Directory(d)
if history.warning or contacts.warning:
    sys.exit("warning: " + history.warning + contacts.warning)
n = s.sip_port - {BASE_PORT}
while True:
    n += 1
    s.sip_port = {BASE_PORT} + n
    s.accounts[0].password = f"pw{{n}}"
    save_settings(d, s, secrets)
    history.add(CallRecord(Direction.INCOMING, 0, f"sip:{{n}}@pbx.test", started=float(n)))
    contacts.add(Contact(f"c{{n}}", office=str(n)))
    print(n, flush=True)
"""


def _check(config_dir: Path, committed: set[int]) -> int:
    loaded = load_settings(config_dir, SecretStore(config_dir, use_keyring=False))
    assert loaded.warning == ""
    step = loaded.settings.sip_port - BASE_PORT
    assert step >= max(committed, default=0)
    # passwords are stored before settings.json, so the secret may be one step ahead
    assert loaded.settings.accounts[0].password in (f"pw{step}", f"pw{step + 1}")
    with CallHistory(config_dir) as history:
        assert history.warning == ""
        calls = {int(r.remote_uri[4:].split("@")[0]) for r in history.calls()}
    contacts = Directory(config_dir)
    assert contacts.warning == ""
    names = {int(c.name[1:]) for c in contacts.contacts()}
    assert committed <= calls, f"lost calls {sorted(committed - calls)}"
    assert committed <= names, f"lost contacts {sorted(committed - names)}"
    return step


@pytest.mark.slow
def test_sigkill_during_saves_loses_nothing_committed(config_dir: Path) -> None:
    rng = random.Random(8)
    committed: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _round in range(30):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(config_dir)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert child.stdout is not None
        # wait for the first commit (so kills land mid-loop), then a random moment more
        select.select([child.stdout], [], [], 10)
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL, err.decode()
        printed = {int(x) for x in out.split()}
        assert printed, "the child committed nothing before the kill"
        committed |= printed
        _check(config_dir, committed)
    assert len(committed) >= 30, len(committed)
    print(f"{len(committed)} steps committed over 30 kills")
