"""Passwords in a real Secret Service (gnome-keyring on a private session bus), without the keyring
library in the process (app/store/secret_service.py), and interchangeable with it.

Each test gets its own dbus-daemon and an unlocked gnome-keyring whose files live under tmp_path;
nothing touches the user's own keyring.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, Settings
from app.store import secret_service
from app.store.secret_service import SecretService
from app.store.secrets import KEYRING_SERVICE, SecretStore
from app.store.settings import load_settings, save_settings

pytestmark = pytest.mark.skipif(
    shutil.which("gnome-keyring-daemon") is None or shutil.which("dbus-daemon") is None,
    reason="gnome-keyring-daemon and dbus-daemon are test packages (packaging/system-deps.sh)",
)

PASSWORD = "S3cret-service-unique"


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private session bus with an unlocked gnome-keyring; the environment points at it."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(run),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdgconfig"),
        "HOME": str(tmp_path),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    address = f"unix:path={run / 'bus'}"
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", f"--address={address}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    keyring = None
    try:
        deadline = time.monotonic() + 10
        while not (run / "bus").exists():
            assert time.monotonic() < deadline, "dbus-daemon did not start"
            time.sleep(0.02)
        keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "keyring.log").open("wb"),
        )
        assert keyring.stdin is not None
        keyring.stdin.write(b"test-login-password")
        keyring.stdin.close()
        for name in ("XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "HOME"):
            monkeypatch.setenv(name, env[name])
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        deadline = time.monotonic() + 10
        while not _login_keyring():
            log = (tmp_path / "keyring.log").read_text(errors="replace")
            assert time.monotonic() < deadline, f"gnome-keyring did not come up: {log}"
            time.sleep(0.05)
        yield env
    finally:
        for proc in (keyring, bus):
            if proc is not None:
                proc.terminate()
                proc.wait(5)


def _login_keyring() -> bool:
    """gnome-keyring is up and has made its (unlocked) login collection, the default.

    Asked only once the name is owned: a call to an unowned name would have the bus start
    another gnome-keyring (D-Bus activation), without the login keyring."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
    with open_dbus_connection(bus="SESSION") as conn:
        reply = conn.send_and_get_reply(
            new_method_call(bus, "NameHasOwner", "s", (secret_service.BUS_NAME,))
        )
        if not reply.body[0]:
            return False
    try:
        with secret_service._Session() as session:
            return session.default_collection()
    except secret_service.SecretServiceError:
        return False


def _settings() -> Settings:
    return Settings(accounts=[AccountSettings(user="1001", server="pbx.test", password=PASSWORD)])


def test_passwords_go_to_the_secret_service_and_never_to_files(
    session_bus: dict[str, str], config_dir: Path
) -> None:
    store = SecretStore(config_dir)
    assert store.kind == "keyring"
    assert "Secret Service" in store.where
    save_settings(config_dir, _settings(), store)
    assert not (config_dir / "secrets.json").exists()
    assert not [
        p for p in config_dir.rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()
    ]
    assert (
        load_settings(config_dir, SecretStore(config_dir)).settings.accounts[0].password == PASSWORD
    )
    save_settings(config_dir, Settings(), SecretStore(config_dir))  # the account is gone
    assert SecretService().get_password(KEYRING_SERVICE, "account.0.password") is None


def test_keyring_library_and_deskphone_read_each_others_entries(
    session_bus: dict[str, str],
) -> None:
    from keyring.backends import SecretService as KeyringSecretService

    theirs = KeyringSecretService.Keyring()  # type: ignore[no-untyped-call]
    assert theirs.priority > 0
    ours = SecretService()
    ours.set_password(KEYRING_SERVICE, "/cfg:account.0.password", PASSWORD)
    assert theirs.get_password(KEYRING_SERVICE, "/cfg:account.0.password") == PASSWORD
    theirs.set_password(KEYRING_SERVICE, "/cfg:remote.action_uri_password", "from-keyring")
    assert ours.get_password(KEYRING_SERVICE, "/cfg:remote.action_uri_password") == "from-keyring"
    ours.set_password(KEYRING_SERVICE, "/cfg:account.0.password", "changed")  # replaced, not added
    assert theirs.get_password(KEYRING_SERVICE, "/cfg:account.0.password") == "changed"
    ours.delete_password(KEYRING_SERVICE, "/cfg:account.0.password")
    assert theirs.get_password(KEYRING_SERVICE, "/cfg:account.0.password") is None


def test_reading_passwords_loads_no_keyring_library(
    session_bus: dict[str, str], config_dir: Path
) -> None:
    save_settings(config_dir, _settings(), SecretStore(config_dir))
    code = (
        "import sys; from pathlib import Path\n"
        "from app.store.settings import load_settings\n"
        f"s = load_settings(Path({str(config_dir)!r})).settings\n"
        f"assert s.accounts[0].password == {PASSWORD!r}, 'password not read'\n"
        "heavy = [m for m in ('keyring', 'secretstorage', 'cryptography') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], env={**session_bus, "PYTHONPATH": str(root)}, timeout=60
    )
    assert done.returncode == 0


def test_a_configured_keyring_backend_is_honoured(
    session_bus: dict[str, str], config_dir: Path
) -> None:
    # keyring reads its configuration once per process: a process of its own
    code = (
        "from pathlib import Path\n"
        "from app.store.secrets import SecretStore, usable_keyring\n"
        "assert usable_keyring() is None, 'the configured backend was not used'\n"
        f"store = SecretStore(Path({str(config_dir)!r}))\n"
        f"store.set('account.0.password', {PASSWORD!r})\n"
    )
    env = {**session_bus, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], env={**env, "PYTHONPATH": str(root)})
    assert done.returncode == 0
    assert (config_dir / "secrets.json").stat().st_mode & 0o777 == 0o600


def test_no_session_bus_means_the_private_file(
    tmp_path: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no bus socket in it
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdgconfig"))
    store = SecretStore(config_dir)
    assert store.kind == "file"
    store.set("account.0.password", PASSWORD)
    assert store.get("account.0.password") == PASSWORD
    assert (config_dir / "secrets.json").stat().st_mode & 0o777 == 0o600
