"""The Action URI HTTP server: its own threads, 127.0.0.1 unless the user allows more.

`ActionUriServer.start()` binds and serves in a background thread; `stop()` closes the socket,
releases requests waiting for the prompt and joins the thread. At most `max_clients`
requests are handled at once (more get an immediate 503), every socket read or write times
out, and a request line or header block beyond the stdlib limits is refused, so no client
can pin the server. The server never touches the engine except through the handler's
callbacks.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from app.phone.settings import RemoteSettings
from app.remote.handler import ActionUriHandler, Prompter, ScreenshotFn, StateFn, SubmitFn
from app.remote.web_guard import WEB_HEADERS

log = logging.getLogger("deskphone.remote")

SOCKET_TIMEOUT: Final = 5.0
MAX_CLIENTS: Final = 16
_BUSY: Final = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 5\r\nConnection: close\r\n\r\nbusy\n"
)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never holds up stop()
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: ActionUriHandler, max_clients: int):
        self.handler = handler
        self._slots = threading.BoundedSemaphore(max_clients)
        super().__init__(address, _RequestHandler)

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


class ActionUriServer:
    """Serve `/servlet?...` and `/screencapture` for the engine.

    `submit`, `state`, `screenshot` and `prompter` are called on the server's threads; see
    `ActionUriHandler`. Port 0 picks a free port (read `port` after `start()`).
    """

    def __init__(
        self,
        settings: RemoteSettings,
        submit: SubmitFn,
        state: StateFn,
        screenshot: ScreenshotFn,
        prompter: Prompter | None = None,
        *,
        prompt_timeout: float = 30.0,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.handler = ActionUriHandler(
            settings, submit, state, screenshot, prompter, prompt_timeout=prompt_timeout
        )
        self._max_clients = max_clients
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def host(self) -> str:
        return "0.0.0.0" if self.handler.settings.action_uri_bind_any else "127.0.0.1"

    @property
    def port(self) -> int:
        """The bound port (0 before start)."""
        server = self._server
        return int(server.server_address[1]) if server is not None else 0

    def start(self) -> int:
        """Bind and serve; returns the port. Raises OSError when the port is taken."""
        with self._lock:
            if self._server is not None:
                return self.port
            settings = self.handler.settings
            self.handler.reopen()
            server = _Server((self.host, settings.action_uri_port), self.handler, self._max_clients)
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.2},
                name="action-uri-http",
                daemon=True,
            )
            self._thread.start()
            log.info("action URI: listening on %s:%d", self.host, self.port)
            return self.port

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            if server is None:
                return
            self.handler.close()
            server.shutdown()
            server.server_close()
            if thread is not None:
                thread.join(timeout)
            log.info("action URI: stopped")

    def update_settings(self, settings: RemoteSettings) -> None:
        """Apply new settings; rebinds only when the port or the bind address changed."""
        old = self.handler.settings
        self.handler.update_settings(settings)
        rebind = (old.action_uri_port, old.action_uri_bind_any) != (
            settings.action_uri_port,
            settings.action_uri_bind_any,
        )
        if rebind and self.running:
            self.stop()
            self.start()

    def __enter__(self) -> ActionUriServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
