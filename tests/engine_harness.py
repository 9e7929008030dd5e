"""Run the real engine process headless and talk to it over its control socket, as the UI does."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.phone.settings import AccountSettings, Settings
from app.protocol import parse_ready
from app.store.secrets import SecretStore
from app.store.settings import save_settings

ROOT = Path(__file__).resolve().parent.parent

Event = dict[str, Any]


def deskphone_argv(config_dir: Path, *args: str) -> list[str]:
    """The whole app (window + engine) on 127.0.0.1 with a free SIP port."""
    return [
        sys.executable,
        "-m",
        "app",
        "--config-dir",
        str(config_dir),
        "--bind",
        "127.0.0.1",
        "--sip-port",
        "0",
        *args,
    ]


def write_account(config_dir: Path, user: str, server: str, port: int, **extra: Any) -> None:
    settings = Settings(accounts=[AccountSettings(user=user, server=server, port=port, **extra)])
    # The private file, not the keyring: the engine is another process, and unit tests swap
    # the keyring backend of this one.
    save_settings(config_dir, settings, SecretStore(config_dir, use_keyring=False))


class EngineClient:
    """A control-socket client that records every event it receives."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.events: list[Event] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            with self._cond:
                for line in lines:
                    if line.strip():
                        msg = json.loads(line)
                        msg["_rx"] = time.monotonic()
                        self.events.append(msg)
                self._cond.notify_all()

    def send(self, op: str, **data: Any) -> None:
        msg = {"v": 1, "op": op, "ts": time.monotonic(), **data}
        self.sock.sendall((json.dumps(msg) + "\n").encode())

    def send_raw(self, raw: bytes) -> None:
        self.sock.sendall(raw)

    def wait_for(
        self, pred: Callable[[Event], bool], timeout: float = 10.0, since: int = 0
    ) -> Event:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in self.events[since:]:
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [e.get("ev") for e in self.events[-20:]]
                    raise TimeoutError(f"no matching event in {timeout} s; last: {kinds}")
                self._cond.wait(left)

    def wait_account(self, state: str, timeout: float = 10.0, since: int = 0) -> Event:
        # The registration may complete before this client connects: then the snapshot has it.
        def match(e: Event) -> bool:
            if e.get("ev") == "snapshot":
                return any(a["state"] == state for a in e["accounts"])
            return e.get("ev") == "account" and e.get("state") == state

        return self.wait_for(match, timeout, since)

    def wait_call(self, state: str, timeout: float = 10.0, since: int = 0) -> Event:
        return self.wait_for(
            lambda e: e.get("ev") == "call" and e.get("state") == state, timeout, since
        )

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class EngineProcess:
    def __init__(
        self, config_dir: Path, sip_port: int = 0, env: dict[str, str] | None = None
    ) -> None:
        self.config_dir = config_dir
        self.control = config_dir / "engine.sock"
        self.sip_port = sip_port
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.output = b""

    def start(self, timeout: float = 20.0) -> EngineProcess:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.engine",
                "--config-dir",
                str(self.config_dir),
                "--control",
                str(self.control),
                "--sip-port",
                str(self.sip_port),
                "--bind",
                "127.0.0.1",
                "--test-hooks",
                "--log-level",
                "DEBUG",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        for raw in self.proc.stdout:
            self.output += raw
            port = parse_ready(raw)
            if port is not None:
                self.port = port
                break
            if time.monotonic() > deadline:
                break
        if not self.port:
            self.proc.kill()
            raise RuntimeError(f"engine did not start: {self.output.decode(errors='replace')}")
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.output += raw

    def client(self) -> EngineClient:
        return EngineClient(self.control)

    def log_text(self) -> str:
        path = self.config_dir / "logs" / "engine.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, timeout: float = 10.0) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


@contextlib.contextmanager
def running_engine(config_dir: Path, **kwargs: Any) -> Iterator[tuple[EngineProcess, EngineClient]]:
    engine = EngineProcess(config_dir, **kwargs).start()
    client = engine.client()
    try:
        client.wait_for(lambda e: e.get("ev") == "snapshot")
        yield engine, client
    finally:
        client.close()
        engine.stop()
