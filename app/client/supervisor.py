"""Starting, watching and restarting the engine process (used by the UI, usable headless).

pjsua2 can abort its whole process on bad input (docs/pjsua2.md §9), so the engine runs apart and
a native crash costs a restart and a re-registration, never the window. Threads here block on
the engine's stdout, its socket and its exit: nothing polls. Callbacks run on those threads; the
UI turns them into Qt signals.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.client.engine_process import engine_argv, start_process
from app.protocol import MAX_LINE, ProtocolError, decode, encode, intent, parse_ready

log = logging.getLogger("deskphone.supervisor")

BACKOFF = (0.0, 0.5, 1.0, 2.0, 5.0)  # a crash loop slows down instead of spinning
STABLE_AFTER = 30.0  # seconds of uptime that reset the backoff
READY_TIMEOUT = 20.0


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
        return engine_argv(
            self.config_dir,
            self.control_path,
            self.sip_port,
            self.bind,
            self.log_level,
            self.test_hooks,
        )


@dataclass
class EarlyEngine:
    """An engine started before the window: it loads while Qt does (start-up time)."""

    config: EngineConfig
    proc: subprocess.Popen[bytes]


def spawn(config: EngineConfig) -> subprocess.Popen[bytes]:
    """Start an engine process (the supervisor adopts one started early: app/cli.py)."""
    return start_process(config.argv(), config.extra_env)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class EngineSupervisor:
    def __init__(
        self,
        config: EngineConfig,
        on_event: Callable[[dict[str, Any]], None],
        on_status: Callable[[str, dict[str, Any]], None],
        first: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.config = config
        # An engine already started with this config (at launch, while the window loads Qt):
        # the first run adopts it instead of starting another.
        self._first = first
        self._on_event = on_event
        self._on_status = on_status
        self.restarts = 0
        self.last_exit = ""
        self.pid = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = False

    # ---- public -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._thread.start()

    def send(self, op: str, **data: Any) -> bool:
        """Send an intent; False (and logged) while no engine is connected."""
        with self._send_lock:
            sock = self._sock
            if sock is None:
                log.info("engine not connected: %s dropped", op)
                return False
            try:
                sock.sendall(encode(intent(op, **data)))
                return True
            except OSError as exc:
                log.warning("send %s failed: %s", op, exc)
                return False

    def stop(self, timeout: float = 5.0) -> int | None:
        """Ask the engine to hang up and quit; kill it if it does not. Returns its exit code."""
        self._stopping.set()
        proc = self._proc
        if proc is None:
            return None
        self.send("hangup_all")
        self.send("quit")
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("engine did not quit in %.1f s: terminating", timeout)
            proc.terminate()
            try:
                code = proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
        if self._thread is not None:
            self._thread.join(timeout)
        return code

    # ---- the supervising thread -------------------------------------------------------

    def _supervise(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self._run_once()
            if self._stopping.is_set():
                self._on_status("stopped", {"exit": describe_exit(code)})
                return
            self.restarts += 1
            self.last_exit = describe_exit(code)
            log.error("engine %s (restart #%d)", self.last_exit, self.restarts)
            failures = 0 if time.monotonic() - started > STABLE_AFTER else failures + 1
            self._on_status("restarting", {"exit": self.last_exit, "restarts": self.restarts})
            delay = BACKOFF[min(failures, len(BACKOFF) - 1)]
            if self._stopping.wait(delay):
                return

    def _run_once(self) -> int:
        self._on_status("starting", {"restarts": self.restarts})
        proc, self._first = self._first or spawn(self.config), None
        self._proc = proc
        self.pid = proc.pid
        assert proc.stdout is not None
        # An engine that hangs before READY is killed, which ends the stdout loop below.
        watchdog = threading.Timer(READY_TIMEOUT, self._kill_if_not_ready, args=(proc,))
        watchdog.daemon = True
        self._ready = False
        watchdog.start()
        ready = self._wait_ready(proc)
        self._ready = True
        watchdog.cancel()
        if ready and self._connect():
            self._on_status("running", {"pid": proc.pid, "restarts": self.restarts})
        elif proc.poll() is None:
            log.error("engine did not become ready: killing it")
            proc.kill()
        for line in proc.stdout:  # drain until the engine exits
            log.debug("engine: %s", line.decode(errors="replace").rstrip())
        code = proc.wait()
        with self._send_lock:
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.close()
                self._sock = None
        return code

    def _kill_if_not_ready(self, proc: subprocess.Popen[bytes]) -> None:
        if not self._ready and proc.poll() is None:
            log.error("engine not ready after %.0f s: killing it", READY_TIMEOUT)
            proc.kill()

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> bool:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if parse_ready(raw) is not None:
                return True
            log.debug("engine: %s", raw.decode(errors="replace").strip())
        return False

    def _connect(self) -> bool:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(self.config.control_path))
        except OSError as exc:
            log.error("cannot connect to the engine: %s", exc)
            sock.close()
            return False
        with self._send_lock:
            self._sock = sock
        threading.Thread(target=self._read, args=(sock,), name="engine-reader", daemon=True).start()
        self.send("hello", client="ui", pid=os.getpid())
        return True

    def _read(self, sock: socket.socket) -> None:
        buffer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            if len(buffer) > MAX_LINE:
                log.error("engine sent an over-long line: dropping the connection")
                return
            for line in lines:
                if not line.strip():
                    continue
                try:
                    msg = decode(line)
                except ProtocolError as exc:
                    log.error("bad message from engine: %s", exc)
                    continue
                try:
                    self._on_event(msg)
                except Exception:
                    log.exception("event handler failed for %s", msg.get("ev"))
