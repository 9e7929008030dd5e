"""The engine process started at launch, before the window loads Qt.

The window used to start its engine once its own window was built, so start-up to the
registered idle screen was the sum of the two processes' start-ups (Qt's imports and window,
then pjsua2's and the REGISTER). Started here, the engine loads and registers on the other core
while the window loads; the window's supervisor adopts the process instead of starting another
(app/client/supervisor.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.client.engine_process import engine_argv, start_process

if TYPE_CHECKING:
    from app.client.supervisor import EarlyEngine as EarlyEngine

__all__ = ["start_engine"]


def start_engine(
    config_dir: Path,
    control_path: Path,
    sip_port: int | None,
    bind: str,
    log_level: str,
    test_hooks: bool,
) -> EarlyEngine:
    """Spawn the engine first; the supervisor's config for it (dataclasses, logging, threads)
    is loaded after, while the engine starts."""
    proc = start_process(
        engine_argv(config_dir, control_path, sip_port, bind, log_level, test_hooks), {}
    )
    from app.client.supervisor import EarlyEngine, EngineConfig

    config = EngineConfig(config_dir, control_path, sip_port, bind, log_level, test_hooks)
    return EarlyEngine(config, proc)
