"""Where passwords live: the system keyring, else a file only the user can read.

settings.json never holds a password. `app/store/settings.py` strips them into this store on
save and fills them back on load. Secret names are `account.<index>.password` (index into
Settings.accounts, from 0) and `remote.action_uri_password`.

In the keyring a secret is kept per config directory (`<resolved dir>:<name>` under the service
"deskphone"): two config dirs are two phones, and they used to overwrite each other's
passwords. Entries from before that (the bare name) belong to the default
config dir only, which takes them over the first time it reads them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from app.paths import default_config_dir
from app.store import secret_service
from app.store.errors import StoreError
from app.store.fsutil import safe_write

log = logging.getLogger(__name__)

KEYRING_SERVICE = "deskphone"
SECRETS_FILE = "secrets.json"
ACTION_URI_SECRET = "remote.action_uri_password"


def account_secret(index: int) -> str:
    return f"account.{index}.password"


def usable_keyring(backend: Any | None = None) -> Any | None:
    """The keyring backend if it can really store secrets, else None.

    With no backend given: the desktop's Secret Service spoken to directly
    (app/store/secret_service.py: no `keyring`/`secretstorage`/`cryptography` imports, 17 MB
    less in each process), unless the user configured a keyring backend for Python programs,
    which is then honoured through the keyring library. keyring picks `fail.Keyring`
    (priority 0) when no backend exists, e.g. on a server without Secret Service; a chainer
    with no members is just as useless.
    """
    if backend is None and not secret_service.keyring_configured():
        return secret_service.SecretService() if secret_service.available() else None
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:
        return None
    kr = backend if backend is not None else keyring.get_keyring()
    if isinstance(kr, fail.Keyring):
        return None
    if isinstance(kr, chainer.ChainerBackend) and not kr.backends:
        return None
    try:
        priority = float(kr.priority)
    except Exception:  # a backend may raise while probing its own availability
        return None
    return kr if priority > 0 else None


class SecretStore:
    """Passwords by name. `kind` is "keyring" or "file"; `where` is a sentence for the dialog."""

    def __init__(self, config_dir: Path, backend: Any | None = None, use_keyring: bool = True):
        self.path = config_dir / SECRETS_FILE
        self._scope = _resolved(config_dir)
        self._legacy = self._scope == _resolved(default_config_dir())
        self._backend, self._use_keyring = backend, use_keyring
        self._found: Any | None = None
        self._looked = False  # the keyring is looked for when a password is first needed
        self.note = ""  # set when the keyring failed at run time and the file took over

    @property
    def _keyring(self) -> Any | None:
        if not self._looked:
            self._looked = True
            self._found = usable_keyring(self._backend) if self._use_keyring else None
        return self._found

    @_keyring.setter
    def _keyring(self, backend: Any | None) -> None:
        self._looked, self._found = True, backend

    @property
    def kind(self) -> str:
        return "keyring" if self._keyring is not None else "file"

    @property
    def where(self) -> str:
        if self._keyring is not None:
            name = getattr(self._keyring, "name", type(self._keyring).__name__)
            return f"Passwords are kept in the system keyring ({name})."
        text = (
            "No system keyring is available: passwords are kept in "
            f"{self.path}, readable only by you."
        )
        return f"{text} {self.note}" if self.note else text

    # ---- the private file --------------------------------------------------------------

    def _read_file(self) -> dict[str, str]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(
                f"Could not read the password file {self.path}: {exc.strerror}"
            ) from exc
        if stat.S_IMODE(st.st_mode) & 0o077:
            # someone widened it; narrow it back before reading what it holds
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.error("password file %s unreadable: %s", self.path, type(exc).__name__)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}

    def _write_file(self, data: dict[str, str]) -> None:
        if not data and not self.path.exists():
            return
        text = json.dumps(data, indent=1, sort_keys=True)
        safe_write("the passwords", self.path, text.encode("utf-8"), mode=0o600)

    # ---- public ------------------------------------------------------------------------

    def keyring_name(self, name: str) -> str:
        """The keyring entry of secret `name` for this config directory."""
        return f"{self._scope}:{name}"

    def get(self, name: str) -> str:
        if self._keyring is not None:
            try:
                value = self._keyring.get_password(KEYRING_SERVICE, self.keyring_name(name))
                if not value and self._legacy:
                    value = self._take_legacy(name)
            except Exception as exc:
                log.warning("keyring read of %s failed: %s", name, type(exc).__name__)
                value = None
            if value:
                return str(value)
        return self._read_file().get(name, "")

    def _take_legacy(self, name: str) -> str | None:
        """An unscoped entry of an older DeskPhone, moved under this directory's name."""
        assert self._keyring is not None
        value = self._keyring.get_password(KEYRING_SERVICE, name)
        if value:
            self._keyring.set_password(KEYRING_SERVICE, self.keyring_name(name), value)
            with contextlib.suppress(Exception):
                self._keyring.delete_password(KEYRING_SERVICE, name)
            log.info("keyring entry %s now kept for %s", name, self._scope)
        return str(value) if value else None

    def set_many(self, values: dict[str, str]) -> None:
        """Store each value; an empty value deletes the secret."""
        file_data = self._read_file()
        before = dict(file_data)
        for name, value in values.items():
            if self._keyring is not None and self._keyring_set(name, value):
                file_data.pop(name, None)  # the keyring holds it now
                continue
            if value:
                file_data[name] = value
            else:
                file_data.pop(name, None)
        if file_data != before:
            self._write_file(file_data)

    def set(self, name: str, value: str) -> None:
        self.set_many({name: value})

    def _keyring_set(self, name: str, value: str) -> bool:
        assert self._keyring is not None
        try:
            if value:
                self._keyring.set_password(KEYRING_SERVICE, self.keyring_name(name), value)
            else:
                with contextlib.suppress(Exception):
                    self._keyring.delete_password(KEYRING_SERVICE, self.keyring_name(name))
            if self._legacy:  # an older unscoped entry must not outlive the new value
                with contextlib.suppress(Exception):
                    self._keyring.delete_password(KEYRING_SERVICE, name)
            return True
        except Exception as exc:
            log.error("keyring write failed (%s); using the private file", type(exc).__name__)
            self._keyring = None
            self.note = "(The system keyring refused a password.)"
            return False


def _resolved(config_dir: Path) -> str:
    try:
        return str(config_dir.expanduser().resolve())
    except (OSError, RuntimeError):
        return str(config_dir.expanduser().absolute())
