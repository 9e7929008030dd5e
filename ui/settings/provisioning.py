"""Yealink provisioning from the settings dialog: .cfg import/export and HTTP(S) provisioning.

The functions return text for the user rather than raising, so every failure is shown in the
report dialog. Exports never contain passwords (app/store/yealink_export.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.phone.settings import Settings, spec
from app.store.provision_http import ProvisionError, provision
from app.store.provision_risk import plain_http_warning
from app.store.yealink_cfg import export_cfg, import_cfg_file

log = logging.getLogger("deskphone.ui")


def import_file(path: Path, base: Settings) -> tuple[Settings | None, str]:
    """(imported settings, report text), or (None, why) when the file cannot be read."""
    try:
        imported, report = import_cfg_file(path, base)
    except OSError as exc:
        return None, f"Could not read {path}: {exc.strerror or exc}"
    log.info("imported %s: %d keys", path.name, len(report.applied))
    return imported, f"Imported {path.name}\n{report.text()}"


def export_file(path: Path, settings: Settings) -> tuple[bool, str]:
    try:
        path.write_text(export_cfg(settings), encoding="utf-8")
    except OSError as exc:
        return False, f"Could not write {path}: {exc.strerror or exc}"
    return True, f"Settings exported to {path} (passwords are not exported)."


def from_url(url: str, mac: str, base: Settings) -> tuple[Settings | None, str, str]:
    """(provisioned settings or None, report text, a warning to confirm first or "")."""
    try:
        result = provision(url, mac, base)
    except ProvisionError as exc:
        return None, f"Provisioning failed: {exc}", ""
    fetched = "\n".join(f"  {u}" for u in result.fetched)
    warning = plain_http_warning(result.risks) if result.insecure and result.risks else ""
    return result.settings, f"Provisioned from:\n{fetched}\n{result.report.text()}", warning


class ReportDialog(QDialog):
    """The import report: how many keys, and every line that was not taken, with its number."""

    def __init__(self, text: str, error: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Provisioning problem" if error else "Provisioning report")
        self.setObjectName("settings.report")
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setFont(QFont("monospace"))
        self.text.setMinimumSize(560, 220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class UrlDialog(QDialog):
    """Asks for the provisioning folder URL and this device's MAC (for <MAC>.cfg)."""

    def __init__(self, url: str, mac: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Provision from URL")
        self.url = QLineEdit(url)
        self.url.setPlaceholderText(spec("provisioning.url").placeholder)
        self.mac = QLineEdit(mac)
        self.mac.setPlaceholderText(spec("provisioning.mac").placeholder)
        form = QFormLayout(self)
        form.addRow(QLabel("The common file and <MAC>.cfg are fetched from this folder."))
        form.addRow(spec("provisioning.url").setting.label, self.url)
        form.addRow(spec("provisioning.mac").setting.label, self.mac)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str]:
        return self.url.text().strip(), self.mac.text().strip()
