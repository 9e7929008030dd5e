"""settings.json written by more than one process: every save is a locked read-modify-write.

The window (dialog, tray) and the engine (handset DND and forward) both write the file; these
check that neither undoes the other's change, with real processes and the real lock.
"""

from __future__ import annotations

import ast
import copy
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store import settings_file
from app.store.errors import StoreError
from app.store.secrets import SecretStore
from app.store.settings import SETTINGS_FILE, load_settings, save_settings
from app.store.settings_file import LOCK_FILE, SettingsFile, merge_edits

ROOT = Path(__file__).resolve().parents[2]


def store(config_dir: Path) -> SettingsFile:
    return SettingsFile(config_dir, SecretStore(config_dir, use_keyring=False))


def saved(config_dir: Path) -> Settings:
    return load_settings(config_dir, SecretStore(config_dir, use_keyring=False)).settings


def test_update_applies_the_change_to_what_is_on_disk_now(tmp_path: Path) -> None:
    window, engine = store(tmp_path), store(tmp_path)
    window.load()
    engine.load()
    assert engine.update(lambda s: setattr(s.dnd, "enabled", True))
    # the window's copy is older, but its change goes onto the file as it is now
    assert window.update(lambda s: setattr(s.forward.phone.always, "target", "2000"))
    now = saved(tmp_path)
    assert now.dnd.enabled and now.forward.phone.always.target == "2000"
    assert os.stat(tmp_path / LOCK_FILE).st_mode & 0o777 == 0o600


def test_a_change_that_says_false_writes_nothing(tmp_path: Path) -> None:
    s = store(tmp_path)
    assert not s.update(lambda settings: False)
    assert not (tmp_path / SETTINGS_FILE).exists()


def test_dialog_edits_keep_a_change_made_while_it_was_open(tmp_path: Path) -> None:
    save_settings(
        tmp_path,
        Settings(accounts=[AccountSettings(user="a", server="pbx.test")]),
        SecretStore(tmp_path, use_keyring=False),
    )
    window = store(tmp_path)
    base = window.load().settings
    edited = copy.deepcopy(base)
    edited.sip_port = 5070
    edited.accounts[0].label = "Desk"
    # meanwhile DND goes on at the handset, and the same account's user changes too
    store(tmp_path).update(lambda s: setattr(s.dnd, "enabled", True))
    store(tmp_path).update(lambda s: setattr(s.accounts[0], "user", "b"))
    result = window.save_edits(base, edited)
    now = saved(tmp_path)
    assert now == result
    assert now.sip_port == 5070 and now.accounts[0].label == "Desk"  # the dialog's edits
    assert now.dnd.enabled and now.accounts[0].user == "b"  # the change it never touched


def test_edits_to_a_field_changed_meanwhile_win_and_lists_of_new_length_replace() -> None:
    target = {"a": 1, "b": [1, 2], "c": {"x": 1, "y": 2}, "d": [{"k": 1}]}
    base = {"a": 0, "b": [1, 2], "c": {"x": 0, "y": 0}, "d": [{"k": 0}]}
    edited = {"a": 5, "b": [1, 2, 3], "c": {"x": 0, "y": 9}, "d": [{"k": 0}], "e": 4}
    assert merge_edits(target, base, edited) == {
        "a": 5,  # both changed it: the edit is what the user asked for last
        "b": [1, 2, 3],
        "c": {"x": 1, "y": 9},
        "d": [{"k": 1}],
        "e": 4,
    }
    assert merge_edits(target, base, base) == target


def test_an_unreadable_file_is_not_replaced_by_defaults(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.update(lambda settings: setattr(settings, "sip_port", 5071))
    s.load()
    (tmp_path / SETTINGS_FILE).write_text("{ broken")
    s.update(lambda settings: setattr(settings.dnd, "enabled", True))
    now = saved(tmp_path)
    assert now.sip_port == 5071 and now.dnd.enabled


def test_a_held_lock_makes_a_save_fail_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_file, "LOCK_TIMEOUT", 0.3)
    s = store(tmp_path)
    s.update(lambda settings: setattr(settings, "sip_port", 5072))
    fd = os.open(tmp_path / LOCK_FILE, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked"):
            s.update(lambda settings: setattr(settings, "sip_port", 5073))
        assert 0.3 <= time.monotonic() - started < 3
    finally:
        os.close(fd)
    assert saved(tmp_path).sip_port == 5072


WRITER = """
import sys, time
from pathlib import Path
from app.store.secrets import SecretStore
from app.store.settings_file import SettingsFile

d, field, start = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
store = SettingsFile(d, SecretStore(d, use_keyring=False))
while time.time() < start:
    time.sleep(0.001)
def bump(settings):
    if field == "sip_port":
        settings.sip_port += 1
    else:
        settings.remote.action_uri_port += 1
for _ in range(int(sys.argv[4])):
    store.update(bump)
"""


def test_two_processes_writing_at_once_lose_no_change(tmp_path: Path) -> None:
    """Without the lock, one writer's read-then-write overwrites the other's (lost updates)."""

    def ports(settings: Settings) -> None:
        settings.sip_port, settings.remote.action_uri_port = 10000, 20000

    store(tmp_path).update(ports)
    rounds, start = 40, time.time() + 1.5
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), field, str(start), str(rounds)], env=env
        )
        for field in ("sip_port", "action_uri_port")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    now = saved(tmp_path)
    assert (now.sip_port, now.remote.action_uri_port) == (10000 + rounds, 20000 + rounds)


def test_only_the_store_writes_settings_json() -> None:
    """Outside app/store, settings.json is written through SettingsFile only."""
    writers = []
    for top in ("app", "ui"):
        for path in (ROOT / top).rglob("*.py"):
            if path.is_relative_to(ROOT / "app" / "store"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and any(
                    a.name == "save_settings" for a in node.names
                ):
                    writers.append(str(path.relative_to(ROOT)))
    assert writers == []
