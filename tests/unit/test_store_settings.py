"""Settings persistence: schema migration, validation, corrupt files, read-only and full disks."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.phone.model import Direction
from app.phone.settings import AccountSettings, Settings
from app.store.directory import Contact, Directory
from app.store.errors import InvalidSettings, StoreError
from app.store.history import CallHistory, CallRecord
from app.store.secrets import SecretStore
from app.store.settings import SCHEMA_VERSION, SETTINGS_FILE, load_settings, save_settings
from app.store.validate import validate_settings


def _store(config_dir: Path) -> SecretStore:
    return SecretStore(config_dir, use_keyring=False)


def _sample() -> Settings:
    s = Settings()
    s.accounts = [AccountSettings(label="Office", user="1001", server="pbx.test", password="pw1")]
    s.dnd.refuse_code = 486
    s.audio.tone_country = "Germany"
    return s


def test_save_load_round_trip_without_password_in_json(config_dir: Path) -> None:
    save_settings(config_dir, _sample(), _store(config_dir))
    raw = json.loads((config_dir / SETTINGS_FILE).read_text())
    assert raw["schema"] == SCHEMA_VERSION
    assert raw["accounts"][0]["password"] == ""
    loaded = load_settings(config_dir, _store(config_dir))
    assert loaded.warning == ""
    assert loaded.settings.accounts[0].password == "pw1"
    assert loaded.settings.audio.tone_country == "Germany"
    assert "readable only by you" in loaded.secrets_note
    mode = stat.S_IMODE((config_dir / "secrets.json").stat().st_mode)
    assert mode == 0o600


def test_v1_file_is_migrated_and_password_leaves_the_json(config_dir: Path) -> None:
    # the format the first store (commit fa830d4) wrote: schema 1, password inline
    old = {
        "schema": 1,
        "sip_port": 5070,
        "accounts": [{"label": "Old", "user": "7", "server": "pbx.test", "password": "old-pw"}],
        "remote": {"action_uri_password": "uri-pw"},
    }
    (config_dir / SETTINGS_FILE).write_text(json.dumps(old))
    result = load_settings(config_dir, _store(config_dir))
    assert result.warning == ""
    assert result.settings.sip_port == 5070
    assert result.settings.accounts[0].password == "old-pw"
    assert result.settings.remote.action_uri_password == "uri-pw"
    assert result.settings.schema == SCHEMA_VERSION
    on_disk = (config_dir / SETTINGS_FILE).read_text()
    assert "old-pw" not in on_disk and "uri-pw" not in on_disk
    assert json.loads(on_disk)["schema"] == SCHEMA_VERSION


def test_newer_schema_is_kept_aside(config_dir: Path) -> None:
    (config_dir / SETTINGS_FILE).write_text(json.dumps({"schema": 99, "sip_port": 5099}))
    result = load_settings(config_dir, _store(config_dir))
    assert result.settings.sip_port == 5099
    assert "schema 99" in result.warning
    assert (config_dir / f"{SETTINGS_FILE}.schema99").exists()


def test_corrupt_file_is_moved_aside_and_defaults_loaded(config_dir: Path) -> None:
    (config_dir / SETTINGS_FILE).write_text('{"sip_port": 50')
    result = load_settings(config_dir, _store(config_dir))
    assert result.settings == Settings(schema=SCHEMA_VERSION)
    assert "unreadable" in result.warning and "defaults loaded" in result.warning
    kept = list(config_dir.glob(f"{SETTINGS_FILE}.broken-*"))
    assert len(kept) == 1 and kept[0].read_text() == '{"sip_port": 50'


def test_out_of_range_values_in_file_are_reset_naming_the_key(config_dir: Path) -> None:
    raw = {
        "schema": 2,
        "sip_port": 5062,
        "dnd": {"refuse_code": 999},
        "audio": {"volume_ringer": 40},
    }
    (config_dir / SETTINGS_FILE).write_text(json.dumps(raw))
    result = load_settings(config_dir, _store(config_dir))
    assert result.settings.sip_port == 5062  # the good value survives
    assert result.settings.dnd.refuse_code == 480
    assert result.settings.audio.volume_ringer == 8
    assert "dnd.refuse_code" in result.warning and "audio.volume_ringer" in result.warning


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda s: setattr(s.accounts[0], "port", 70000), "accounts.0.port"),
        (lambda s: setattr(s.accounts[0], "transport", "sctp"), "accounts.0.transport"),
        (lambda s: setattr(s.accounts[0], "expires", 10), "accounts.0.expires"),
        (
            lambda s: setattr(s.forward.phone, "no_answer_rings", 21),
            "forward.phone.no_answer_rings",
        ),
        (lambda s: setattr(s.dnd, "refuse_code", 500), "dnd.refuse_code"),
        (lambda s: setattr(s.features, "auto_answer_delay", 5), "features.auto_answer_delay"),
        (lambda s: setattr(s.audio, "volume_handset", 16), "audio.volume_handset"),
        (lambda s: setattr(s.audio, "tone_country", "Atlantis"), "audio.tone_country"),
        (lambda s: setattr(s.features.redirect, "mode", "maybe"), "features.redirect.mode"),
        (
            lambda s: setattr(s.features.redirect, "max_redirects", 21),
            "features.redirect.max_redirects",
        ),
        (lambda s: setattr(s, "sip_port", "5060"), "sip_port"),
        (lambda s: s.audio.custom_tones.update(busy="480+620/x"), "audio.custom_tones.busy"),
        (lambda s: setattr(s.forward.phone.always, "enabled", True), "forward.phone.always.target"),
    ],
)
def test_validation_names_the_key(change: object, key: str) -> None:
    s = _sample()
    assert validate_settings(s) == {}
    change(s)  # type: ignore[operator]
    errors = validate_settings(s)
    assert list(errors) == [key]
    assert errors[key].startswith(key + ": ")


def test_invalid_settings_are_not_saved(config_dir: Path) -> None:
    save_settings(config_dir, _sample(), _store(config_dir))
    before = (config_dir / SETTINGS_FILE).read_bytes()
    bad = _sample()
    bad.audio.volume_ringer = 99
    with pytest.raises(InvalidSettings) as info:
        save_settings(config_dir, bad, _store(config_dir))
    assert "audio.volume_ringer" in info.value.errors
    assert (config_dir / SETTINGS_FILE).read_bytes() == before


# ---- read-only directory and full disk: real mounts when we may mount, else skipped --------


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _unmount(path: Path) -> None:
    # lazily when a failed test left a file open, so no mount outlives the test run
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    src, dst = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    dst.mkdir()
    save_settings(src, _sample(), _store(src))
    with CallHistory(src) as h:
        h.add(CallRecord(Direction.INCOMING, 0, "sip:1@pbx", started=1))
    Directory(src).add(Contact("Bob", office="1003"))
    if os.geteuid() != 0 or not _mount("--bind", str(src), str(dst)):
        pytest.skip("needs root to bind-mount a read-only directory")
    try:
        if not _mount("-o", "remount,bind,ro", str(dst)):
            pytest.skip("read-only remount not permitted here")
        yield dst
    finally:
        _unmount(dst)


def test_read_only_config_dir_gives_clear_error_and_keeps_settings(read_only_dir: Path) -> None:
    before = (read_only_dir / SETTINGS_FILE).read_bytes()
    changed = _sample()
    changed.sip_port = 5999
    with pytest.raises(StoreError) as info:
        save_settings(read_only_dir, changed, _store(read_only_dir))
    assert "read-only" in str(info.value) and "unchanged" in str(info.value)
    assert (read_only_dir / SETTINGS_FILE).read_bytes() == before
    assert load_settings(read_only_dir, _store(read_only_dir)).settings.sip_port == 5060


def test_read_only_config_dir_history_and_contacts(read_only_dir: Path) -> None:
    with CallHistory(read_only_dir) as h:
        assert h.read_only and "read-only" in h.warning
        assert [c.remote_uri for c in h.calls()] == ["sip:1@pbx"]  # still shown
        with pytest.raises(StoreError, match="read-only"):
            h.add(CallRecord(Direction.INCOMING, 0, "sip:2@pbx", started=2))
    d = Directory(read_only_dir)
    with pytest.raises(StoreError, match="read-only"):
        d.add(Contact("Carol", office="1004"))
    assert [c.name for c in Directory(read_only_dir).contacts()] == ["Bob"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mnt
    finally:
        _unmount(mnt)


def _fill_disk(small_disk: Path) -> None:
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:  # fill the rest of the 512 KiB
        with pytest.raises(OSError) as full:
            while True:
                os.write(fd, b"x" * 4096)
        assert full.value.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_full_disk_gives_clear_error_and_keeps_settings(small_disk: Path) -> None:
    save_settings(small_disk, _sample(), _store(small_disk))
    before = (small_disk / SETTINGS_FILE).read_bytes()
    _fill_disk(small_disk)
    big = _sample()
    big.remote.action_urls = {"incoming_call": "http://h/" + "a" * 2000}  # within URL_MAX
    with pytest.raises(StoreError) as info:
        save_settings(small_disk, big, _store(small_disk))
    assert "disk" in str(info.value) and "full" in str(info.value)
    assert (small_disk / SETTINGS_FILE).read_bytes() == before
    assert not list(small_disk.glob(".settings.json.tmp-*"))  # no half-written leftovers


def test_full_disk_history_and_contacts(small_disk: Path) -> None:
    h = CallHistory(small_disk)
    h.add(CallRecord(Direction.INCOMING, 0, "sip:1@pbx", started=1))
    d = Directory(small_disk)
    d.add(Contact("Bob", office="1003"))
    _fill_disk(small_disk)
    with pytest.raises(StoreError, match="full"):
        for i in range(200):  # SQLite may still have room in pages it already holds
            h.add(CallRecord(Direction.INCOMING, 0, "sip:x@pbx" + "x" * 2000, started=2 + i))
    with pytest.raises(StoreError, match="full"):
        d.add(Contact("Carol " + "c" * 8000, office="1004"))
    h.close()
    (small_disk / "filler").unlink()
    with CallHistory(small_disk) as again:
        assert again.calls()[-1].remote_uri == "sip:1@pbx"
    assert [c.name for c in Directory(small_disk).contacts()] == ["Bob"]


def test_enospc_on_write_is_reported_simulated(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same as above without mounts: os.write raising ENOSPC (runs everywhere)."""
    save_settings(config_dir, _sample(), _store(config_dir))
    before = (config_dir / SETTINGS_FILE).read_bytes()

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)  # fsutil writes through os.write
    with pytest.raises(StoreError, match="full"):
        save_settings(config_dir, Settings(), _store(config_dir))
    monkeypatch.undo()
    assert (config_dir / SETTINGS_FILE).read_bytes() == before
