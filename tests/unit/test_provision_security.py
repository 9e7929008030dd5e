"""Provisioning over HTTP(S) as an attacker on the network would try it.

Every server is on 127.0.0.1; 127.0.0.2 stands in for another host (another origin). The
https server uses a throw-away certificate trusted through SSL_CERT_FILE, the way the system
store would trust a real one.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store.provision_http import ProvisionError, fetch_text, provision_from_url
from tests.peers.calls.tiny_registrar import self_signed_cert

COMMON = "#!version:1.0.0.1\naccount.1.label = Common\n"
CREDS = "Basic " + base64.b64encode(b"admin:s3cr3t").decode()


class Site:
    """One origin: answers from `routes` (path -> (status, headers, body)), records requests."""

    def __init__(self, host: str = "127.0.0.1", tls: tuple[Path, Path] | None = None) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.need_auth: set[str] = set()
        self.seen: list[tuple[str, str]] = []  # (path, Authorization)
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                auth = self.headers.get("Authorization", "")
                site.seen.append((self.path, auth))
                if self.path in site.need_auth and auth != CREDS:
                    status, headers, body = 401, {"WWW-Authenticate": 'Basic realm="p"'}, b""
                else:
                    status, headers, body = site.routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        scheme = "http"
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.base = f"{scheme}://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites() -> Iterator[Any]:
    made: list[Site] = []

    def make(host: str = "127.0.0.1", tls: tuple[Path, Path] | None = None) -> Site:
        made.append(Site(host, tls))
        return made[-1]

    yield make
    for s in made:
        s.close()


def redirect(to: str, code: int = 302) -> tuple[int, dict[str, str], bytes]:
    return code, {"Location": to}, b""


def with_creds(url: str) -> str:
    return url.replace("://", "://admin:s3cr3t@", 1)


def test_credentials_stay_with_their_origin_across_redirects(sites: Any) -> None:
    a, b = sites("127.0.0.1"), sites("127.0.0.2")
    a.need_auth = {"/p/y000000000028.cfg", "/moved/y000000000028.cfg"}
    # Same origin, other folder: the credentials go along (the server asks for them again).
    a.routes["/p/y000000000028.cfg"] = redirect("/moved/y000000000028.cfg", 301)
    a.routes["/moved/y000000000028.cfg"] = (200, {}, COMMON.encode())
    assert "Common" in fetch_text(with_creds(a.base) + "/p/y000000000028.cfg", timeout=5)
    assert a.seen[-1] == ("/moved/y000000000028.cfg", CREDS)

    # Another origin: followed, but without the credentials.
    b.routes["/y000000000028.cfg"] = (200, {}, COMMON.encode())
    a.routes["/p/y000000000028.cfg"] = redirect(b.base + "/y000000000028.cfg")
    assert "Common" in fetch_text(with_creds(a.base) + "/p/y000000000028.cfg", timeout=5)
    assert b.seen == [("/y000000000028.cfg", "")]
    # Credentials written into the Location are not used either.
    a.need_auth = set()
    a.routes["/p/y000000000028.cfg"] = redirect(with_creds(b.base) + "/y000000000028.cfg")
    fetch_text(a.base + "/p/y000000000028.cfg", timeout=5)
    assert b.seen[-1] == ("/y000000000028.cfg", "")


def test_a_redirect_to_another_scheme_is_refused(sites: Any) -> None:
    a = sites()
    with socket.socket() as ftp:  # an FTP server would be here: nothing may connect to it
        ftp.bind(("127.0.0.1", 0))
        ftp.listen(4)
        ftp.settimeout(0.3)
        a.routes["/y.cfg"] = redirect(f"ftp://127.0.0.1:{ftp.getsockname()[1]}/y.cfg")
        with pytest.raises(ProvisionError) as info:
            fetch_text(a.base + "/y.cfg", timeout=3)
        with pytest.raises(TimeoutError):
            ftp.accept()[0].close()
    assert "ftp://" in str(info.value) and "only http:// and https://" in str(info.value)


def test_https_to_http_downgrade_is_refused(
    sites: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed_cert(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    secure, plain = sites(tls=(cert, key)), sites()
    plain.routes["/y.cfg"] = (200, {}, COMMON.encode())
    secure.routes["/same.cfg"] = (200, {}, COMMON.encode())
    assert "Common" in fetch_text(secure.base + "/same.cfg", timeout=5)  # https works
    secure.routes["/y.cfg"] = redirect(plain.base + "/y.cfg")
    with pytest.raises(ProvisionError) as info:
        fetch_text(with_creds(secure.base) + "/y.cfg", timeout=5)
    assert "https" in str(info.value) and "http://" in str(info.value)
    assert "s3cr3t" not in str(info.value)
    assert plain.seen == []


@contextlib.contextmanager
def dripping_server(response: bytes, pause: float) -> Iterator[int]:
    """Answers every connection one byte every `pause` seconds: each read is quick."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.recv(4096)
                for byte in response:
                    if stop.wait(pause):
                        break
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(2)


def test_the_timeout_is_an_overall_deadline_not_per_read() -> None:
    body = COMMON.encode()
    response = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    with dripping_server(response, 0.1) as port:  # the whole answer would take ~9 s
        started = time.monotonic()
        with pytest.raises(ProvisionError) as info:
            fetch_text(f"http://127.0.0.1:{port}/y.cfg", timeout=1.0)
        took = time.monotonic() - started
    assert took < 2.5, took
    assert "within 1 s" in str(info.value)


def test_the_deadline_covers_both_files_of_one_provisioning(sites: Any) -> None:
    body = COMMON.encode()
    response = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    with dripping_server(response, 0.012) as port:  # each file alone ~1 s
        started = time.monotonic()
        with pytest.raises(ProvisionError):
            provision_from_url(f"http://127.0.0.1:{port}/", "001565aabbcc", timeout=1.5)
        assert time.monotonic() - started < 2.5


RISKY = (
    "#!version:1.0.0.1\n"
    "features.action_uri.enable = 1\n"
    "features.action_uri_limit_ip = any\n"
    "account.1.sip_server.1.address = 127.0.0.9\n"
)


def test_plain_http_that_opens_remote_control_or_moves_the_server_is_not_applied_silently(
    sites: Any, config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main
    from app.phone.settings import AccountSettings, Settings
    from app.store.settings import load_settings, save_settings

    before = Settings(accounts=[AccountSettings(user="1001", server="127.0.0.1", password="pw")])
    save_settings(config_dir, before)
    a = sites()
    a.routes["/p/y000000000028.cfg"] = (200, {}, RISKY.encode())
    args = ["--config-dir", str(config_dir), "--provision-url", a.base + "/p/"]

    result = provision_from_url(a.base + "/p/", base=load_settings(config_dir).settings)
    assert result.insecure
    assert any("remote control" in r for r in result.risks)
    assert any("127.0.0.9" in r and "account 1" in r.lower() for r in result.risks)

    assert main(args) == 1  # stdin is not a terminal: nobody to confirm, nothing applied
    err = capsys.readouterr().err
    assert "plain http" in err and "remote control" in err and "127.0.0.9" in err
    saved = load_settings(config_dir).settings
    assert saved.accounts[0].server == "127.0.0.1" and not saved.remote.action_uri_enabled

    assert main([*args, "--accept-plain-http"]) == 0
    saved = load_settings(config_dir).settings
    assert saved.accounts[0].server == "127.0.0.9" and saved.remote.action_uri_enabled


def test_harmless_plain_http_files_and_https_files_need_no_confirmation(
    sites: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = sites()
    a.routes["/y000000000028.cfg"] = (200, {}, COMMON.encode())
    result = provision_from_url(a.base + "/")
    assert result.insecure and result.risks == []
    cert, key = self_signed_cert(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    secure = sites(tls=(cert, key))
    secure.routes["/y000000000028.cfg"] = (200, {}, RISKY.encode())
    result = provision_from_url(secure.base + "/")
    assert not result.insecure and result.risks  # named, but https needs no question


def test_the_provisioning_password_lives_in_the_secret_store_not_in_files_or_exports(
    sites: Any, config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main
    from app.store.secrets import SecretStore
    from app.store.settings import load_settings
    from app.store.yealink_cfg import export_cfg

    a = sites()
    a.need_auth = {"/p/y000000000028.cfg"}
    a.routes["/p/y000000000028.cfg"] = (200, {}, COMMON.encode())
    url = with_creds(a.base) + "/p/"
    assert main(["--config-dir", str(config_dir), "--provision-url", url]) == 0, capsys.readouterr()
    on_disk = "".join(p.read_text(errors="replace") for p in config_dir.rglob("*.json"))
    assert "s3cr3t" in on_disk or SecretStore(config_dir).kind == "keyring"
    assert "s3cr3t" not in (config_dir / "settings.json").read_text()
    saved = load_settings(config_dir).settings
    assert saved.provisioning.url == a.base + "/p/"  # the URL is kept without credentials
    export = export_cfg(saved)
    assert "s3cr3t" not in export and "Passwords are not included" in export
    assert "static.auto_provision.server.username = admin" in export
    assert "static.auto_provision.server.password = s3cr3t" in export_cfg(saved, True)

    # Provisioning again from the saved URL uses the saved credentials, for that origin only.
    assert main(["--config-dir", str(config_dir), "--provision-url", saved.provisioning.url]) == 0
    assert a.seen[-1] == ("/p/y000000000028.cfg", CREDS)
    b = sites("127.0.0.2")
    b.routes["/y000000000028.cfg"] = (200, {}, COMMON.encode())
    assert main(["--config-dir", str(config_dir), "--provision-url", b.base + "/"]) == 0
    assert b.seen == [("/y000000000028.cfg", "")]


def test_an_older_settings_file_gives_up_the_password_in_its_provisioning_url(
    config_dir: Path,
) -> None:
    import json

    from app.store.secrets import SecretStore
    from app.store.settings import SETTINGS_FILE, load_settings

    url = "http://admin:s3cr3t@127.0.0.1:8080/p/"
    raw = {"schema": 2, "provisioning": {"url": url, "mac": ""}}
    (config_dir / SETTINGS_FILE).write_text(json.dumps(raw))
    secrets = SecretStore(config_dir, use_keyring=False)
    prov = load_settings(config_dir, secrets).settings.provisioning
    assert (prov.url, prov.user, prov.password) == ("http://127.0.0.1:8080/p/", "admin", "s3cr3t")
    assert "s3cr3t" not in (config_dir / SETTINGS_FILE).read_text()
    assert secrets.get("provisioning.password") == "s3cr3t"
