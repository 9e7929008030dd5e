"""Qt side of the engine supervisor: its thread callbacks become queued Qt signals."""

from __future__ import annotations

import subprocess
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.client.supervisor import EngineConfig, EngineSupervisor


class EngineBridge(QObject):
    engine_event = Signal(dict)  # one engine event (see app/protocol.py)
    status = Signal(str, dict)  # starting | running | restarting | stopped

    def __init__(
        self,
        config: EngineConfig,
        parent: QObject | None = None,
        first: subprocess.Popen[bytes] | None = None,
    ) -> None:
        super().__init__(parent)
        # Emitting from the supervisor's threads is safe: receivers live on the GUI thread,
        # so Qt queues the call and the GUI wakes only when something arrives.
        self.supervisor = EngineSupervisor(config, self.engine_event.emit, self.status.emit, first)

    def start(self) -> None:
        self.supervisor.start()

    def send(self, op: str, **data: Any) -> bool:
        return self.supervisor.send(op, **data)

    def stop(self, timeout: float = 5.0) -> int | None:
        return self.supervisor.stop(timeout)

    @property
    def restarts(self) -> int:
        return self.supervisor.restarts
