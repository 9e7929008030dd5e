"""The contract between the settings dialog and its tabs.

A tab edits its own part of Settings on a private copy: `load` fills the widgets, `errors`
says what is invalid (field path -> text, e.g. "forward.phone.always.target"), `store` writes
the edited values into a Settings. Tabs show their own errors next to the fields as the user
types; the dialog refuses to save while any tab reports errors.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.phone.settings import Settings

ERROR_STYLE = "color: #c00000;"
ERROR_EDIT_STYLE = "QLineEdit, QPlainTextEdit { border: 1px solid #c00000; }"


class SettingsTab(QWidget):
    """Base of every settings tab; `changed` fires on each user edit."""

    title = ""
    changed = Signal()

    def load(self, settings: Settings) -> None:
        raise NotImplementedError

    def errors(self) -> dict[str, str]:
        raise NotImplementedError

    def store(self, settings: Settings) -> None:
        raise NotImplementedError
