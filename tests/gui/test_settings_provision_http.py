"""Provisioning from the settings dialog over plain http: a file that would hand the phone over
(remote control on, an account moved to another server) is named and waits for a yes; the
provisioning password goes to the password field, not into the URL."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.phone.settings import AccountSettings, Settings
from tests.unit.conftest import serving
from ui.settings.dialog import SettingsDialog

pytestmark = pytest.mark.gui

RISKY = (
    "#!version:1.0.0.1\n"
    "features.action_uri.enable = 1\n"
    "features.action_uri_limit_ip = any\n"
    "account.1.sip_server.1.address = 127.0.0.9\n"
)


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    (root / "y000000000028.cfg").write_text(RISKY)
    with serving(root, _Files) as url:
        yield url, root


def opened(qtbot: QtBot) -> SettingsDialog:
    before = Settings(accounts=[AccountSettings(user="alice", server="127.0.0.1", password="pw")])
    dialog = SettingsDialog(before)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def answer(qtbot: QtBot, dialog: SettingsDialog, button: QMessageBox.StandardButton) -> None:
    box = dialog.plain_http_box
    qtbot.waitUntil(box.isVisible, timeout=5000)
    clicked = box.button(button)
    assert clicked is not None
    clicked.click()


def test_a_risky_plain_http_file_waits_for_a_yes(
    qtbot: QtBot, folder: tuple[str, Path], screens_dir: Path
) -> None:
    url, _ = folder
    dialog = opened(qtbot)
    assert not dialog.provision_url(url)
    box = dialog.plain_http_box
    qtbot.waitUntil(box.isVisible, timeout=5000)
    assert "plain http" in box.text() and "remote control" in box.text()
    assert "127.0.0.9" in box.text()
    box.grab().save(str(screens_dir / "settings-provision-plain-http.png"))
    answer(qtbot, dialog, QMessageBox.StandardButton.No)
    assert dialog.current().accounts[0].server == "127.0.0.1"
    assert not dialog.current().remote.action_uri_enabled
    assert "not applied" in dialog.last_report

    assert not dialog.provision_url(url)
    answer(qtbot, dialog, QMessageBox.StandardButton.Yes)
    assert dialog.current().accounts[0].server == "127.0.0.9"
    assert dialog.current().remote.action_uri_enabled


def test_credentials_in_the_url_become_the_user_and_password(
    qtbot: QtBot, folder: tuple[str, Path]
) -> None:
    url, root = folder
    (root / "y000000000028.cfg").write_text("#!version:1.0.0.1\naccount.1.label = Desk\n")
    dialog = opened(qtbot)
    assert dialog.provision_url(url.replace("http://", "http://admin:s3cr3t@"))
    prov = dialog.current().provisioning
    assert (prov.url, prov.user, prov.password) == (url, "admin", "s3cr3t")
    assert dialog.current().accounts[0].label == "Desk"
