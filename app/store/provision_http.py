"""Auto-provisioning as a Yealink phone does it: fetch the model's common file and this
device's `<MAC>.cfg` from a provisioning URL and import them, the device file winning.

Only http:// and https:// (urllib, always with a timeout). Credentials may be given in the
URL (`http://user:pw@host/path/`); they are sent as Basic auth and never appear in messages.
A missing file (404) is reported and the other one still imports, as on the phone; a server
that cannot be reached, a timeout or any other HTTP error raises ProvisionError naming the URL.
"""

from __future__ import annotations

import base64
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from app.phone.settings import Settings
from app.store.errors import StoreError
from app.store.validate import normalize_mac
from app.store.yealink_cfg import ImportReport, ReportLine, apply_entries, parse_cfg

COMMON_FILE = "y000000000028.cfg"  # the SIP-T46G's common file
MAX_BYTES = 1 << 20


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


def redact(url: str) -> str:
    """The URL without user:password, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


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


def fetch_text(url: str, timeout: float = 10.0) -> str:
    """GET a provisioning file; ProvisionError (with .status for HTTP errors) on failure."""
    shown = redact(url)
    request = _request(url)
    try:
        with urllib.request.urlopen(
            request, timeout=timeout, context=ssl.create_default_context()
        ) as resp:
            data: bytes = resp.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ProvisionError(
            f"{shown}: the server answered {exc.code} {exc.reason}", shown, exc.code
        ) from exc
    except urllib.error.URLError as exc:
        raise ProvisionError(f"{shown}: {_why(exc.reason, timeout)}", shown) from exc
    except TimeoutError as exc:
        raise ProvisionError(f"{shown}: {_why(exc, timeout)}", shown) from exc
    except OSError as exc:
        raise ProvisionError(f"{shown}: {_why(exc, timeout)}", shown) from exc
    if len(data) > MAX_BYTES:
        raise ProvisionError(f"{shown}: larger than {MAX_BYTES} bytes, not a .cfg file", shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _why(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"the server did not answer within {timeout:g} s"
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
    timeout: float = 10.0,
) -> ProvisionResult:
    """Fetch and import the common and device files; the device file's keys win."""
    result = ProvisionResult(base or Settings(), ImportReport())
    entries = []
    for name, file_url in file_urls(url, mac, common_file):
        try:
            text = fetch_text(file_url, timeout)
        except ProvisionError as exc:
            if exc.status != 404:
                raise
            result.missing.append(exc.url)
            result.report.notes.append(f"{exc}; continuing without {name}")
            continue
        result.fetched.append(redact(file_url))
        file_entries, malformed = parse_cfg(text, source=name)
        entries += file_entries
        result.report.malformed += malformed
    if not result.fetched:
        raise ProvisionError(
            "No provisioning file found: " + ", ".join(f"{u} (404)" for u in result.missing),
            status=404,
        )
    result.settings, result.report = apply_entries(entries, base, result.report)
    return result


__all__ = [
    "COMMON_FILE",
    "ProvisionError",
    "ProvisionResult",
    "ReportLine",
    "fetch_text",
    "file_urls",
    "provision_from_url",
    "redact",
]
