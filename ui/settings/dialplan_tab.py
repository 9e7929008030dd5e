"""Settings tab "Dial Plan": replace rules, dial-now rules, area code and block out, as on the
Yealink web page (Settings -> Dial Plan).

Rules sit in tables with Add / Remove; each row keeps its Yealink slot number X (shown as the
row header) so an export writes the same `dialplan.*.X` keys. Every edit is checked with
app/phone/dialplan_check.py (the rules the store applies on save) plus "a row needs a
pattern"; bad cells turn red and the reasons are listed under their table.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.phone.settings import MAX_ACCOUNTS, AreaCode, DialPlanSettings, Settings, spec
from app.phone.settings.declare import declared
from app.store.validate import validate_settings
from ui.settings.form import error_label, label_of, short
from ui.settings.tab import ERROR_EDIT_STYLE, SettingsTab

BAD_CELL = QColor("#ffd6d6")
SELECTION_TINT = QColor(58, 123, 213, 70)


def parse_accounts(text: str) -> list[int] | None:
    """'1, 2' -> [1, 2]; blank, 0 or 'all' -> [] (every account); None if not a list."""
    text = text.strip()
    if text.lower() in ("", "0", "all"):
        return []
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        return None
    numbers = sorted({int(p) for p in parts})
    return [] if 0 in numbers else numbers


def accounts_text(line_id: list[int]) -> str:
    return ",".join(str(n) for n in line_id)


@dataclass(frozen=True)
class Section:
    """One rule table as declared (app/phone/settings/dialplan.py): title, slots, columns."""

    name: str  # replace | dialnow | block_out
    title: str
    limit: int  # slots 1..limit
    columns: tuple[tuple[str, str], ...]  # (attribute, header) before the accounts column
    rule: type[Any]


def _section(name: str) -> Section:
    d = spec(f"dialplan.{name}")
    assert d.setting.table is not None
    columns = tuple((f.name, f.setting.label) for f in declared(d.entry) if f.name != "line_id")
    return Section(name, d.setting.label, d.setting.table.count, columns, d.entry)


SECTIONS = tuple(_section(name) for name in ("replace", "dialnow", "block_out"))


class RuleTable(QGroupBox):
    """One section's rules: a row per rule, its slot X as the row header."""

    def __init__(self, section: Section) -> None:
        super().__init__(section.title)
        self.section = section
        self.limit = section.limit
        headers = [h for _, h in section.columns] + [label_of(f"dialplan.{section.name}.1.line_id")]
        self.table = QTableWidget(0, len(headers))
        self.table.setObjectName(f"dialplan.{section.name}")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)
        # a selected row keeps its red cells visible: the selection is a light tint over them
        palette = self.table.palette()
        palette.setColor(QPalette.ColorRole.Highlight, SELECTION_TINT)
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor("black"))
        self.table.setPalette(palette)
        self.add = QPushButton("Add")
        self.add.setObjectName(f"dialplan.{section.name}.add")
        self.remove = QPushButton("Remove")
        self.remove.setObjectName(f"dialplan.{section.name}.remove")
        for b in (self.add, self.remove):
            b.setAutoDefault(False)
        self.error = error_label(f"dialplan.{section.name}")
        self._bad_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch()
        row = QHBoxLayout()
        row.addWidget(self.table)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def slots(self) -> list[int]:
        return [self._slot(r) for r in range(self.table.rowCount())]

    def _slot(self, row: int) -> int:
        header = self.table.verticalHeaderItem(row)
        return int(header.text()) if header is not None else row + 1

    def show_rules(self, rules: dict[int, Any]) -> None:
        self.table.setRowCount(0)
        for slot in sorted(rules):
            rule = rules[slot]
            values = [str(getattr(rule, a)) for a, _ in self.section.columns]
            self.append_row(slot, [*values, accounts_text(rule.line_id)])
        self._buttons()

    def append_row(self, slot: int, values: list[str]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setVerticalHeaderItem(row, QTableWidgetItem(str(slot)))
        for col, value in enumerate(values):
            self.table.setItem(row, col, QTableWidgetItem(value))
        return row

    def add_row(self) -> int:
        """A new empty rule in the next free slot; -1 when the section is full."""
        used = set(self.slots())
        free = [s for s in range(max(used, default=0) + 1, self.limit + 1) if s not in used]
        free = free or [s for s in range(1, self.limit + 1) if s not in used]
        if not free:
            return -1
        row = self.append_row(free[0], [""] * self.table.columnCount())
        self.table.setCurrentCell(row, 0)
        self._buttons()
        return row

    def remove_rows(self) -> bool:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        self._buttons()
        return bool(rows)

    def _buttons(self) -> None:
        self.add.setEnabled(self.table.rowCount() < self.limit)
        self.remove.setEnabled(self.table.rowCount() > 0)

    def cell(self, row: int, col: int) -> str:
        item = self.table.item(row, col)
        return item.text().strip() if item is not None else ""

    def read(self, parse: dict[str, str]) -> dict[int, Any]:
        rules: dict[int, Any] = {}
        acc_col = len(self.section.columns)
        for row in range(self.table.rowCount()):
            slot = self._slot(row)
            values = {a: self.cell(row, c) for c, (a, _) in enumerate(self.section.columns)}
            lines = parse_accounts(self.cell(row, acc_col))
            path = f"dialplan.{self.section.name}.{slot}"
            if lines is None:
                parse[f"{path}.line_id"] = (
                    f"{path}.line_id: '{self.cell(row, acc_col)}' is not a list of account "
                    f"numbers 1-{MAX_ACCOUNTS} like 1,2 (blank: all)"
                )
            pattern_attr = self.section.columns[0][0]
            if not values[pattern_attr]:
                parse[f"{path}.{pattern_attr}"] = (
                    f"{path}.{pattern_attr}: enter a pattern or remove the row"
                )
            rules[slot] = self.section.rule(**values, line_id=lines or [])
        return rules

    def show_errors(self, errors: dict[str, str]) -> None:
        attrs = [a for a, _ in self.section.columns] + ["line_id"]
        lines: list[str] = []
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            path = f"dialplan.{self.section.name}.{self._slot(row)}"
            for col, attr in enumerate(attrs):
                mine = [
                    k for k in errors if k == f"{path}.{attr}" or k.startswith(f"{path}.{attr}.")
                ]
                if col == 0 and path in errors:
                    mine.append(path)
                item = self.table.item(row, col)
                if item is None:
                    item = QTableWidgetItem("")
                    self.table.setItem(row, col, item)
                text = "; ".join(short(errors[k], k) for k in mine)
                item.setBackground(BAD_CELL if text else QColor(Qt.GlobalColor.transparent))
                item.setIcon(self._bad_icon if text else QIcon())  # seen in a selected row too
                item.setToolTip(text)
                header = self.table.horizontalHeaderItem(col)
                if text and header is not None:
                    lines.append(f"Rule {self._slot(row)}, {header.text()}: {text}")
        self.table.blockSignals(False)
        self.error.setText("\n".join(lines))
        self.error.setVisible(bool(lines))


class DialPlanTab(SettingsTab):
    title = "Dial Plan"

    def __init__(self) -> None:
        super().__init__()
        self._work = DialPlanSettings()
        self._parse: dict[str, str] = {}
        self._loading = False
        self.tables = {s.name: RuleTable(s) for s in SECTIONS}

        help_text = QLabel(spec("dialplan").setting.help)
        help_text.setWordWrap(True)
        self.delay = QSpinBox()
        self.delay.setObjectName("dialplan.dialnow_delay")
        delay = spec("dialplan.dialnow_delay").setting
        self.delay.setRange(delay.lo or 0, delay.hi or 0)
        self.delay.setSuffix(" s")
        self.delay.setFixedWidth(70)
        delay_row = QHBoxLayout()
        delay_row.addWidget(QLabel(delay.label))
        delay_row.addWidget(self.delay)
        delay_row.addStretch()
        dialnow_layout = self.tables["dialnow"].layout()
        assert isinstance(dialnow_layout, QVBoxLayout)
        dialnow_layout.insertLayout(0, delay_row)

        area = QGroupBox(label_of("dialplan.area_code"))
        self.area_code = QLineEdit()
        self.area_code.setObjectName("dialplan.area_code.code")
        self.area_code.setPlaceholderText(spec("dialplan.area_code.code").placeholder)
        self.area_min = QSpinBox()
        self.area_min.setObjectName("dialplan.area_code.min_len")
        self.area_max = QSpinBox()
        self.area_max.setObjectName("dialplan.area_code.max_len")
        for box, name in ((self.area_min, "min_len"), (self.area_max, "max_len")):
            length = spec(f"dialplan.area_code.{name}").setting
            box.setRange(length.lo or 0, length.hi or 0)
            box.setFixedWidth(60)
        self.area_lines = QLineEdit()
        self.area_lines.setObjectName("dialplan.area_code.line_id")
        self.area_lines.setPlaceholderText(spec("dialplan.area_code.line_id").placeholder)
        self.area_error = error_label("dialplan.area_code")
        lengths = QHBoxLayout()
        lengths.addWidget(self.area_min)
        lengths.addWidget(QLabel("to"))
        lengths.addWidget(self.area_max)
        lengths.addWidget(QLabel("characters"))
        lengths.addStretch()
        form = QFormLayout(area)
        form.addRow(label_of("dialplan.area_code.code"), self.area_code)
        form.addRow("Number length", lengths)
        form.addRow(label_of("dialplan.area_code.line_id"), self.area_lines)
        form.addRow("", self.area_error)

        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.tables["replace"])
        left.addWidget(self.tables["dialnow"])
        right.addWidget(area)
        right.addWidget(self.tables["block_out"])
        right.addStretch()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addLayout(columns)

        for t in self.tables.values():
            t.table.itemChanged.connect(self._edited)
            t.add.clicked.connect(lambda _=False, t=t: self._add(t))
            t.remove.clicked.connect(lambda _=False, t=t: self._remove(t))
        self.delay.valueChanged.connect(self._edited)
        self.area_code.textEdited.connect(self._edited)
        self.area_lines.textEdited.connect(self._edited)
        self.area_min.valueChanged.connect(self._edited)
        self.area_max.valueChanged.connect(self._edited)

    # ---- SettingsTab -------------------------------------------------------------------------

    def load(self, settings: Settings) -> None:
        self._loading = True
        self._work = copy.deepcopy(settings.dialplan)
        self._parse = {}
        for name, t in self.tables.items():
            t.show_rules(getattr(self._work, name))
        self.delay.setValue(self._work.dialnow_delay)
        a = self._work.area_code
        self.area_code.setText(a.code)
        self.area_min.setValue(a.min_len)
        self.area_max.setValue(a.max_len)
        self.area_lines.setText(accounts_text(a.line_id))
        self._loading = False
        self._show_errors()

    def errors(self) -> dict[str, str]:
        found = {
            k: v
            for k, v in validate_settings(Settings(dialplan=self._work)).items()
            if k.startswith("dialplan.")
        }
        found.update(self._parse)
        return found

    def store(self, settings: Settings) -> None:
        settings.dialplan = copy.deepcopy(self._work)

    # ---- editing -----------------------------------------------------------------------------

    def table(self, name: str) -> QTableWidget:
        return self.tables[name].table

    def _add(self, t: RuleTable) -> None:
        self._loading = True
        row = t.add_row()
        self._loading = False
        item = t.table.item(row, 0) if row >= 0 else None
        if item is not None:
            self._edited()
            t.table.editItem(item)

    def _remove(self, t: RuleTable) -> None:
        if t.remove_rows():
            self._edited()

    def _read(self) -> None:
        self._parse = {}
        for name, t in self.tables.items():
            setattr(self._work, name, t.read(self._parse))
        self._work.dialnow_delay = self.delay.value()
        lines = parse_accounts(self.area_lines.text())
        if lines is None:
            self._parse["dialplan.area_code.line_id"] = (
                f"dialplan.area_code.line_id: '{self.area_lines.text()}' is not a list of "
                "account numbers like 1,2 (blank: all)"
            )
        self._work.area_code = AreaCode(
            self.area_code.text().strip(),
            self.area_min.value(),
            self.area_max.value(),
            lines or [],
        )

    def _edited(self) -> None:
        if self._loading:
            return
        self._read()
        self._show_errors()
        self.changed.emit()

    def _show_errors(self) -> None:
        errors = self.errors()
        for t in self.tables.values():
            t.show_errors(errors)
        area = [
            short(v, k) for k, v in sorted(errors.items()) if k.startswith("dialplan.area_code")
        ]
        delay = errors.get("dialplan.dialnow_delay")
        area += [short(delay, "dialplan.dialnow_delay")] if delay else []
        self.area_error.setText("\n".join(area))
        self.area_error.setVisible(bool(area))
        for path, edit in (
            ("dialplan.area_code.code", self.area_code),
            ("dialplan.area_code.line_id", self.area_lines),
        ):
            edit.setStyleSheet(ERROR_EDIT_STYLE if any(k.startswith(path) for k in errors) else "")


__all__ = ["DialPlanTab", "accounts_text", "parse_accounts"]
