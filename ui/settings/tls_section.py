"""The TLS group of the Accounts tab: checking the server's certificate, and which CAs to trust.

A Yealink has these under Security → Trusted Certificates: "Only Accept Trusted Certificates"
(`security.trust_certificates`, on by default) and the CA certificates it trusts. Here they are
`Settings.tls_verify_server` and `Settings.tls_ca_file` (a PEM file; empty: the system's CA
list), used by every account whose transport is TLS. The engine hands the file to OpenSSL when
the TLS transport is made, so a missing or non-PEM file is refused here, before it is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)

from app.phone.settings import Settings
from app.userfiles import ca_file_problem
from ui.settings.form import FormTab, label_of

VERIFY_PATH = "tls_verify_server"
CA_PATH = "tls_ca_file"
NO_CHECK_WARNING = (
    "The server's certificate will not be checked: anyone on the network path could pose "
    "as the server."
)
WARNING_STYLE = "color: #a04b00;"
DEFAULT_CA_DIR = "/etc/ssl/certs"


class TlsSection(QGroupBox):
    """The two phone-wide TLS settings, bound through `tab` so its error display applies."""

    def __init__(self, tab: FormTab, edited: Callable[[], None]) -> None:
        super().__init__("TLS (accounts with transport TLS)")
        self.setObjectName("tls")
        self._edited = edited
        self.verify_cell = tab.input(VERIFY_PATH)
        self.ca_cell = tab.input(CA_PATH)
        edit = tab.editor(CA_PATH)
        assert isinstance(edit, QLineEdit)
        self.ca_edit = edit
        self.browse = QPushButton("Browse…")
        self.browse.setObjectName(f"{CA_PATH}.browse")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._browse)
        self.warning = QLabel(NO_CHECK_WARNING)
        self.warning.setObjectName(f"{VERIFY_PATH}.warning")
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setWordWrap(True)
        self.warning.hide()

        ca_row = QHBoxLayout()
        ca_row.setSpacing(6)
        ca_row.addWidget(self.ca_cell, 1)
        # stays beside the field when an error line opens under it
        ca_row.addWidget(self.browse, 0, Qt.AlignmentFlag.AlignTop)
        form = QFormLayout(self)
        form.addRow("", self.verify_cell)
        form.addRow("", self.warning)
        form.addRow(label_of(CA_PATH), ca_row)

    def show_state(self, work: Settings) -> None:
        self.warning.setVisible(not work.tls_verify_server)

    @staticmethod
    def errors(work: Settings) -> dict[str, str]:
        problem = ca_file_problem(work.tls_ca_file)
        return {CA_PATH: f"{CA_PATH}: {problem}"} if problem else {}

    def _browse(self) -> None:
        current = self.ca_edit.text().strip()
        start = str(Path(current).parent) if current else DEFAULT_CA_DIR
        # Qt's own dialog: the platform one may be missing (or hang) on a bare X server
        path, _ = QFileDialog.getOpenFileName(
            self,
            "CA certificates (PEM)",
            start,
            "PEM certificates (*.pem *.crt *.cer);;All files (*)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        if path:
            self.ca_edit.setText(path)
            self._edited()
