"""The settings dialog shell: tabs, OK / Cancel / Apply, nothing saved while input is invalid.

The dialog never writes files itself: a valid OK or Apply emits `applied` with a fresh copy of
the new Settings, and the caller persists it and applies it at once (no restart).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.phone.settings import Settings
from app.store.directory import Directory
from ui.settings import provisioning
from ui.settings.accounts_tab import AccountsTab
from ui.settings.audio_tab import AudioTab
from ui.settings.dialplan_tab import DialPlanTab
from ui.settings.directory_tab import DirectoryTab
from ui.settings.features_tab import FeaturesTab
from ui.settings.forward_tab import ForwardTab
from ui.settings.linekeys_tab import LineKeysTab
from ui.settings.remote_tab import RemoteTab
from ui.settings.tab import ERROR_STYLE, SettingsTab

# the handset menu's settings sections (app/phone/menus.py) -> the tab that edits them
SECTION_TABS = {
    "accounts": "Accounts",
    "audio": "Audio",
    "ringtones": "Audio",
    "call_waiting": "Features",
    "auto_answer": "Features",
    "dnd": "Features",
    "call_forward": "Call Forward",
    "directory": "Directory",
    "line_keys": "Line Keys",
}


def default_tabs(secrets_note: str = "", directory: Directory | None = None) -> list[SettingsTab]:
    tabs: list[SettingsTab] = [
        AccountsTab(secrets_note),
        AudioTab(),
        FeaturesTab(),
        ForwardTab(),
        RemoteTab(),
        DialPlanTab(),
        LineKeysTab(),
    ]
    if directory is not None:
        tabs.append(DirectoryTab(directory))
    return tabs


class SettingsDialog(QDialog):
    """Edits a copy of the settings; `applied(Settings)` on each successful OK or Apply."""

    applied = Signal(object)

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        tabs: Iterable[SettingsTab] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = copy.deepcopy(settings)
        # what the tabs' edits go onto: the applied settings, or a provisioned import of them
        self._base = copy.deepcopy(settings)
        self.last_report = ""  # the text of the last import / provisioning report
        self._tabs: list[SettingsTab] = []
        self._dirty = False

        self.tab_widget = QTabWidget()
        self.status = QLabel()
        self.status.setObjectName("settings.status")
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setWordWrap(True)
        self.status.hide()
        buttons = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(buttons.Ok | buttons.Cancel | buttons.Apply)
        self.buttons.clicked.connect(self._clicked)
        self.apply_button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tab_widget)
        layout.addWidget(self.status)
        layout.addLayout(self._provision_buttons())
        layout.addWidget(self.buttons)

        for tab in default_tabs() if tabs is None else tabs:
            self.add_tab(tab)

    # ---- tabs --------------------------------------------------------------------------------

    def add_tab(self, tab: SettingsTab) -> None:
        tab.load(copy.deepcopy(self._settings))
        tab.changed.connect(self._on_changed)
        self._tabs.append(tab)
        self.tab_widget.addTab(tab, tab.title)

    def tabs(self) -> list[SettingsTab]:
        return list(self._tabs)

    def tab(self, title: str) -> SettingsTab:
        """The tab with this title, brought to the front as a user would to edit it."""
        for tab in self._tabs:
            if tab.title == title:
                self.tab_widget.setCurrentWidget(tab)
                return tab
        raise KeyError(title)

    # ---- state -------------------------------------------------------------------------------

    @property
    def ok_button(self) -> QAbstractButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def apply_button(self) -> QAbstractButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Apply)

    @property
    def cancel_button(self) -> QAbstractButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

    def settings(self) -> Settings:
        """The settings as last applied (the ones given when nothing was applied yet)."""
        return copy.deepcopy(self._settings)

    def current(self) -> Settings:
        """The settings as edited now (not yet applied); invalid fields as typed."""
        new = copy.deepcopy(self._base)
        for tab in self._tabs:
            tab.store(new)
        return new

    def show_section(self, section: str) -> None:
        title = SECTION_TABS.get(section, "")
        for index, tab in enumerate(self._tabs):
            if tab.title == title:
                self.tab_widget.setCurrentIndex(index)

    def mark_dirty(self) -> None:
        """Edits stay pending (e.g. the caller could not save them): Apply is offered again."""
        self._dirty = True
        self.apply_button.setEnabled(True)

    def is_dirty(self) -> bool:
        return self._dirty

    def errors(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for tab in self._tabs:
            merged.update(tab.errors())
        return merged

    # ---- actions -----------------------------------------------------------------------------

    def apply(self) -> bool:
        """Save the edits if every tab is valid: emits `applied`. False (nothing saved) if not."""
        errors = self.errors()
        if errors:
            self._show_errors(errors)
            return False
        self.status.hide()
        if not self._dirty:
            return True
        new = self.current()
        self._settings = new
        self._base = copy.deepcopy(new)
        self._dirty = False
        self.apply_button.setEnabled(False)
        self.applied.emit(copy.deepcopy(new))
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def _clicked(self, button: QAbstractButton) -> None:
        role = self.buttons.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.AcceptRole:
            self.accept()
        elif role == QDialogButtonBox.ButtonRole.ApplyRole:
            self.apply()
        elif role == QDialogButtonBox.ButtonRole.RejectRole:
            self.reject()

    def _on_changed(self) -> None:
        self._dirty = True
        self.apply_button.setEnabled(True)
        if self.status.isVisibleTo(self) and not self.errors():
            self.status.hide()

    def _show_errors(self, errors: dict[str, str]) -> None:
        count = len(errors)
        self.status.setText(
            f"Nothing saved: {count} field{'' if count == 1 else 's'} marked in red need fixing."
        )
        self.status.show()
        for index, tab in enumerate(self._tabs):
            if tab.errors():
                self.tab_widget.setCurrentIndex(index)
                break

    # ---- provisioning ------------------------------------------------------------------------

    def _provision_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, slot in (
            ("Import .cfg…", self._ask_import),
            ("Export .cfg…", self._ask_export),
            ("Provision from URL…", self._ask_provision),
        ):
            button = QPushButton(text)
            button.setObjectName(f"settings.{text.split()[0].lower()}")
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch()
        return row

    def take_imported(self, imported: Settings, report_text: str) -> None:
        """Show an imported settings set in every tab; saved only by OK / Apply."""
        self._base = copy.deepcopy(imported)
        for tab in self._tabs:
            tab.load(copy.deepcopy(imported))
        self.mark_dirty()
        self._report(report_text)

    def import_cfg_file(self, path: Path) -> bool:
        imported, text = provisioning.import_file(path, self.current())
        if imported is None:
            self._report(text, error=True)
            return False
        self.take_imported(imported, text)
        return True

    def export_cfg_file(self, path: Path) -> bool:
        ok, text = provisioning.export_file(path, self.current())
        self._report(text, error=not ok)
        return ok

    def provision_url(self, url: str, mac: str = "") -> bool:
        """Fetch and show the provisioned settings (saved by OK / Apply); False when nothing
        was taken yet: a failure, or a plain-http file whose risky changes wait for a yes."""
        imported, text, warning = provisioning.from_url(url, mac, self.current())
        if imported is None:
            self._report(text, error=True)
            return False
        if warning:
            self._confirm_plain_http(imported, text, warning)
            return False
        self.take_imported(imported, text)
        return True

    def _confirm_plain_http(self, imported: Settings, text: str, warning: str) -> None:
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Provisioning over plain http", warning, yes | no, self
        )
        box.setInformativeText("Apply them anyway? Use an https:// URL to avoid this question.")
        box.setDefaultButton(no)
        box.setObjectName("settings.plain_http")

        def done(_: int) -> None:
            clicked = box.clickedButton()
            if clicked is not None and box.standardButton(clicked) == yes:
                self.take_imported(imported, text)
            else:
                self._report("Provisioning not applied:\n" + warning, error=True)

        box.finished.connect(done)
        self.plain_http_box = box
        box.open()

    def _report(self, text: str, error: bool = False) -> None:
        self.last_report = text
        self.report_box = provisioning.ReportDialog(text, error, self)
        self.report_box.open()  # non-blocking: the settings dialog stays usable

    def _ask_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import Yealink .cfg", "", "Yealink config (*.cfg);;All files (*)"
        )
        if name:
            self.import_cfg_file(Path(name))

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export Yealink .cfg", "deskphone.cfg")
        if name:
            self.export_cfg_file(Path(name))

    def _ask_provision(self) -> None:
        current = self.current().provisioning
        asked = provisioning.UrlDialog(current.url, current.mac, self)
        asked.accepted.connect(lambda: self.provision_url(*asked.values()))
        asked.open()
