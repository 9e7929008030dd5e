"""How the engine process is started: its command line and the spawn, nothing else.

Kept apart from the supervisor (app/client/supervisor.py: logging, sockets, threads) so that
`deskphone` can start its engine before it loads any of that: the engine then loads and
registers on the other core while the window process loads the rest of itself and Qt
(app/desktop/early_engine.py, docs/footprint.md §1).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class EngineConfig:
    """How an engine process is started: the arguments of its command line."""

    config_dir: Path
    control_path: Path
    sip_port: int | None = None
    bind: str = ""
    log_level: str = "INFO"
    test_hooks: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)

    def argv(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "app.engine",
            "--config-dir",
            str(self.config_dir),
            "--control",
            str(self.control_path),
            "--log-level",
            self.log_level,
            "--exit-on-disconnect",
        ]
        if self.sip_port is not None:
            args += ["--sip-port", str(self.sip_port)]
        if self.bind:
            args += ["--bind", self.bind]
        if self.test_hooks:
            args.append("--test-hooks")
        return args


@dataclass
class EarlyEngine:
    """An engine started before the window: it loads while Qt does (start-up time)."""

    config: EngineConfig
    proc: subprocess.Popen[bytes]


def spawn(config: EngineConfig) -> subprocess.Popen[bytes]:
    """Start an engine process (the supervisor adopts one started early: app/cli.py)."""
    return subprocess.Popen(
        config.argv(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **config.extra_env},
        start_new_session=True,
    )
