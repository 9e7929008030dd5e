"""The settings dialog shell: tabs, OK / Cancel / Apply, nothing saved while input is invalid.

The dialog never writes files itself: a valid OK or Apply emits `applied` with a fresh copy of
the new Settings, and the caller persists it and applies it at once (no restart).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.phone.settings import Settings
from ui.settings.forward_tab import ForwardTab
from ui.settings.remote_tab import RemoteTab
from ui.settings.tab import ERROR_STYLE, SettingsTab


def default_tabs() -> list[SettingsTab]:
    return [ForwardTab(), RemoteTab()]


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
        for tab in self._tabs:
            if tab.title == title:
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
        new = copy.deepcopy(self._settings)
        for tab in self._tabs:
            tab.store(new)
        self._settings = new
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
