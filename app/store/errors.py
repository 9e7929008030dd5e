"""Errors the store raises, each carrying a message fit to show the user as it is."""

from __future__ import annotations

import errno
from pathlib import Path


class StoreError(Exception):
    """Something could not be read or saved; `str(exc)` is the user-facing text."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return self.message


class InvalidSettings(StoreError):
    """Settings refused by validation; `errors` maps key path -> message naming the key."""

    def __init__(self, errors: dict[str, str]) -> None:
        lines = "; ".join(errors.values())
        super().__init__(f"Settings not saved, values out of range: {lines}")
        self.errors = dict(errors)


_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def os_error_text(what: str, path: Path, exc: OSError) -> str:
    """A plain sentence for a failed save: why, where, and that the old copy is intact."""
    folder = path.parent
    if exc.errno == errno.EROFS:
        why = f"the folder {folder} is on a read-only file system"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = f"the folder {folder} is read-only (permission denied)"
    elif exc.errno in _FULL:
        why = f"the disk holding {folder} is full"
    else:
        why = f"{exc.strerror or exc} ({path})"
    return f"Could not save {what}: {why}. The previously saved copy is unchanged."


def is_read_only(exc: OSError) -> bool:
    return exc.errno in _READ_ONLY


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in _FULL
