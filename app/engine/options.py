"""How the engine process was asked to run (its command line, app/engine/__main__.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class EngineOptions:
    """How the engine process runs: what its command line asked for."""

    config_dir: Path
    control_path: Path
    sip_port: int | None = None  # None: the settings' port
    bind: str = ""
    exit_on_disconnect: bool = False
    test_hooks: bool = False
    sip_log_level: int = 4
