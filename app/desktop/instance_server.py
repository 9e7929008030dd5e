"""The first instance's listening side, on the Qt event loop (QLocalServer: no thread, no poll)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.desktop.single_instance import MAX_MESSAGE, InstancePaths, decode_message

log = logging.getLogger("deskphone.instance")


class InstanceServer(QObject):
    open_uri = Signal(str)  # a link handed over by a later `deskphone URI`
    show_requested = Signal()  # a later plain `deskphone`: bring the window up

    def __init__(self, paths: InstancePaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        ok = self._server.listen(str(self.paths.socket))
        if not ok:
            log.warning("single instance: cannot listen: %s", self._server.errorString())
        return ok

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            buf = bytearray()
            conn.readyRead.connect(lambda c=conn, b=buf: self._read(c, b))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn: QLocalSocket, buf: bytearray) -> None:
        buf += bytes(conn.readAll().data())
        if b"\n" not in buf:
            if len(buf) > MAX_MESSAGE:
                conn.disconnectFromServer()
            return
        line = bytes(buf).split(b"\n", 1)[0]
        msg = decode_message(line)
        conn.write(b"ok\n" if msg is not None else b"error\n")
        conn.flush()
        conn.disconnectFromServer()
        if msg is not None:
            self._dispatch(msg)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        log.info("single instance: request %s", msg)
        if msg["op"] == "open":
            self.open_uri.emit(msg["uri"])
        self.show_requested.emit()
