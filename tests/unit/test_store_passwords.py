"""Passwords: keyring when usable, else a 0600 file; never in settings.json, logs or exports."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.phone.settings import AccountSettings, Settings
from app.store.secrets import KEYRING_SERVICE, SecretStore, usable_keyring
from app.store.settings import load_settings, save_settings
from app.store.yealink_cfg import export_cfg, import_cfg

PASSWORD = "Tr0ub4dor&3-unique"
URI_PASSWORD = "Act10n-Ur1-unique"


class MemoryKeyring(KeyringBackend):
    priority = 5

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


def _fail() -> object:
    return fail.Keyring()  # type: ignore[no-untyped-call]


def _settings() -> Settings:
    s = Settings()
    s.accounts = [AccountSettings(user="1001", server="pbx.test", password=PASSWORD)]
    s.remote.action_uri_user = "admin"
    s.remote.action_uri_password = URI_PASSWORD
    return s


def _files_with(root: Path, secret: str, skip: set[str] = frozenset()) -> list[Path]:  # type: ignore[assignment]
    return [
        p for p in root.rglob("*")
        if p.is_file() and p.name not in skip and secret.encode() in p.read_bytes()
    ]  # fmt: skip


def test_fail_backend_means_private_file() -> None:
    assert usable_keyring(_fail()) is None
    assert usable_keyring(MemoryKeyring()) is not None


def test_private_file_holds_passwords_nothing_else_does(
    config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore(config_dir, backend=_fail())
    assert store.kind == "file" and "readable only by you" in store.where
    save_settings(config_dir, _settings(), store)
    loaded = load_settings(config_dir, SecretStore(config_dir, backend=_fail()))
    assert loaded.settings.accounts[0].password == PASSWORD
    assert loaded.settings.remote.action_uri_password == URI_PASSWORD
    secrets = config_dir / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    for secret in (PASSWORD, URI_PASSWORD):
        assert _files_with(config_dir, secret, skip={"secrets.json"}) == []
        assert secret.encode() in secrets.read_bytes()
    # an export, an import report and everything logged meanwhile
    text = export_cfg(loaded.settings)
    _, report = import_cfg(export_cfg(loaded.settings, include_passwords=True) + "x\n")
    (config_dir / "settings.json").write_text("{broken")  # a logged failure path, too
    load_settings(config_dir, SecretStore(config_dir, backend=_fail()))
    for secret in (PASSWORD, URI_PASSWORD):
        assert secret not in text
        assert secret not in report.text()
        assert secret not in caplog.text


def test_keyring_backend_used_when_available(config_dir: Path) -> None:
    kr = MemoryKeyring()
    store = SecretStore(config_dir, backend=kr)
    assert store.kind == "keyring" and "system keyring" in store.where
    save_settings(config_dir, _settings(), store)
    assert kr.data[(KEYRING_SERVICE, store.keyring_name("account.0.password"))] == PASSWORD
    assert not (config_dir / "secrets.json").exists()
    assert _files_with(config_dir, PASSWORD) == [] and _files_with(config_dir, URI_PASSWORD) == []
    loaded = load_settings(config_dir, SecretStore(config_dir, backend=kr))
    assert loaded.settings.accounts[0].password == PASSWORD
    # an account removed: its password goes too
    loaded.settings.accounts = []
    save_settings(config_dir, loaded.settings, SecretStore(config_dir, backend=kr))
    assert (KEYRING_SERVICE, store.keyring_name("account.0.password")) not in kr.data


def test_keyring_failure_falls_back_to_file(config_dir: Path) -> None:
    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError("locked")

    store = SecretStore(config_dir, backend=Broken())
    save_settings(config_dir, _settings(), store)
    assert store.kind == "file" and "refused" in store.where
    assert load_settings(config_dir, store).settings.accounts[0].password == PASSWORD


def test_widened_file_permissions_are_narrowed(config_dir: Path) -> None:
    store = SecretStore(config_dir, use_keyring=False)
    store.set("account.0.password", PASSWORD)
    (config_dir / "secrets.json").chmod(0o644)
    assert store.get("account.0.password") == PASSWORD
    assert stat.S_IMODE((config_dir / "secrets.json").stat().st_mode) == 0o600


def test_two_config_dirs_keep_their_own_passwords(tmp_path: Path) -> None:
    kr = MemoryKeyring()
    first, second = tmp_path / "first", tmp_path / "second"
    SecretStore(first, backend=kr).set("account.0.password", "first-secret")
    SecretStore(second, backend=kr).set("account.0.password", "second-secret")
    assert SecretStore(first, backend=kr).get("account.0.password") == "first-secret"
    assert SecretStore(second, backend=kr).get("account.0.password") == "second-secret"
    SecretStore(second, backend=kr).set("account.0.password", "")
    assert SecretStore(first, backend=kr).get("account.0.password") == "first-secret"


def test_an_unscoped_entry_of_an_older_version_goes_to_the_default_dir_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    kr = MemoryKeyring()
    kr.data[(KEYRING_SERVICE, "account.0.password")] = "old-secret"
    assert SecretStore(tmp_path / "other", backend=kr).get("account.0.password") == ""
    default = SecretStore(tmp_path / "xdg" / "deskphone", backend=kr)
    assert default.get("account.0.password") == "old-secret"
    assert kr.data == {(KEYRING_SERVICE, default.keyring_name("account.0.password")): "old-secret"}
