"""One Action URI request from its first line to its answer, without sockets.

Order of checks, like the phone: enabled (else 403), client address on the allowlist (403),
a web page's request (wrong Host, cross-site Origin or Sec-Fetch-Site: 403, web_guard.py),
credentials when a user or password is set (401 without, 403 wrong), path (404), query (400),
the "Allow remote control?" prompt when enabled (403 refused or unanswered, 429 when too many
questions are open), then the work.
Every refusal is logged with the client's address. Runs on the HTTP server's threads; the
engine is reached only through the callbacks, which must be thread-safe and non-blocking.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl, urlsplit

from app.phone.settings import RemoteSettings
from app.remote.access import (
    Caller,
    Decision,
    caller_for,
    check_basic_auth,
    credentials_match,
    ip_allowed,
    normalise_ip,
)
from app.remote.action_uri import (
    BadRequest,
    ConfigQuery,
    RemoteAction,
    config_report,
    parse_servlet_query,
)
from app.remote.web_guard import from_browser, web_refusal

log = logging.getLogger("deskphone.remote")

SubmitFn = Callable[[list[RemoteAction]], None]
StateFn = Callable[[], dict[str, Any]]
ScreenshotFn = Callable[[], bytes | None]


class Prompter(Protocol):
    """The "Allow remote control?" broker as the HTTP threads see it (access.PromptBroker)."""

    def ask(self, caller: Caller) -> Decision: ...

    def withdraw(self, key: str) -> None: ...


SERVLET_PATHS: Final = frozenset(
    {"/servlet", "/cgi-bin/ConfigManApp.com", "/cgi-bin/cgiServer.exx"}
)
SCREENCAPTURE_PATHS: Final = frozenset({"/screencapture"})
MAX_TARGET: Final = 4096
TEXT: Final = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Response:
    """An HTTP response of the Action URI server."""

    status: int
    body: bytes = b""
    content_type: str = TEXT
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str, *headers: tuple[str, str]) -> Response:
    return Response(status, (message + "\n").encode("utf-8"), TEXT, tuple(headers))


class ActionUriHandler:
    """Decides the answer to one request; safe to call from many threads at once."""

    def __init__(
        self,
        settings: RemoteSettings,
        submit: SubmitFn,
        state: StateFn,
        screenshot: ScreenshotFn,
        prompter: Prompter | None = None,
        *,
        prompt_timeout: float = 30.0,
        prompt_poll: float = 0.05,
    ) -> None:
        self._settings = copy.deepcopy(settings)
        self._submit = submit
        self._state = state
        self._screenshot = screenshot
        self._prompter = prompter
        self.prompt_timeout = prompt_timeout
        self._poll = prompt_poll
        self._closing = threading.Event()

    @property
    def settings(self) -> RemoteSettings:
        return self._settings

    def update_settings(self, settings: RemoteSettings) -> None:
        """Take new settings; a private copy, swapped in one assignment (atomic for readers)."""
        self._settings = copy.deepcopy(settings)

    def close(self) -> None:
        """Release requests that wait for the prompt (they get 503)."""
        self._closing.set()

    def reopen(self) -> None:
        """Serve again after `close()` (the server restarts on a new port)."""
        self._closing.clear()

    def handle(
        self,
        method: str,
        target: str,
        client_ip: str,
        authorization: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        local_ip: str = "127.0.0.1",
        server_port: int = 0,
    ) -> Response:
        """`headers`: the request's web_guard.WEB_HEADERS, lower-case names; `local_ip` and
        `server_port`: where the client connected (the socket's own address)."""
        try:
            heads = headers or {}
            ip = normalise_ip(client_ip)
            refusal = self._gate(self._settings, ip)
            if refusal is None:
                refusal = self._web_refusal(ip, heads, normalise_ip(local_ip), server_port)
            if refusal is not None:
                return refusal
            return self._handle(method, target, caller_for(ip, from_browser(heads)), authorization)
        except Exception:
            log.exception("action URI: internal error for %s", client_ip)
            return _text(500, "internal error")

    def _web_refusal(
        self, ip: str, headers: Mapping[str, str], local_ip: str, server_port: int
    ) -> Response | None:
        why = web_refusal(headers, local_ip, server_port)
        if why is None:
            return None
        shown = {k: v[:80] for k, v in headers.items() if k in ("host", "origin", "sec-fetch-site")}
        log.warning("action URI: refused %s: %s %r", ip, why, shown)
        return _text(403, why)

    def _handle(
        self, method: str, target: str, caller: Caller, authorization: str | None
    ) -> Response:
        s, ip = self._settings, caller.ip
        if method not in ("GET", "HEAD"):
            return _text(405, "only GET", ("Allow", "GET, HEAD"))
        if len(target) > MAX_TARGET:
            return self._bad(ip, "request too long")
        try:
            parts = urlsplit(target)
        except ValueError:
            return self._bad(ip, "malformed request target")
        auth = self._check_auth(s, authorization, parts.query)
        if auth == "missing":
            log.warning("action URI: refused %s: no credentials", ip)
            return _text(
                401, "credentials required", ("WWW-Authenticate", 'Basic realm="DeskPhone"')
            )
        if auth == "wrong":
            log.warning("action URI: refused %s: wrong credentials", ip)
            return _text(403, "wrong credentials")

        if parts.path in SCREENCAPTURE_PATHS:
            return self._allowed(s, caller) or self._screencapture(ip)
        if parts.path not in SERVLET_PATHS:
            log.info("action URI: %s asked for unknown path", ip)
            return _text(404, "not found")
        parsed = parse_servlet_query(parts.query)
        if isinstance(parsed, BadRequest):
            return self._bad(ip, parsed.reason)
        refused = self._allowed(s, caller)
        if refused is not None:
            return refused
        if isinstance(parsed, ConfigQuery):
            return self._report(ip, parsed)
        return self._run(ip, parsed)

    def gate(self, client_ip: str) -> Response | None:
        """The 403 (logged) for a client that may not talk to us at all, else None."""
        return self._gate(self._settings, normalise_ip(client_ip))

    def _gate(self, s: RemoteSettings, ip: str) -> Response | None:
        if not s.action_uri_enabled:
            log.warning("action URI: refused %s: disabled", ip)
            return _text(403, "action URI is disabled")
        if not ip_allowed(ip, s.action_uri_allow):
            log.warning("action URI: refused %s: address not allowed", ip)
            return _text(403, "address not allowed")
        return None

    def _check_auth(self, s: RemoteSettings, authorization: str | None, query: str) -> str:
        if not s.action_uri_user and not s.action_uri_password:
            return "ok"
        if authorization:
            return check_basic_auth(authorization, s.action_uri_user, s.action_uri_password)
        # Yealink's login prefix: ...?p=login&q=login&username=U&pwd=P&jumpto=...&key=OK
        try:
            fields = dict(parse_qsl(query, keep_blank_values=True, max_num_fields=64))
        except ValueError:
            return "missing"
        if "username" not in fields and "pwd" not in fields:
            return "missing"
        ok = credentials_match(
            fields.get("username", ""),
            fields.get("pwd", ""),
            s.action_uri_user,
            s.action_uri_password,
        )
        return "ok" if ok else "wrong"

    def _allowed(self, s: RemoteSettings, caller: Caller) -> Response | None:
        """None when the request may go on; else the refusal."""
        if not s.action_uri_prompt:
            return None
        who = caller.label
        prompter = self._prompter
        if prompter is None:
            log.warning("action URI: refused %s: prompt enabled but nobody can answer it", who)
            return _text(403, "remote control not allowed")
        deadline = time.monotonic() + self.prompt_timeout
        try:
            while True:
                answer = prompter.ask(caller)
                if answer == "yes":
                    return None
                if answer == "no":
                    log.warning("action URI: refused %s: the user declined remote control", who)
                    return _text(403, "remote control not allowed")
                if answer == "busy":
                    log.warning("action URI: refused %s: too many questions on screen", who)
                    return _text(429, "too many requests waiting for the user")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.warning("action URI: refused %s: no answer to the prompt", who)
                    return _text(403, "remote control not allowed (no answer)")
                if self._closing.wait(min(self._poll, remaining)):
                    return _text(503, "shutting down")
        finally:
            prompter.withdraw(caller.key)  # a no-op once answered

    def _run(self, ip: str, actions: list[RemoteAction]) -> Response:
        try:
            self._submit(actions)
        except Exception:
            log.exception("action URI: the engine did not take the request from %s", ip)
            return _text(503, "phone busy")
        log.info("action URI: %s: %s", ip, ", ".join(_describe(a) for a in actions))
        return _text(200, "OK")

    def _report(self, ip: str, query: ConfigQuery) -> Response:
        try:
            report = config_report(query, self._state())
            body = json.dumps(report, sort_keys=True, default=str).encode("utf-8")
        except Exception:
            log.exception("action URI: state snapshot failed for %s", ip)
            return _text(503, "state unavailable")
        log.info("action URI: %s read the phone configuration", ip)
        return Response(200, body + b"\n", "application/json")

    def _screencapture(self, ip: str) -> Response:
        try:
            png = self._screenshot()
        except Exception:
            log.exception("action URI: screenshot failed for %s", ip)
            png = None
        if not png:
            return _text(503, "no screen image")
        log.info("action URI: %s took a screen capture", ip)
        return Response(200, bytes(png), "image/png")

    def _bad(self, ip: str, reason: str) -> Response:
        log.info("action URI: bad request from %s: %s", ip, reason)
        return _text(400, reason)


def _describe(action: RemoteAction) -> str:
    text = f"{action.kind}:{action.value}" if action.value else action.kind
    if action.call_id:
        text += f"[{action.call_id}]"
    return text
