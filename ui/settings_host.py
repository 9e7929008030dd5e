"""Opens the settings dialog for the app and saves what it applies.

The dialog is non-modal (the phone keeps working while it is open). A valid OK / Apply is
saved with app/store/settings.py; then `saved` fires so the app tells the engine to reload,
and the changes apply without a restart. A failed save (read-only folder, full disk) is shown
in a message box and the dialog keeps the edits, so nothing typed is lost.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.phone.settings import Settings

if TYPE_CHECKING:  # the dialog (and the keyring, provisioning, ...) load when first opened
    from ui.settings.dialog import SettingsDialog

log = logging.getLogger("deskphone.ui")


class SettingsHost(QObject):
    saved = Signal()  # settings or contacts changed on disk: the engine should reload

    def __init__(self, config_dir: Path, parent: QWidget) -> None:
        super().__init__(parent)
        self.config_dir = config_dir
        self.parent_widget = parent
        self.dialog: SettingsDialog | None = None
        self.message: QMessageBox | None = None
        self.last_error = ""

    def open(self, section: str = "") -> SettingsDialog:
        """Show the dialog (a fresh one unless it is already open) at `section`."""
        from app.store.directory import Directory
        from app.store.settings import load_settings
        from ui.settings.dialog import SettingsDialog, default_tabs
        from ui.settings.directory_tab import DirectoryTab

        if self.dialog is None or not self.dialog.isVisible():
            if self.dialog is not None:
                self.dialog.deleteLater()
            loaded = load_settings(self.config_dir)
            tabs = default_tabs(loaded.secrets_note, Directory(self.config_dir))
            dialog = SettingsDialog(loaded.settings, self.parent_widget, tabs=tabs)
            dialog.applied.connect(self._save)
            for tab in tabs:
                if isinstance(tab, DirectoryTab):
                    tab.contacts_changed.connect(self.saved.emit)
            self.dialog = dialog
        if section:
            self.dialog.show_section(section)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _save(self, settings: Settings) -> None:
        from app.store.errors import StoreError
        from app.store.settings import save_settings

        try:
            save_settings(self.config_dir, settings)
        except StoreError as exc:
            self.last_error = str(exc)
            log.error("settings not saved: %s", exc)
            if self.dialog is not None:
                self.dialog.mark_dirty()
                # OK closes the dialog right after this signal: bring it back with the edits
                QTimer.singleShot(0, self.dialog.show)
            self.message = QMessageBox(
                QMessageBox.Icon.Warning,
                "Settings not saved",
                str(exc),
                QMessageBox.StandardButton.Ok,
                self.dialog or self.parent_widget,
            )
            self.message.open()
            return
        self.last_error = ""
        log.info("settings saved")
        self.saved.emit()
