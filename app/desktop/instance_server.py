"""The first instance's listening side, on the Qt event loop (socket notifiers: no thread, no poll).

A plain Unix socket watched by QSocketNotifier rather than QLocalServer: QtNetwork would add
2.7 MB to the window process for this one socket. The socket lives in the private per-user
instance directory (0700, app/desktop/single_instance.py) and is itself made 0600. Each
connection gets one request line (at most MAX_MESSAGE bytes), one answer and is closed;
a client that sends nothing is dropped after READ_TIMEOUT_MS.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from app.desktop.single_instance import MAX_MESSAGE, InstancePaths, decode_message

log = logging.getLogger("deskphone.instance")

READ_TIMEOUT_MS = 3000
MAX_CLIENTS = 8


class _Client:
    def __init__(self, sock: socket.socket, server: InstanceServer) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, server)
        self.notifier.activated.connect(lambda *_: server._read(self))
        self.timer = QTimer(server)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: server._drop(self))
        self.timer.start(READ_TIMEOUT_MS)


class InstanceServer(QObject):
    open_uri = Signal(str)  # a link handed over by a later `deskphone URI`
    show_requested = Signal()  # a later plain `deskphone`: bring the window up

    def __init__(self, paths: InstancePaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self._sock: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._clients: list[_Client] = []

    def listen(self) -> bool:
        path = str(self.paths.socket)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # a crashed instance's socket file (the lock is ours now)
            sock.bind(path)
            os.chmod(path, 0o600)
            sock.listen(MAX_CLIENTS)
            sock.setblocking(False)
        except OSError as exc:
            log.warning("single instance: cannot listen: %s", exc)
            sock.close()
            return False
        self._sock = sock
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(lambda *_: self._accept())
        return True

    def close(self) -> None:
        for client in list(self._clients):
            self._drop(client)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _accept(self) -> None:
        assert self._sock is not None
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("single instance: accept failed: %s", exc)
                return
            if len(self._clients) >= MAX_CLIENTS:
                conn.close()
                continue
            conn.setblocking(False)
            self._clients.append(_Client(conn, self))

    def _read(self, client: _Client) -> None:
        try:
            chunk = client.sock.recv(MAX_MESSAGE + 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        client.buf += chunk
        if b"\n" not in client.buf:
            if not chunk or len(client.buf) > MAX_MESSAGE:
                self._drop(client)
            return
        line = bytes(client.buf).split(b"\n", 1)[0]
        msg = decode_message(line)
        with contextlib.suppress(OSError):
            client.sock.setblocking(True)
            client.sock.settimeout(1.0)
            client.sock.sendall(b"ok\n" if msg is not None else b"error\n")
        self._drop(client)
        if msg is not None:
            self._dispatch(msg)

    def _drop(self, client: _Client) -> None:
        if client not in self._clients:
            return
        self._clients.remove(client)
        client.timer.stop()
        client.notifier.setEnabled(False)
        client.notifier.deleteLater()
        client.timer.deleteLater()
        client.sock.close()

    def _dispatch(self, msg: dict[str, Any]) -> None:
        log.info("single instance: request %s", msg)
        if msg["op"] == "open":
            self.open_uri.emit(msg["uri"])
        self.show_requested.emit()
