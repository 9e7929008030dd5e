"""Auto-provisioning as a Yealink phone does it: fetch the model's common file and this
device's `<MAC>.cfg` from a provisioning URL and import them, the device file winning.

Only http:// and https://. Credentials may be given in the URL (`http://user:pw@host/path/`);
they are sent as Basic auth to that origin (scheme, host, port) only, never to where a redirect
points elsewhere, and never appear in messages. Redirects are followed (at most 5) to http or
https only, and never from https down to http. `timeout` is one deadline for the whole run,
both files and every redirect included: a server that answers a byte at a time is cut off
when it passes (each socket is shut down), not only one that stops answering.

A missing file (404) is reported and the other one still imports, as on the phone; a server
that cannot be reached, the deadline or any other HTTP error raises ProvisionError naming
the URL. The result says whether a file came over plain http (`insecure`) and which changes
an attacker on the path would want (`risks`, provision_risk.py), so callers ask first.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Final

from app.phone.settings import Settings
from app.phone.settings.remote import split_url_credentials
from app.store.errors import StoreError
from app.store.provision_risk import provision_risks
from app.store.validate import normalize_mac
from app.store.yealink_cfg import ImportReport, ReportLine, apply_entries, parse_cfg

COMMON_FILE = "y000000000028.cfg"  # the SIP-T46G's common file
MAX_BYTES = 1 << 20
MAX_REDIRECTS: Final = 5
DEFAULT_TIMEOUT: Final = 20.0  # seconds for the whole run


class ProvisionError(StoreError):
    def __init__(self, message: str, url: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


@dataclass
class ProvisionResult:
    settings: Settings
    report: ImportReport
    fetched: list[str] = field(default_factory=list)  # URLs read (without credentials)
    missing: list[str] = field(default_factory=list)  # URLs that answered 404
    insecure: bool = False  # a file came over plain http (after redirects)
    risks: list[str] = field(default_factory=list)  # sentences, see provision_risk.py


def redact(url: str) -> str:
    """The URL without user:password, for messages and logs."""
    return split_url_credentials(url)[0]


def with_credentials(url: str, user: str, password: str) -> str:
    if not user and not password:
        return url
    parts = urllib.parse.urlsplit(url)
    userinfo = ":".join(urllib.parse.quote(v, safe="") for v in (user, password))
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def _origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


class _Deadline:
    """One time limit for a whole run. Every socket opened under it is shut down when it
    passes, so a blocked read returns whatever a server drips (stdlib timeouts are per read)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0 or self.expired:
            self.expired = True
            raise TimeoutError("provisioning deadline passed")
        return remaining

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError("provisioning deadline passed")
            self._sockets.append(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()


def _connection(
    cls: type[http.client.HTTPConnection], deadline: _Deadline
) -> Callable[..., http.client.HTTPConnection]:
    """`cls` whose socket the deadline can shut down. http.client opens it through its
    `_create_connection` attribute (the hook its own tests use), TLS handshake included."""

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        kwargs["timeout"] = deadline.left()
        conn = cls(host, **kwargs)
        create = conn._create_connection  # type: ignore[attr-defined]
        conn._create_connection = lambda *a, **k: deadline.watch(create(*a, **k))  # type: ignore[attr-defined]
        return conn

    return make


class _Http(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection(http.client.HTTPConnection, self._deadline), req)


class _Https(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._deadline = deadline
        self._ctx = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        make = _connection(http.client.HTTPSConnection, self._deadline)
        return self.do_open(make, req, context=self._ctx)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow to http(s) only, never https -> http; credentials only to their own origin."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, credentials_origin: tuple[str, str, int]) -> None:
        super().__init__()
        self._origin = credentials_origin

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        here, there = redact(req.full_url), redact(newurl)
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        refusal = ""
        if scheme not in ("http", "https"):
            refusal = "only http:// and https:// redirects are followed"
        elif urllib.parse.urlsplit(req.full_url).scheme.lower() == "https" and scheme == "http":
            refusal = "refused to go from https to plain http (the file could be read or changed)"
        if refusal:
            with contextlib.suppress(Exception):
                fp.close()
            raise ProvisionError(f"{here}: the server redirected to {there}: {refusal}", here)
        new = super().redirect_request(req, fp, code, msg, headers, there)
        if new is not None and _origin(new.full_url) != self._origin:
            new.remove_header("Authorization")  # another origin never gets the password
        return new


def _request(url: str) -> urllib.request.Request:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProvisionError(f"{redact(url)}: not an http:// or https:// URL", url=redact(url))
    headers = {"User-Agent": "DeskPhone (Yealink SIP-T46G compatible provisioning)"}
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        pw = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{pw}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(redact(url), headers=headers)


def fetch_text(url: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """GET a provisioning file; ProvisionError (with .status for HTTP errors) on failure."""
    deadline = _Deadline(timeout)
    try:
        return _fetch(url, deadline)[0]
    finally:
        deadline.close()


def _fetch(url: str, deadline: _Deadline) -> tuple[str, str]:
    """(text, the URL it finally came from) within the deadline."""
    shown = redact(url)
    request = _request(url)
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _Http(deadline),
        _Https(deadline, ssl.create_default_context()),
        _Redirects(_origin(url)),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    try:
        with opener.open(request, timeout=deadline.left()) as resp:
            data: bytes = resp.read(MAX_BYTES + 1)
            final = redact(resp.geturl())
    except urllib.error.HTTPError as exc:
        if deadline.expired:
            raise ProvisionError(
                f"{shown}: {_why(TimeoutError(), deadline.seconds)}", shown
            ) from exc
        raise ProvisionError(
            f"{shown}: the server answered {exc.code} {exc.reason}", shown, exc.code
        ) from exc
    except urllib.error.URLError as exc:
        reason = TimeoutError() if deadline.expired else exc.reason
        raise ProvisionError(f"{shown}: {_why(reason, deadline.seconds)}", shown) from exc
    except (OSError, http.client.HTTPException) as exc:
        reason = TimeoutError() if deadline.expired else exc
        raise ProvisionError(f"{shown}: {_why(reason, deadline.seconds)}", shown) from exc
    if deadline.expired:  # the read returned what came before the socket was shut down
        raise ProvisionError(f"{shown}: {_why(TimeoutError(), deadline.seconds)}", shown)
    if len(data) > MAX_BYTES:
        raise ProvisionError(f"{shown}: larger than {MAX_BYTES} bytes, not a .cfg file", shown)
    try:
        return data.decode("utf-8-sig"), final
    except UnicodeDecodeError:
        return data.decode("latin-1"), final


def _why(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"the server did not answer within {timeout:g} s"
    if isinstance(reason, http.client.HTTPException):
        return f"the server's answer is not HTTP ({type(reason).__name__})"
    if isinstance(reason, ConnectionRefusedError):
        return "the server cannot be reached (connection refused)"
    if isinstance(reason, socket.gaierror):
        return "the server name cannot be resolved"
    if isinstance(reason, ssl.SSLError):
        return f"the secure connection failed ({reason.reason or reason})"
    if isinstance(reason, OSError):
        return f"the server cannot be reached ({reason.strerror or reason})"
    return f"the server cannot be reached ({reason})"


def file_urls(url: str, mac: str, common_file: str = COMMON_FILE) -> list[tuple[str, str]]:
    """(file name, URL) of the common file and, when a MAC is known, the device file."""
    folder = url if url.endswith("/") else url + "/"
    names = [common_file]
    if mac:
        norm = normalize_mac(mac)
        if not norm:
            raise ProvisionError(f"'{mac}' is not a MAC address (12 hex digits)")
        names.append(f"{norm}.cfg")
    return [(name, urllib.parse.urljoin(folder, name)) for name in names]


def provision_from_url(
    url: str,
    mac: str = "",
    base: Settings | None = None,
    *,
    common_file: str = COMMON_FILE,
    timeout: float = DEFAULT_TIMEOUT,
) -> ProvisionResult:
    """Fetch and import the common and device files; the device file's keys win."""
    start = base or Settings()
    result = ProvisionResult(start, ImportReport())
    entries = []
    deadline = _Deadline(timeout)
    try:
        for name, file_url in file_urls(url, mac, common_file):
            try:
                text, final = _fetch(file_url, deadline)
            except ProvisionError as exc:
                if exc.status != 404:
                    raise
                result.missing.append(exc.url)
                result.report.notes.append(f"{exc}; continuing without {name}")
                continue
            result.fetched.append(redact(file_url))
            result.insecure |= urllib.parse.urlsplit(final).scheme.lower() != "https"
            file_entries, malformed = parse_cfg(text, source=name)
            entries += file_entries
            result.report.malformed += malformed
    finally:
        deadline.close()
    if not result.fetched:
        raise ProvisionError(
            "No provisioning file found: " + ", ".join(f"{u} (404)" for u in result.missing),
            status=404,
        )
    result.settings, result.report = apply_entries(entries, base, result.report)
    result.risks = provision_risks(start, result.settings)
    return result


def provision(
    url: str, mac: str, base: Settings, *, timeout: float = DEFAULT_TIMEOUT
) -> ProvisionResult:
    """Provision from `url` as the command line and the dialog do, and remember where from.

    A user and password written into the URL are taken out of it into the provisioning user
    and password settings (the password then goes to the secret store, never settings.json).
    A URL without them uses the saved ones, but only on the saved URL's origin: a URL on
    another server never gets them."""
    bare, user, password = split_url_credentials(url)
    saved = base.provisioning
    if not user and not password and saved.url and _origin(bare) == _origin(saved.url):
        user, password = saved.user, saved.password
    result = provision_from_url(with_credentials(bare, user, password), mac, base, timeout=timeout)
    kept = result.settings.provisioning
    kept.url, kept.user, kept.password = bare, user, password
    kept.mac = mac or kept.mac
    return result


__all__ = [
    "COMMON_FILE",
    "ProvisionError",
    "ProvisionResult",
    "ReportLine",
    "fetch_text",
    "file_urls",
    "provision",
    "provision_from_url",
    "redact",
]
