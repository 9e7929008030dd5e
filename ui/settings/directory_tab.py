"""Settings tab "Directory": the local contacts (add, edit, delete, search, import, export).

Contacts are not part of Settings: each change is written to the Directory at once (as on the
phone) and `contacts_changed` tells the app to let the engine reload them, so OK/Cancel of the
dialog neither waits for nor undoes them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.phone.settings import Settings
from app.store.contact_formats import Contact, contact_error
from app.store.directory import Directory
from app.store.errors import StoreError
from ui.settings.form import error_label
from ui.settings.tab import SettingsTab

COLUMNS = ("Name", "Office", "Mobile", "Other")
FIELDS = ("name", "office", "mobile", "other", "group")


class ContactEditor(QDialog):
    """Name and numbers of one contact; OK refuses a contact the directory would refuse."""

    def __init__(self, contact: Contact, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Contact" if contact.id else "New contact")
        self.contact = contact
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for name in FIELDS:
            edit = QLineEdit(str(getattr(contact, name)))
            edit.setObjectName(f"contact.{name}")
            self.edits[name] = edit
            form.addRow(name.capitalize(), edit)
        self.error = error_label("contact")
        form.addRow(self.error)
        buttons = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(buttons.Ok | buttons.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def edited(self) -> Contact:
        values = {n: e.text().strip() for n, e in self.edits.items()}
        c = self.contact
        return Contact(
            id=c.id, line=c.line, ring=c.ring, **values
        )  # fields the editor does not show are kept

    def accept(self) -> None:
        problem = contact_error(self.edited())
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        super().accept()


class DirectoryTab(SettingsTab):
    title = "Directory"
    contacts_changed = Signal()

    def __init__(self, directory: Directory) -> None:
        super().__init__()
        self.directory = directory
        self.search = QLineEdit()
        self.search.setObjectName("directory.search")
        self.search.setPlaceholderText("Search name or number")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("directory.table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.status = QLabel()
        self.status.setObjectName("directory.status")
        self.status.setWordWrap(True)
        self.editor: ContactEditor | None = None

        self.buttons: dict[str, QPushButton] = {}
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for text, slot, row in (
            ("Add…", self.add_new, row1),
            ("Edit…", self.edit_selected, row1),
            ("Delete", self.delete_selected, row1),
            ("Import XML…", lambda: self._import_dialog("xml"), row2),
            ("Import vCard…", lambda: self._import_dialog("vcf"), row2),
            ("Export XML…", lambda: self._export_dialog("xml"), row2),
            ("Export vCard…", lambda: self._export_dialog("vcf"), row2),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[text] = button
            row.addWidget(button)
        row1.addStretch()
        row2.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.status)
        self.search.textChanged.connect(lambda _text: self.refresh())
        if directory.warning:
            self.status.setText(directory.warning)
        self.refresh()

    # ---- SettingsTab: contacts are saved on each change, not with the settings ---------

    def load(self, settings: Settings) -> None:
        self.refresh()

    def errors(self) -> dict[str, str]:
        return {}

    def store(self, settings: Settings) -> None:
        return None

    # ---- list --------------------------------------------------------------------------

    def shown(self) -> list[Contact]:
        return self.directory.search(self.search.text(), limit=10_000)

    def refresh(self) -> None:
        contacts = self.shown()
        self.table.setRowCount(len(contacts))
        for row, c in enumerate(contacts):
            for col, value in enumerate((c.name, c.office, c.mobile, c.other)):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setData(256, c.id)  # Qt.UserRole: which contact the row is
                self.table.setItem(row, col, item)

    def selected(self) -> Contact | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return self.directory.get(str(item.data(256))) if item is not None else None

    def select(self, contact_id: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(256) == contact_id:
                self.table.selectRow(row)
                return

    # ---- editing -----------------------------------------------------------------------

    def add_new(self) -> ContactEditor:
        return self._open_editor(Contact(name=""))

    def edit_selected(self) -> ContactEditor | None:
        contact = self.selected()
        return self._open_editor(contact) if contact is not None else None

    def _open_editor(self, contact: Contact) -> ContactEditor:
        editor = ContactEditor(contact, self)
        editor.accepted.connect(lambda: self.save_contact(editor.edited()))
        self.editor = editor
        editor.open()
        return editor

    def save_contact(self, contact: Contact) -> bool:
        try:
            if contact.id:
                self.directory.edit(contact)
            else:
                contact = self.directory.add(contact)
        except (ValueError, KeyError, StoreError) as exc:
            self._say(f"Not saved: {exc}", error=True)
            return False
        self._changed(f"Saved {contact.name}.")
        self.select(contact.id)
        return True

    def delete_selected(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        try:
            self.directory.delete(contact.id)
        except (KeyError, StoreError) as exc:
            self._say(f"Not deleted: {exc}", error=True)
            return
        self._changed(f"Deleted {contact.name}.")

    # ---- import / export ---------------------------------------------------------------

    def import_file(self, path: Path) -> tuple[int, list[str]]:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            is_xml = text.lstrip().startswith("<")
            added, problems = (
                self.directory.import_yealink_xml(text)
                if is_xml
                else self.directory.import_vcard(text)
            )
        except (OSError, StoreError) as exc:
            self._say(f"Import failed: {exc}", error=True)
            return 0, [str(exc)]
        lines = [f"{added} contacts imported from {path.name}.", *problems]
        self._changed("\n".join(lines))
        return added, problems

    def export_file(self, path: Path, kind: str) -> bool:
        d = self.directory
        text = d.export_yealink_xml() if kind == "xml" else d.export_vcard()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self._say(f"Export failed: {exc.strerror}", error=True)
            return False
        self._say(f"{len(self.directory.contacts())} contacts exported to {path.name}.")
        return True

    def _import_dialog(self, kind: str) -> None:
        pattern = "Yealink XML (*.xml)" if kind == "xml" else "vCard (*.vcf *.vcard)"
        name, _ = QFileDialog.getOpenFileName(self, "Import contacts", "", pattern)
        if name:
            self.import_file(Path(name))

    def _export_dialog(self, kind: str) -> None:
        default = "contacts.xml" if kind == "xml" else "contacts.vcf"
        name, _ = QFileDialog.getSaveFileName(self, "Export contacts", default)
        if name:
            self.export_file(Path(name), kind)

    def _changed(self, text: str) -> None:
        self.refresh()
        self._say(text)
        self.contacts_changed.emit()

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #c00000;" if error else "")
