"""The settings dialog's TLS group (Accounts tab): "Only accept trusted certificates" and the CA
file, driven like a user; what is applied is saved and loaded back by the real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QFileDialog, QLineEdit
from pytestqt.qtbot import QtBot

from app.phone.settings import AccountSettings, Settings
from app.store.secrets import SecretStore
from app.store.settings import load_settings, save_settings
from tests.peers.calls.tiny_registrar import self_signed_cert
from ui.settings.accounts_tab import AccountsTab
from ui.settings.audio_tab import AudioTab
from ui.settings.dialog import SettingsDialog, default_tabs
from ui.settings.tls_section import CA_PATH, NO_CHECK_WARNING, VERIFY_PATH

pytestmark = pytest.mark.gui

DEVICES = [{"name": "Speakers", "max_input_channels": 0, "max_output_channels": 2}]


class Opened:
    def __init__(self, qtbot: QtBot, settings: Settings) -> None:
        self.qtbot = qtbot
        tabs = default_tabs()
        tabs[1] = AudioTab(lambda: DEVICES)  # no dependence on this machine's sound devices
        self.dialog = SettingsDialog(settings, tabs=tabs)
        qtbot.addWidget(self.dialog)
        self.emitted: list[Settings] = []
        self.dialog.applied.connect(self.emitted.append)
        self.dialog.show()
        qtbot.waitExposed(self.dialog)
        tab = self.dialog.tab("Accounts")
        assert isinstance(tab, AccountsTab)
        self.tab = tab
        verify = tab.editor(VERIFY_PATH)
        ca = tab.editor(CA_PATH)
        assert isinstance(verify, QCheckBox) and isinstance(ca, QLineEdit)
        self.verify, self.ca = verify, ca

    def type_ca(self, text: str) -> None:
        self.ca.clear()
        if text:
            self.qtbot.keyClicks(self.ca, text)  # type: ignore[no-untyped-call]
        else:  # deleting the last character is an edit too
            self.ca.setText("x")
            self.qtbot.keyClick(self.ca, Qt.Key.Key_Backspace)  # type: ignore[no-untyped-call]

    def click(self, widget: QCheckBox) -> None:
        # on the box itself: a QCheckBox as wide as its form row ignores clicks right of its text
        box = QPoint(6, widget.height() // 2)
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=box)  # type: ignore[no-untyped-call]

    def shot(self, folder: Path, name: str) -> None:
        self.qtbot.wait(50)
        assert self.dialog.grab().save(str(folder / name))


def make_settings() -> Settings:
    acc = AccountSettings(label="Office", user="alice", server="127.0.0.1", transport="tls")
    return Settings(accounts=[acc])


def test_tls_settings_apply_save_and_load(
    qtbot: QtBot, tmp_path: Path, config_dir: Path, screens_dir: Path
) -> None:
    cert, _ = self_signed_cert(tmp_path / "pki")
    o = Opened(qtbot, make_settings())
    assert o.tab.tls.isVisibleTo(o.dialog)
    assert o.verify.isChecked()  # on by default, as on a Yealink
    assert o.verify.text() == "Only accept trusted certificates"
    assert o.ca.text() == "" and o.tab.tls.warning.isHidden()

    o.click(o.verify)
    assert not o.verify.isChecked()
    assert o.tab.tls.warning.isVisibleTo(o.dialog)
    assert o.tab.tls.warning.text() == NO_CHECK_WARNING
    o.type_ca(str(cert))
    assert o.tab.error_text(CA_PATH) == ""
    assert o.dialog.errors() == {}
    o.shot(screens_dir, "settings-accounts-tls.png")
    o.qtbot.mouseClick(o.dialog.apply_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert len(o.emitted) == 1
    applied = o.emitted[0]
    assert (applied.tls_verify_server, applied.tls_ca_file) == (False, str(cert))
    assert applied.accounts[0].transport == "tls"  # the rest of the tab is untouched

    secrets = SecretStore(config_dir, use_keyring=False)
    save_settings(config_dir, applied, secrets)
    loaded = load_settings(config_dir, secrets).settings
    assert (loaded.tls_verify_server, loaded.tls_ca_file) == (False, str(cert))

    # opened again on what was saved: the widgets show it, warning included
    again = Opened(qtbot, loaded)
    assert not again.verify.isChecked() and again.ca.text() == str(cert)
    assert again.tab.tls.warning.isVisibleTo(again.dialog)
    again.click(again.verify)
    assert again.tab.tls.warning.isHidden()
    assert again.dialog.apply()
    assert again.emitted[-1].tls_verify_server is True


def test_invalid_ca_file_is_an_error_and_nothing_is_saved(
    qtbot: QtBot, tmp_path: Path, screens_dir: Path
) -> None:
    o = Opened(qtbot, make_settings())
    missing = tmp_path / "no-such-ca.pem"
    o.type_ca(str(missing))
    assert o.tab.error_text(CA_PATH) == "no such file"
    o.shot(screens_dir, "settings-accounts-tls-error.png")
    assert not o.dialog.apply()
    assert o.emitted == []
    assert "Nothing saved" in o.dialog.status.text()
    assert o.dialog.tab_widget.currentWidget() is o.tab

    not_pem = tmp_path / "key.txt"
    not_pem.write_text("this is not a certificate\n")
    o.type_ca(str(not_pem))
    assert "not a PEM certificate file" in o.tab.error_text(CA_PATH)
    o.type_ca(str(tmp_path))
    assert o.tab.error_text(CA_PATH) == "not a regular file"
    o.type_ca("ca.pem")
    assert "full path" in o.tab.error_text(CA_PATH)
    assert not o.dialog.apply() and o.emitted == []

    o.type_ca("")  # empty: the system's CA list
    assert o.tab.error_text(CA_PATH) == ""
    assert o.dialog.apply()
    assert o.emitted[-1].tls_ca_file == "" and o.emitted[-1].tls_verify_server is True


def test_browse_picks_a_file_in_qt_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    cert, _ = self_signed_cert(tmp_path / "pki")
    o = Opened(qtbot, make_settings())
    seen: list[bool] = []  # per file dialog met: was it Qt's own (non-native) one

    def pick() -> None:
        # the file dialog runs its own modal loop: answer it once it is up
        box = QApplication.activeModalWidget()
        if not isinstance(box, QFileDialog):
            QTimer.singleShot(50, pick)
            return
        seen.append(box.testOption(QFileDialog.Option.DontUseNativeDialog))
        name = box.findChild(QLineEdit, "fileNameEdit")  # where a user types the file name
        if not isinstance(name, QLineEdit):
            box.reject()  # never leave the test stuck in the dialog's loop
            return
        name.setText(str(cert))
        box.accept()

    QTimer.singleShot(50, pick)
    o.qtbot.mouseClick(o.tab.tls.browse, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert seen == [True]
    assert o.ca.text() == str(cert)
    assert o.tab.error_text(CA_PATH) == ""
    assert o.dialog.apply_button.isEnabled()
    assert o.dialog.apply()
    assert o.emitted[-1].tls_ca_file == str(cert)
