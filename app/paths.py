"""Where DeskPhone keeps its files (XDG base directories)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# logging and tempfile are imported where used: `deskphone` calls runtime_dir() and
# prepare_config_dir() before it starts its engine, and loads as little as it can before that.


def default_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "deskphone"


def runtime_dir() -> Path:
    """A private directory for sockets: XDG_RUNTIME_DIR when usable, else a 0700 temp dir."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base) and os.access(base, os.W_OK):
        path = Path(base) / "deskphone"
        path.mkdir(mode=0o700, exist_ok=True)
        return path
    import tempfile

    return Path(tempfile.mkdtemp(prefix="deskphone-"))


# Every file DeskPhone writes holds user data (settings, call history, contacts, logs with SIP
# digests that fall to an offline guess), so the process creates them private: 0600 files,
# 0700 directories, whoever writes them (logging, SQLite, pjsua2's log, later helpers).
PRIVATE_UMASK = 0o077
MAX_FIX = 10_000  # entries narrowed at start; a config dir is small, a runaway one is not walked


def prepare_config_dir(config_dir: Path) -> list[str]:
    """Make `config_dir` private for this process and for what an older version left.

    Sets the umask to 077, creates the directory 0700, then narrows every directory to 0700
    and takes group and other bits off every file below it (0644 becomes 0600); symlinks are
    neither followed nor changed.
    Returns a sentence per path that could not be narrowed (not ours, read-only media); the
    caller logs them, the phone still starts.
    """
    os.umask(PRIVATE_UMASK)
    config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    problems: list[str] = []
    count = 0
    stack = [config_dir]
    while stack and count < MAX_FIX:
        path = stack.pop()
        count += 1
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            mode = stat.S_IMODE(st.st_mode)
            private = 0o700 if is_dir else mode & 0o700  # a file keeps its owner's bits
            if mode != private:
                os.chmod(path, private)
            if is_dir:
                stack.extend(path.iterdir())
        except OSError as exc:
            problems.append(f"{path}: cannot make it private ({exc.strerror or exc})")
    return problems


def log_problems(problems: list[str]) -> None:
    import logging

    for problem in problems:
        logging.getLogger("deskphone").warning(problem)
