"""Private files: the config directory holds passwords' neighbours (sip.log has digests that
fall to an offline guess, history, contacts): every directory in it 0700, every file 0600,
for new installs and for existing ones (fixed when the phone starts)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.phone.settings import Settings
from app.store.secrets import SecretStore
from app.store.settings import save_settings
from tests.engine_harness import ROOT, running_engine

pytestmark = pytest.mark.sip


def modes(root: Path) -> dict[str, str]:
    """Relative path -> octal mode of everything under `root` (root itself as ".")."""
    out = {".": oct(stat.S_IMODE(root.lstat().st_mode))}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue
        out[str(path.relative_to(root))] = oct(stat.S_IMODE(st.st_mode))
    return out


def assert_private(root: Path) -> None:
    found = modes(root)
    wrong = {
        name: mode
        for name, mode in found.items()
        if mode != ("0o700" if (root / name).is_dir() else "0o600")
    }
    assert wrong == {}, found


def old_install(config_dir: Path, outside: Path) -> None:
    """What an earlier DeskPhone left: 0755 folders and 0644 files, a digest in sip.log."""
    save_settings(config_dir, Settings(), SecretStore(config_dir, use_keyring=False))
    logs = config_dir / "logs"
    logs.mkdir()
    (logs / "sip.log").write_text('Authorization: Digest username="1001", response="0a4f"\n')
    (logs / "sip.log.1").write_text("older\n")
    (config_dir / "contacts.json").write_text("[]")
    flows = config_dir / "callflows" / "2024"
    flows.mkdir(parents=True)
    (flows / "call-1.json").write_text("{}")
    (config_dir / "link-out").symlink_to(outside)
    for path in [config_dir, *config_dir.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_the_engine_makes_an_existing_install_private(config_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "not-ours.txt"
    outside.write_text("a file elsewhere that a symlink in the config dir points to")
    outside.chmod(0o644)
    old_install(config_dir, outside)
    with running_engine(config_dir):
        pass
    for made in ("logs/engine.log", "logs/sip.log", "history.sqlite3"):
        assert (config_dir / made).exists(), made
    assert_private(config_dir)
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a symlink is not followed


def test_a_new_install_is_private_from_the_first_file(tmp_path: Path) -> None:
    config_dir = tmp_path / "xdg" / "deskphone"
    cfg = tmp_path / "p.cfg"
    cfg.write_text("#!version:1.0.0.1\naccount.1.user_name = 3001\n")
    done = subprocess.run(
        [sys.executable, "-m", "app", "--config-dir", str(config_dir), "--provision", str(cfg)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (config_dir / "settings.json").exists() and (config_dir / "logs").is_dir()
    assert_private(config_dir)
