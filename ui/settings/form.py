"""A settings tab built from widgets bound to Settings key paths (`accounts.0.port`).

`rows(form, *paths)` is all a tab needs for a plain setting: the widget, its label, hint
(placeholder), range and choices come from the setting's declaration (app/phone/settings), so a
tab only says which settings go where and in what order. Each edit is read into a private copy
of the settings and checked with app/store/validate.py's validate_settings, the same rules the
store applies on save; every error shows in red under the widget bound to its key path, so the
user sees what to fix before anything is saved. Tabs with fields that need more than a plain
binding override `read_extra` and `show_extra`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.phone.settings import Settings, spec
from app.store.paths import get_path, has_path, set_path
from app.store.validate import validate_settings
from ui.settings.tab import ERROR_EDIT_STYLE, ERROR_STYLE, SettingsTab

Editor = QLineEdit | QCheckBox | QComboBox | QPlainTextEdit | QSpinBox
NOT_A_NUMBER = "must be a whole number"


def error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"{name}.error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def label_of(path: str) -> str:
    """The label a setting (or a group of them) is declared with."""
    return spec(path).setting.label


def short(message: str, path: str) -> str:
    """'accounts.0.port: 9 is out of range' shown under the port field as '9 is out of range'."""
    head = f"{path}: "
    return message[len(head) :] if message.startswith(head) else message


@dataclass
class Binding:
    path: str
    editor: Editor
    kind: str  # text | secret | int | bool | choice | lines | spin
    error: QLabel
    cell: QWidget


class FormTab(SettingsTab):
    """Widgets bound to key paths; `prefixes` say which validation errors belong here."""

    prefixes: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._work = Settings()
        self._bindings: dict[str, Binding] = {}
        self._parse: dict[str, str] = {}  # key path -> why the text is not a value
        self._loading = False
        self.other_errors = error_label("other")

    # ---- building ----------------------------------------------------------------------

    def bind(self, path: str, editor: Editor, kind: str) -> QWidget:
        """Bind an editor; returns the cell (editor + its error label) to put in a layout."""
        editor.setObjectName(path)
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(editor)
        error = error_label(path)
        box.addWidget(error)
        self._bindings[path] = Binding(path, editor, kind, error, cell)
        if isinstance(editor, QLineEdit):
            editor.textEdited.connect(self._edited)
        elif isinstance(editor, QCheckBox):
            editor.toggled.connect(self._edited)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(self._edited)
        elif isinstance(editor, QPlainTextEdit):
            editor.textChanged.connect(self._edited)
        else:
            editor.valueChanged.connect(self._edited)
        return cell

    def text(self, path: str, placeholder: str = "", width: int = 0) -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(spec(path).setting.max_len)  # the declared cap, as validation has it
        if width:
            edit.setFixedWidth(width)
        return self.bind(path, edit, "text")

    def secret(self, path: str) -> QWidget:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)  # never readable on screen or screenshots
        return self.bind(path, edit, "secret")

    def number(self, path: str, placeholder: str = "", width: int = 90) -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setFixedWidth(width)
        return self.bind(path, edit, "int")

    def check(self, path: str, text: str) -> QWidget:
        return self.bind(path, QCheckBox(text), "bool")

    def choice(self, path: str, options: Sequence[tuple[str, object]]) -> QWidget:
        combo = QComboBox()
        for shown, value in options:
            combo.addItem(shown, value)
        return self.bind(path, combo, "choice")

    def lines(self, path: str, placeholder: str = "", height: int = 56) -> QWidget:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setFixedHeight(height)
        return self.bind(path, edit, "lines")

    def spin(self, path: str) -> QWidget:
        """A spin box over the setting's declared range (volumes 0-15)."""
        s = spec(path).setting
        box = QSpinBox()
        box.setRange(s.lo or 0, s.hi or 0)
        box.setFixedWidth(70)
        return self.bind(path, box, "spin")

    def input(self, path: str, text: bool = True) -> QWidget:
        """The editor the setting's declaration calls for; a check box carries the label as
        its text unless `text` is False (then a column header says it)."""
        d = spec(path)
        s = d.setting
        if s.secret:
            return self.secret(path)
        if s.choices:
            return self.choice(path, [(c.label, c.value) for c in s.choices])
        if d.type is bool:
            return self.check(path, s.label if text else "")
        if d.type is int:
            return self.number(path, d.placeholder)
        if d.entry is not None:
            return self.lines(path, d.placeholder)
        return self.text(path, d.placeholder)

    def rows(self, form: QFormLayout, *paths: str) -> None:
        """One form row per setting, with its declared label (a check box: beside the box)."""
        for path in paths:
            d = spec(path)
            plain_box = d.type is bool and not d.setting.choices
            form.addRow("" if plain_box else d.setting.label, self.input(path))

    def unbind(self, prefix: str) -> None:
        for path in [p for p in self._bindings if p.startswith(prefix)]:
            self._bindings.pop(path).cell.deleteLater()

    def editor(self, path: str) -> Editor:
        return self._bindings[path].editor

    def error_text(self, path: str) -> str:
        label = self._bindings[path].error
        return label.text() if not label.isHidden() else ""

    # ---- SettingsTab -------------------------------------------------------------------

    def load(self, settings: Settings) -> None:
        self._loading = True
        self._work = copy.deepcopy(settings)
        self._parse = {}
        self.prepare(self._work)
        for b in self._bindings.values():
            if has_path(self._work, b.path):
                self._show(b, get_path(self._work, b.path))
        self.show_extra(self._work)
        self._loading = False
        self._show_errors()

    def errors(self) -> dict[str, str]:
        found = {
            k: v
            for k, v in validate_settings(self._work).items()
            if any(k == p or k.startswith(p + ".") for p in self.prefixes)
        }
        found.update(self.extra_errors(self._work))
        found.update(self._parse)
        return found

    def store(self, settings: Settings) -> None:
        self.before_store(settings)
        for b in self._bindings.values():
            if has_path(self._work, b.path) and has_path(settings, b.path):
                set_path(settings, b.path, copy.deepcopy(get_path(self._work, b.path)))
        self.store_extra(settings)

    # ---- hooks for tabs ----------------------------------------------------------------

    def prepare(self, work: Settings) -> None:
        """Adjust the private copy before the widgets show it (e.g. pad account slots)."""

    def show_extra(self, work: Settings) -> None:
        """Show what plain bindings cannot."""

    def read_extra(self, work: Settings, parse: dict[str, str]) -> None:
        """Read what plain bindings cannot; put unreadable input into `parse`."""

    def extra_errors(self, work: Settings) -> dict[str, str]:
        return {}

    def before_store(self, settings: Settings) -> None:
        """Make the paths this tab writes exist in `settings`."""

    def store_extra(self, settings: Settings) -> None:
        """Write what plain bindings cannot."""

    # ---- widgets <-> the private copy --------------------------------------------------

    def _show(self, b: Binding, value: object) -> None:
        e = b.editor
        if isinstance(e, QLineEdit):
            e.setText("" if value is None else str(value))
        elif isinstance(e, QCheckBox):
            e.setChecked(bool(value))
        elif isinstance(e, QComboBox):
            index = e.findData(value)
            if index < 0:  # a value the list lacks is kept, not silently replaced
                e.addItem(str(value), value)
                index = e.count() - 1
            e.setCurrentIndex(index)
        elif isinstance(e, QPlainTextEdit):
            e.setPlainText("\n".join(str(v) for v in value) if isinstance(value, list) else "")
        elif isinstance(value, int):
            e.setValue(value)

    def _read(self, b: Binding) -> None:
        e = b.editor
        value: object
        if isinstance(e, QLineEdit):
            raw = e.text() if b.kind == "secret" else e.text().strip()
            if b.kind == "int":
                try:
                    value = int(raw)
                except ValueError:
                    self._parse[b.path] = f"{b.path}: {raw!r} {NOT_A_NUMBER}"
                    return
            else:
                value = raw
        elif isinstance(e, QCheckBox):
            value = e.isChecked()
        elif isinstance(e, QComboBox):
            value = e.currentData()
        elif isinstance(e, QPlainTextEdit):
            value = [line.strip() for line in e.toPlainText().splitlines() if line.strip()]
        else:
            value = e.value()
        set_path(self._work, b.path, value)

    def _edited(self) -> None:
        if self._loading:
            return
        self._parse = {}
        for b in self._bindings.values():
            if has_path(self._work, b.path):
                self._read(b)
        self.read_extra(self._work, self._parse)
        self._show_errors()
        self.changed.emit()

    def _show_errors(self) -> None:
        errors = self.errors()
        shown: set[str] = set()
        for b in self._bindings.values():
            mine = [k for k in errors if k == b.path or k.startswith(b.path + ".")]
            shown.update(mine)
            text = "\n".join(self._item_text(b, k, errors[k]) for k in mine)
            b.error.setText(text)
            b.error.setVisible(bool(text))
            if isinstance(b.editor, QLineEdit | QPlainTextEdit):
                b.editor.setStyleSheet(ERROR_EDIT_STYLE if text else "")
        shown |= self.shown_elsewhere(errors)
        rest = [errors[k] for k in sorted(errors) if k not in shown]
        self.other_errors.setText("\n".join(rest))
        self.other_errors.setVisible(bool(rest))

    @staticmethod
    def _item_text(b: Binding, key: str, message: str) -> str:
        text = short(message, key)
        if key != b.path and b.kind == "lines":  # an entry of a list: say which line
            return f"line {int(key.rsplit('.', 1)[1]) + 1}: {text}"
        return text

    def shown_elsewhere(self, errors: dict[str, str]) -> set[str]:
        """Error keys a tab shows itself (by `show_extra`-managed labels)."""
        return set()
