"""How the engine process is started: its command line and the spawn, nothing else.

Kept apart from the supervisor (app/client/supervisor.py: dataclasses, logging, sockets,
threads) so that `deskphone` can start its engine before it loads any of that: the engine
then loads and registers on the other core while the window process loads the rest of itself
and Qt (app/desktop/early_engine.py, docs/footprint.md §1).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def engine_argv(
    config_dir: Path,
    control_path: Path,
    sip_port: int | None,
    bind: str,
    log_level: str,
    test_hooks: bool,
) -> list[str]:
    """The engine's command line (app/engine/__main__.py) for a window that supervises it."""
    args = [
        sys.executable,
        "-m",
        "app.engine",
        "--config-dir",
        str(config_dir),
        "--control",
        str(control_path),
        "--log-level",
        log_level,
        "--exit-on-disconnect",
    ]
    if sip_port is not None:
        args += ["--sip-port", str(sip_port)]
    if bind:
        args += ["--bind", bind]
    if test_hooks:
        args.append("--test-hooks")
    return args


def start_process(argv: list[str], extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start an engine: its stdout (the ready line, then its log) is read by the supervisor."""
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **extra_env},
        start_new_session=True,
    )
