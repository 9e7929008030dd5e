"""Auto-provisioning over HTTP from a local server on 127.0.0.1 (random port)."""

from __future__ import annotations

import base64
import http.server
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.provision_http import ProvisionError, fetch_text, provision_from_url
from tests.unit.conftest import serving

HEADER = "#!version:1.0.0.1\n"
MAC = "00:15:65:AA:BB:CC"
COMMON = HEADER + "account.1.label = Common\naccount.1.user_name = 100\nsip.listen_port = 5070\n"
DEVICE = HEADER + "account.1.label = Desk 7\nlang.gui = English\n"


class _Handler(http.server.SimpleHTTPRequestHandler):
    auth: str | None = None
    seen: list[str] = []  # noqa: RUF012  (shared by the test on purpose)

    def do_GET(self) -> None:
        _Handler.seen.append(self.headers.get("Authorization", ""))
        if self.auth and self.headers.get("Authorization") != self.auth:
            self.send_error(401)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "prov"
    root.mkdir()
    try:
        with serving(root, _Handler) as url:
            yield url, root
    finally:
        _Handler.auth = None


def test_common_and_device_files_merge_device_wins(server: tuple[str, Path]) -> None:
    url, root = server
    (root / "y000000000028.cfg").write_text(COMMON)
    (root / "001565aabbcc.cfg").write_text(DEVICE)
    result = provision_from_url(url, MAC, timeout=5)
    assert result.settings.accounts[0].label == "Desk 7"
    assert result.settings.accounts[0].user == "100"
    assert result.settings.sip_port == 5070
    assert result.report.unsupported_keys == ["lang.gui"]
    assert result.report.unsupported[0].source == "001565aabbcc.cfg"
    assert len(result.fetched) == 2 and result.missing == []


def test_missing_device_file_is_reported_common_still_applies(server: tuple[str, Path]) -> None:
    url, root = server
    (root / "y000000000028.cfg").write_text(COMMON)
    result = provision_from_url(url, MAC, timeout=5)
    assert result.settings.accounts[0].label == "Common"
    assert result.missing == [url + "001565aabbcc.cfg"]
    assert any("404" in n and "001565aabbcc.cfg" in n for n in result.report.notes)


def test_404_for_both_files_is_an_error_naming_urls(server: tuple[str, Path]) -> None:
    url, _ = server
    with pytest.raises(ProvisionError) as info:
        provision_from_url(url, MAC, timeout=5)
    assert info.value.status == 404
    assert url + "y000000000028.cfg" in str(info.value) and "404" in str(info.value)


def test_http_error_names_url_and_status(server: tuple[str, Path]) -> None:
    url, root = server
    (root / "y000000000028.cfg").write_text(COMMON)
    _Handler.auth = "Basic " + base64.b64encode(b"admin:pw").decode()
    with pytest.raises(ProvisionError) as info:
        fetch_text(url + "y000000000028.cfg", timeout=5)
    assert info.value.status == 401 and url + "y000000000028.cfg" in str(info.value)


def test_credentials_in_url_are_sent_but_never_shown(server: tuple[str, Path]) -> None:
    url, root = server
    (root / "y000000000028.cfg").write_text(COMMON)
    _Handler.auth = "Basic " + base64.b64encode(b"admin:s3cr3t").decode()
    with_creds = url.replace("http://", "http://admin:s3cr3t@")
    result = provision_from_url(with_creds, timeout=5)
    assert result.settings.accounts[0].label == "Common"
    assert all("s3cr3t" not in u for u in result.fetched + result.missing)
    assert "s3cr3t" not in result.report.text()


def test_dead_server_is_reported() -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nobody listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ProvisionError) as info:
        provision_from_url(f"http://127.0.0.1:{port}/", MAC, timeout=3)
    assert f"127.0.0.1:{port}" in str(info.value) and "cannot be reached" in str(info.value)


def test_silent_server_times_out() -> None:
    with socket.socket() as s:  # accepts connections (backlog) but never answers
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        port = s.getsockname()[1]
        with pytest.raises(ProvisionError) as info:
            fetch_text(f"http://127.0.0.1:{port}/y000000000028.cfg", timeout=0.5)
    assert "did not answer within 0.5 s" in str(info.value)


def test_bad_mac_and_bad_scheme_refused() -> None:
    with pytest.raises(ProvisionError, match="MAC"):
        provision_from_url("http://127.0.0.1:1/", "00:11", timeout=1)
    with pytest.raises(ProvisionError, match="http"):
        fetch_text("ftp://127.0.0.1/x.cfg", timeout=1)
