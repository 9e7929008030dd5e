"""Where DeskPhone keeps its files (XDG base directories)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
    return Path(tempfile.mkdtemp(prefix="deskphone-"))
