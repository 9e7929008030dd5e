"""Opens the settings dialog for the app and saves what it applies.

The dialog is non-modal (the phone keeps working while it is open). A valid OK / Apply saves
the fields the user changed since the dialog opened, through the window's one settings writer
(app/store/settings_file.py): a change made meanwhile on the handset or the tray (DND, say) is
kept, not undone by the dialog's older copy. Then `saved` fires so the app tells the engine to
reload, and the changes apply without a restart. A failed save (read-only folder, full disk)
is shown in a message box and the dialog keeps the edits, so nothing typed is lost.
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.phone.settings import Settings
from app.store.errors import StoreError
from app.store.settings_file import SettingsFile

if TYPE_CHECKING:  # the dialog (its tabs, provisioning, ...) loads when first opened
    from ui.settings.dialog import SettingsDialog

log = logging.getLogger("deskphone.ui")


class SettingsHost(QObject):
    saved = Signal()  # settings or contacts changed on disk: the engine should reload

    def __init__(self, store: SettingsFile, parent: QWidget) -> None:
        super().__init__(parent)
        self.store = store
        self.parent_widget = parent
        self.dialog: SettingsDialog | None = None
        self._base = Settings()  # the settings as the open dialog started from them
        self.message: QMessageBox | None = None
        self.last_error = ""

    def open(self, section: str = "") -> SettingsDialog:
        """Show the dialog (a fresh one unless it is already open) at `section`."""
        from app.store.directory import Directory
        from ui.settings.dialog import SettingsDialog, default_tabs
        from ui.settings.directory_tab import DirectoryTab

        if self.dialog is None or not self.dialog.isVisible():
            if self.dialog is not None:
                self.dialog.deleteLater()
            loaded = self.store.load()
            self._base = copy.deepcopy(loaded.settings)
            tabs = default_tabs(loaded.secrets_note, Directory(self.store.config_dir))
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
        try:
            self.store.save_edits(self._base, settings)
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
        self._base = copy.deepcopy(settings)  # the next Apply saves what changes from here
        self.last_error = ""
        log.info("settings saved")
        self.saved.emit()
