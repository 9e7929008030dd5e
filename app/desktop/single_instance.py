"""One DeskPhone per user and config directory.

The first process takes an exclusive lock (flock: released by the kernel however the process
dies, so no stale lock survives a crash) and then listens on a Unix socket next to it. A later
`deskphone sip:bob@host` finds the lock taken, connects, hands over its link as one JSON line
and exits once the first instance acknowledges it. Two config dirs are two independent phones
(tests run many side by side), so both names derive from the user and the resolved config dir.

This module is plain Python so the second process exits quickly without loading Qt; the
listening side lives in app/desktop/instance_server.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

# json, socket, time and tempfile are imported where used: the first instance takes its lock
# before it starts its engine, and loads as little as it can before that (docs/footprint.md §1).

MAX_MESSAGE = 8192
CONNECT_TIMEOUT = 3.0  # the first instance may still be starting when the lock is already taken


class HandoffError(RuntimeError):
    """The running instance could not be reached."""


class InstanceDirError(PermissionError):
    """The per-user directory for the lock and socket is not safe to use; the text says why
    and what to do."""


def instance_dir() -> Path:
    """A private per-user directory that stays the same for every process of this user.

    Under /tmp anyone can create `deskphone-<uid>` first: a directory or
    link that is not this user's own, or one others can write to, is refused with
    InstanceDirError (a clear message for the command line) and never used."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base) and os.access(base, os.W_OK):
        path = Path(base) / "deskphone"
    else:
        import tempfile

        path = Path(tempfile.gettempdir()) / f"deskphone-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = path.lstat()  # a symlink is judged as itself, not as what it points to
    except OSError as exc:
        raise InstanceDirError(f"cannot use {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        if stat.S_ISLNK(st.st_mode):
            what = "a link"
        elif stat.S_ISDIR(st.st_mode):
            what = f"owned by uid {st.st_uid}"
        else:
            what = "not a directory"
        raise InstanceDirError(
            f"{path} is {what}, not your own private directory: someone else may have "
            "created it. Remove it (or set XDG_RUNTIME_DIR) and start DeskPhone again."
        )
    if st.st_mode & 0o077:
        # Others could have put a socket or lock in it meanwhile: not narrowed, refused.
        raise InstanceDirError(
            f"{path} has mode {stat.S_IMODE(st.st_mode):04o}, not 0700: others may have put "
            "files in it. Remove it and start DeskPhone again."
        )
    return path


def _sha256_hex(data: bytes) -> str:
    """SHA-256 from Python's own implementation: `hashlib` loads OpenSSL's libcrypto (3.6 MB
    in the window process, which needs no other use of it). Same digest, same key as before."""
    from importlib import import_module

    try:
        builtin: Any = import_module("_sha256")  # Python 3.11
    except ImportError:
        builtin = import_module("_sha2")  # Python 3.12
    return str(builtin.sha256(data).hexdigest())


def instance_key(config_dir: Path) -> str:
    text = f"{os.getuid()}:{config_dir.expanduser().resolve()}"
    return _sha256_hex(text.encode())[:16]


class InstancePaths(NamedTuple):
    """The lock and the socket of one config dir's instance (a NamedTuple: no `dataclasses`
    before the engine is started, docs/footprint.md §1)."""

    lock: Path
    socket: Path

    @classmethod
    def for_config(cls, config_dir: Path) -> InstancePaths:
        base = instance_dir()
        key = instance_key(config_dir)
        # Unix socket paths are limited to 107 bytes: keep the name short.
        return cls(lock=base / f"{key}.lock", socket=base / f"{key}.sock")


class InstanceLock:
    """Held by the first instance for its whole life."""

    def __init__(self, paths: InstancePaths) -> None:
        self.paths = paths
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True if this process is now the first instance."""
        fd = os.open(self.paths.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        # A socket file left by a crashed instance would make the new server fail to listen.
        with contextlib.suppress(FileNotFoundError):
            self.paths.socket.unlink()
        return True

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.paths.socket.unlink()
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def encode_message(op: str, **data: Any) -> bytes:
    import json

    return json.dumps({"op": op, **data}, separators=(",", ":")).encode() + b"\n"


def decode_message(line: bytes) -> dict[str, Any] | None:
    """One request from a later instance; None if it is not one we understand."""
    if len(line) > MAX_MESSAGE:
        return None
    import json

    try:
        msg = json.loads(line.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(msg, dict) or msg.get("op") not in ("open", "show"):
        return None
    if msg["op"] == "open" and not isinstance(msg.get("uri"), str):
        return None
    return msg


def hand_over(paths: InstancePaths, op: str, timeout: float = CONNECT_TIMEOUT, **data: Any) -> None:
    """Send one request to the running instance and wait for its acknowledgement."""
    import socket
    import time

    deadline = time.monotonic() + timeout
    last: OSError | None = None
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                sock.connect(str(paths.socket))
                sock.sendall(encode_message(op, **data))
                reply = sock.makefile("rb").readline(64)
            if reply.strip() == b"ok":
                return
            raise HandoffError(f"the running DeskPhone answered {reply!r}")
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            last = exc  # the first instance holds the lock but is not listening yet
            time.sleep(0.05)
        except OSError as exc:
            raise HandoffError(f"cannot reach the running DeskPhone: {exc}") from exc
    raise HandoffError(f"the running DeskPhone does not answer ({last})")
