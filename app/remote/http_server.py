"""The Action URI HTTP server: its own threads, 127.0.0.1 unless the user allows more.

`ActionUriServer.start()` binds and serves in a background thread; `stop()` closes the socket,
releases requests waiting for the prompt and joins the thread. At most `max_clients`
requests are handled at once (more get an immediate 503), every socket read or write times
out, and a request line or header block beyond the stdlib limits is refused, so no client
can pin the server. The server never touches the engine except through the handler's
callbacks.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Final

from app.phone.settings import RemoteSettings
from app.remote.handler import ActionUriHandler, Prompter, ScreenshotFn, StateFn, SubmitFn

if TYPE_CHECKING:
    from app.remote.http_serve import Server

log = logging.getLogger("deskphone.remote")

MAX_CLIENTS: Final = 16


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
        self._server: Server | None = None
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
            from app.remote.http_serve import Server  # http.server only when serving

            settings = self.handler.settings
            self.handler.reopen()
            server = Server((self.host, settings.action_uri_port), self.handler, self._max_clients)
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
