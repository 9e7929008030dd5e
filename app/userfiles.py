"""Files the user names in the settings (a ringtone, a CA file): read only if they are regular
files of a sane size.

Why: a FIFO named as the ringtone blocked the engine's SIP thread forever in open(); /dev/zero
or a 4 GB file would be read whole; `tls_ca_file=/etc/shadow` handed a secret to OpenSSL. The
file is opened with O_NONBLOCK (opening a FIFO then returns at once instead of waiting for a
writer) and checked with fstat on the open descriptor, so it cannot be swapped in between.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UserFileError(ValueError):
    """The file cannot be used; the message says why in a few words."""


def read_user_file(path: Path, max_bytes: int) -> bytes:
    """The whole file, if it is a regular file of at most `max_bytes`; else UserFileError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:
        raise UserFileError(exc.strerror or "cannot be opened") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UserFileError("not a regular file")
        if st.st_size > max_bytes:
            raise UserFileError(f"larger than {max_bytes // 1024} KB")
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise UserFileError(exc.strerror or "cannot be read") from exc
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UserFileError(f"larger than {max_bytes // 1024} KB")  # it grew while read
    return data


def user_file_error(path: Path, max_bytes: int) -> str:
    """'' when `path` is a readable regular file within the cap, else why not."""
    try:
        read_user_file(path, max_bytes)
    except UserFileError as exc:
        return str(exc)
    return ""


PEM_MARK = b"-----BEGIN CERTIFICATE-----"
MAX_CA_BYTES = 8 << 20  # a CA bundle is a few hundred kB (Debian's whole one: 220 kB)


def ca_file_problem(path: str) -> str:
    """Why `path` cannot be the TLS CA list ('' if it can, or if it is empty): the dialog, the
    settings check and the engine (before OpenSSL reads it) all ask this."""
    if not path:
        return ""
    file = Path(path)
    if not file.is_absolute():
        return "give the full path of the file, e.g. /etc/ssl/certs/my-ca.pem"
    try:
        data = read_user_file(file, MAX_CA_BYTES)
    except UserFileError as exc:
        return "no such file" if not file.exists() else str(exc)
    if PEM_MARK not in data:
        return "not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)"
    return ""
