"""Crash-safe file replacement: the old file stays whole until the new one is on disk."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from app.store.errors import StoreError, os_error_text


def _remove_stale_temps(path: Path) -> None:
    """Drop temp files left by writers that were killed mid-save (their pid is gone)."""
    for tmp in path.parent.glob(f".{path.name}.tmp-*"):
        pid_text = tmp.name.rsplit("-", 1)[-1]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                tmp.unlink()
        except OSError:
            pass


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` by write, fsync, rename, fsync of the folder.

    Raises OSError; `safe_write` turns that into a StoreError with a sentence for the user.
    `mode` is applied at creation so a private file is never readable by others, not even briefly.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        try:
            os.fchmod(fd, mode)  # an old temp file may have had other bits
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    _remove_stale_temps(path)


def safe_write(what: str, path: Path, data: bytes, mode: int = 0o600) -> None:
    """`atomic_write`, creating the folder, with failures as StoreError naming the cause."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data, mode)
    except OSError as exc:
        raise StoreError(os_error_text(what, path, exc), path) from exc
