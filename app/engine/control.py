"""The engine's side of the control socket.

Threads here never touch pjsua2 or the phone core: readers put decoded messages on the inbox
queue and wake the SIP thread; one writer drains the outbox to the clients. A slow or dead
client is dropped rather than allowed to stall the SIP thread.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.protocol import MAX_LINE, ProtocolError, decode, encode, event

log = logging.getLogger("deskphone.engine")

SEND_TIMEOUT = 5.0


@dataclass
class Inbound:
    """What the control server's thread hands the engine's thread from one client."""

    client: int
    kind: str  # "connected" | "message" | "disconnected" | "bad"
    msg: dict[str, Any] = field(default_factory=dict)


class ControlServer:
    def __init__(self, path: Path, wake: Callable[[], None]) -> None:
        self.path = path
        self._wake = wake
        self.inbox: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self._outbox: queue.SimpleQueue[tuple[int | None, bytes] | None] = queue.SimpleQueue()
        self._clients: dict[int, socket.socket] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: socket.socket | None = None
        self._closing = False

    def start(self) -> None:
        if self.path.exists():
            self.path.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.path))
        os.chmod(self.path, 0o600)
        server.listen(4)
        self._server = server
        threading.Thread(target=self._accept_loop, name="ctl-accept", daemon=True).start()
        threading.Thread(target=self._write_loop, name="ctl-writer", daemon=True).start()

    def send(self, message: dict[str, Any], client: int | None = None) -> None:
        """Queue a message for one client or (None) all of them. Any thread."""
        self._outbox.put((client, encode(message)))

    def drain(self, handle: Callable[[Inbound], None]) -> None:
        """SIP thread: `handle` each inbox item. A message that makes it raise costs that
        client an error reply, never the engine."""
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return
            try:
                handle(item)
            except Exception:
                log.exception("control message failed: %r", item.msg)
                self.send(event("error", text="internal error; see engine.log"), item.client)

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    def close(self) -> None:
        self._closing = True
        self._outbox.put(None)
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
        with self._lock:
            for sock in self._clients.values():
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.path.unlink()

    # ---- threads ----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._closing:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            sock.settimeout(SEND_TIMEOUT)
            client = next(self._ids)
            with self._lock:
                self._clients[client] = sock
            threading.Thread(
                target=self._read_loop, args=(client, sock), name=f"ctl-read-{client}", daemon=True
            ).start()
            self._post(Inbound(client, "connected"))

    def _read_loop(self, client: int, sock: socket.socket) -> None:
        # One socket timeout serves both directions: sends must not hang on a stuck client,
        # so reads wake every SEND_TIMEOUT seconds with nothing to do and wait again.
        buffer = b""
        try:
            while True:
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                buffer += chunk
                if len(buffer) > MAX_LINE and b"\n" not in buffer:
                    self.send(event("error", text="bad message: too long"), client)
                    break
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if not line.strip():
                        continue
                    try:
                        self._post(Inbound(client, "message", decode(line)))
                    except ProtocolError as exc:
                        self.send(event("error", text=f"bad message: {exc}"), client)
        except OSError:
            pass
        finally:
            with self._lock:
                self._clients.pop(client, None)
            sock.close()
            self._post(Inbound(client, "disconnected"))

    def _post(self, item: Inbound) -> None:
        self.inbox.put(item)
        self._wake()

    def _write_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            target, data = item
            with self._lock:
                targets = (
                    list(self._clients.items())
                    if target is None
                    else [(target, self._clients[target])]
                    if target in self._clients
                    else []
                )
            for client, sock in targets:
                try:
                    sock.sendall(data)
                except OSError as exc:
                    log.warning("dropping control client %d: %s", client, exc)
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
