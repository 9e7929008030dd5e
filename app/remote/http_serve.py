"""The stdlib HTTP server classes behind `ActionUriServer` (app/remote/http_server.py).

Apart so that `http.server` (and with it `http.client`, `email` and `ssl`: about 8 MB and
40 ms in the engine) is imported only when the Action URI server really starts, not in every
engine whose remote control is off.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from app.remote.handler import ActionUriHandler
from app.remote.web_guard import WEB_HEADERS

log = logging.getLogger("deskphone.remote")

SOCKET_TIMEOUT: Final = 5.0
_BUSY: Final = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 5\r\nConnection: close\r\n\r\nbusy\n"
)


class RequestHandler(BaseHTTPRequestHandler):
    server: Server
    timeout = SOCKET_TIMEOUT
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers
    default_request_version = "HTTP/1.0"  # so even an unparsable request gets a status line
    server_version = "DeskPhone"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_POST(self) -> None:
        self._answer(send_body=True)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def _answer(self, send_body: bool) -> None:
        headers: dict[str, str] = {}
        for name in WEB_HEADERS:
            values = self.headers.get_all(name)
            if values:  # sent twice: kept, "\n"-joined, so the guard can refuse it
                headers[name] = "\n".join(str(v) for v in values)
        local_ip, local_port = self.connection.getsockname()[:2]
        response = self.server.handler.handle(
            self.command,
            self.path,
            self.client_address[0],
            self.headers.get("Authorization"),
            headers=headers,
            local_ip=str(local_ip),
            server_port=int(local_port),
        )
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body and response.body:
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's parse errors (bad request line, too long, too many headers, unknown
        method or version) all become a plain 400 with a short reason, never an HTML page."""
        self.close_connection = True
        refusal = self.server.handler.gate(self.client_address[0])
        if refusal is not None:  # an outsider learns nothing more from garbage
            status, body = refusal.status, refusal.body
        else:
            text = (message or self.responses.get(code, ("Bad request",))[0])[:80]
            reason = "".join(c if " " <= c <= "~" else "?" for c in text)
            log.info("action URI: bad request from %s: %s", self.client_address[0], reason)
            status, body = 400, (reason + "\n").encode("ascii")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass  # the client is gone; nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:
        # Refusals are logged by the handler; the stdlib's lines (send_error) go to debug.
        log.debug("action URI http %s: " + format, self.client_address[0], *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("action URI %s %r -> %s", self.client_address[0], self.requestline[:200], code)


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never holds up stop()
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: ActionUriHandler, max_clients: int):
        self.handler = handler
        self._slots = threading.BoundedSemaphore(max_clients)
        super().__init__(address, RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            log.warning("action URI: too many clients, refused %s", client_address[0])
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that resets or times out is routine; anything else is worth a trace.
        log.debug("action URI: connection from %s ended badly", client_address[0], exc_info=True)
