"""settings.json's one writer in each process: every save is a read-modify-write under a lock.

Two processes write settings.json: the window (the settings dialog, the tray menu) and the
engine (DND and forward switched on the handset or by Action URI); `deskphone --provision`
is a third. Each used to write the whole Settings object it held, so one could silently undo
a newer change of another: DND switched on at the handset while the dialog was open came
back off when the dialog's OK wrote what it had loaded. Here a save is a *change* applied to
what is on disk at that moment: take an exclusive lock (flock on `.settings.lock` beside the
file), read, apply, validate, write atomically (app/store/settings.py), release. The change is
a function (the tray's toggle, the handset's DND) or, for the dialog and provisioning, the
fields that were edited since the settings were read: fields nobody touched keep what is on
disk now.

Why a lock and not one writer (say the engine, taking the window's edits over the socket):
the window must be able to save while the engine restarts or is down, and --provision runs
with no engine at all. A lock works for every process, costs nothing while nobody writes,
and keeps a failed save a synchronous error the dialog can show next to the edits.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.phone.settings import Settings
from app.store.errors import StoreError
from app.store.secrets import SecretStore
from app.store.settings import (
    SETTINGS_FILE,
    LoadResult,
    load_settings,
    save_settings,
    settings_from_dict,
    settings_to_dict,
)

LOCK_FILE = ".settings.lock"
LOCK_TIMEOUT = 5.0  # a writer holds the lock for milliseconds (a keyring write at worst)
_MISSING = object()


class SettingsFile:
    """The settings of one config directory, as one process reads and changes them."""

    def __init__(self, config_dir: Path, secrets: SecretStore | None = None) -> None:
        self.config_dir = config_dir
        self._secrets = secrets
        self._last: Settings | None = None  # what this process last read or wrote

    def load(self) -> LoadResult:
        """The saved settings (app/store/settings.py's load_settings, under the lock)."""
        with self._locked(create=False):
            result = load_settings(self.config_dir, self._secrets)
        self._last = copy.deepcopy(result.settings)
        return result

    def update(self, change: Callable[[Settings], object]) -> bool:
        """Apply `change` to the saved settings and save them.

        `change` edits the Settings it is given in place; when it returns False nothing is
        written (and update returns False). Raises StoreError (InvalidSettings when the result
        is out of range) with the file as it was.
        """

        def apply(settings: Settings) -> Settings | None:
            return None if change(settings) is False else settings

        return self._save(apply) is not None

    def save_edits(self, base: Settings, edited: Settings) -> Settings:
        """Save the fields that differ between `base` (as read) and `edited` onto the saved
        settings; the others keep what is on disk now. Returns what was saved."""

        def apply(settings: Settings) -> Settings:
            merged = merge_edits(
                settings_to_dict(settings), settings_to_dict(base), settings_to_dict(edited)
            )
            return settings_from_dict(merged)

        saved = self._save(apply)
        assert saved is not None
        return saved

    # ---- inside ----------------------------------------------------------------------------

    def _save(self, apply: Callable[[Settings], Settings | None]) -> Settings | None:
        with self._locked(create=True):
            result = apply(self._fresh())
            if result is None:
                return None
            save_settings(self.config_dir, result, self._secrets)
        self._last = copy.deepcopy(result)
        return result

    def _fresh(self) -> Settings:
        if self._last is not None and not _readable(self.config_dir / SETTINGS_FILE):
            # Unreadable now: build on what this process last had, not on defaults (they would
            # undo everything). A save never moves files; the next load keeps the broken file
            # aside and reports it.
            return copy.deepcopy(self._last)
        return load_settings(self.config_dir, self._secrets).settings

    @contextlib.contextmanager
    def _locked(self, create: bool) -> Iterator[None]:
        if create:
            with contextlib.suppress(OSError):  # the save itself reports a folder it cannot make
                self.config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(self.config_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            # No folder yet, or a read-only one: nobody can write here, so nothing to exclude;
            # a save then fails in save_settings with its own sentence.
            yield
            return
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"Could not save the settings: another DeskPhone process kept them "
                            f"locked for {LOCK_TIMEOUT:.0f} s. The previously saved copy is "
                            "unchanged.",
                            self.config_dir / SETTINGS_FILE,
                        ) from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def _readable(path: Path) -> bool:
    """False when `path` is there but is no JSON object (load_settings would move it aside)."""
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
    except FileNotFoundError:
        return True  # no file: the defaults are what is saved
    except (OSError, ValueError):
        return False


def merge_edits(target: Any, base: Any, edited: Any) -> Any:
    """`target` with the changes from `base` to `edited` (nested dicts and lists, as JSON)."""
    if base == edited:
        return target
    if isinstance(base, dict) and isinstance(edited, dict) and isinstance(target, dict):
        out = dict(target)
        for key in [*base, *(k for k in edited if k not in base)]:
            old, new = base.get(key, _MISSING), edited.get(key, _MISSING)
            if old == new:
                continue
            if new is _MISSING:
                out.pop(key, None)
            elif old is _MISSING or key not in target:
                out[key] = new
            else:
                out[key] = merge_edits(target[key], old, new)
        return out
    if (
        isinstance(base, list)
        and isinstance(edited, list)
        and isinstance(target, list)
        and len(base) == len(edited) == len(target)
    ):
        return [merge_edits(t, b, e) for t, b, e in zip(target, base, edited, strict=True)]
    return edited
