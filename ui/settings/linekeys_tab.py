"""Settings tab "Line Keys": the 27 keys beside the display (Yealink's linekey.X.*, 10 a page)
and what BLF, Speed Dial, Intercom, pickup and park keys do, as on the Yealink web page
(DSS Key -> Line Key).

A row per key, its number X as the row header. Type "Default" means the key is not
configured: it keeps the phone's default (Line of the X-th account, else empty). A type
DeskPhone does not support (from an imported file) is kept and shown as "Unknown (N)".
Values are checked with the same rules the store applies on save (app/store/validate.py);
a bad cell turns red and the reasons are listed under the table.
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.phone.settings import MAX_ACCOUNTS, LineKeySettings, Settings
from app.phone.settings.linekeys import KNOWN_TYPES, MAX_LINE_KEYS
from ui.settings.form import FormTab, label_of

BAD_CELL = QColor("#ffd6d6")
BEHAVIOUR = (
    "keys.dsskey_transfer", "keys.direct_pickup_code", "keys.group_pickup_code",
    "keys.park_code", "keys.park_retrieve_code",
)  # fmt: skip
INTERCOM = (
    "features.intercom.allow", "features.intercom.mute", "features.intercom.tone",
    "features.intercom.barge", "features.intercom.header",
)  # fmt: skip
TEXT_COLUMNS = ("value", "label", "extension")  # after Type and Account
DEFAULT = "Default"


class LineKeysTab(FormTab):
    title = "Line Keys"
    prefixes = ("line_keys", "keys", "features.intercom")

    def __init__(self) -> None:
        super().__init__()
        keys = QGroupBox(label_of("line_keys"))
        headers = [label_of(f"line_keys.1.{f}") for f in ("type", "line", *TEXT_COLUMNS)]
        self.table = QTableWidget(MAX_LINE_KEYS, len(headers))
        self.table.setObjectName("line_keys")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(260)
        for row in range(MAX_LINE_KEYS):
            self.table.setVerticalHeaderItem(row, QTableWidgetItem(str(row + 1)))
            self.table.setCellWidget(row, 0, self._type_box(row))
            self.table.setCellWidget(row, 1, self._account_box(row))
            for col in range(2, 2 + len(TEXT_COLUMNS)):
                self.table.setItem(row, col, QTableWidgetItem(""))
        self.table.itemChanged.connect(lambda _item: self._edited())
        box = QVBoxLayout(keys)
        box.addWidget(self.table)
        behaviour = QGroupBox(label_of("keys"))
        self.rows(QFormLayout(behaviour), *BEHAVIOUR)
        intercom = QGroupBox(label_of("features.intercom"))
        self.rows(QFormLayout(intercom), *INTERCOM)
        layout = QVBoxLayout(self)
        layout.addWidget(keys)
        layout.addWidget(behaviour)
        layout.addWidget(intercom)
        layout.addWidget(self.other_errors)

    def _type_box(self, row: int) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"line_keys.{row + 1}.type")
        combo.addItem(DEFAULT, None)
        for number, name in sorted(KNOWN_TYPES.items(), key=lambda kv: kv[1]):
            combo.addItem(name, number)
        combo.currentIndexChanged.connect(lambda _i: self._edited())
        return combo

    def _account_box(self, row: int) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"line_keys.{row + 1}.line")
        for n in range(1, MAX_ACCOUNTS + 1):
            combo.addItem(str(n), n)
        combo.currentIndexChanged.connect(lambda _i: self._edited())
        return combo

    def _combo(self, row: int, col: int) -> QComboBox:
        widget = self.table.cellWidget(row, col)
        assert isinstance(widget, QComboBox)
        return widget

    # ---- FormTab hooks -------------------------------------------------------------------

    def show_extra(self, work: Settings) -> None:
        self.table.blockSignals(True)
        for row in range(MAX_LINE_KEYS):
            key = work.line_keys.get(row + 1)
            kind, account = self._combo(row, 0), self._combo(row, 1)
            for combo in (kind, account):
                combo.blockSignals(True)
            if key is None:
                kind.setCurrentIndex(0)
                account.setCurrentIndex(0)
            else:
                index = kind.findData(key.type)
                if index < 0:  # kept from an import, shown as what it is
                    kind.addItem(f"Unknown ({key.type})", key.type)
                    index = kind.count() - 1
                kind.setCurrentIndex(index)
                account.setCurrentIndex(max(0, account.findData(key.line)))
            for combo in (kind, account):
                combo.blockSignals(False)
            for col, name in enumerate(TEXT_COLUMNS, start=2):
                item = self.table.item(row, col)
                assert item is not None
                item.setText(str(getattr(key, name)) if key is not None else "")
        self.table.blockSignals(False)
        self._paint(self.errors())

    def read_extra(self, work: Settings, parse: dict[str, str]) -> None:
        keys: dict[int, LineKeySettings] = {}
        for row in range(MAX_LINE_KEYS):
            kind = self._combo(row, 0).currentData()
            if kind is None:
                continue
            texts = []
            for col in range(2, 2 + len(TEXT_COLUMNS)):
                item = self.table.item(row, col)
                texts.append(item.text().strip() if item is not None else "")
            keys[row + 1] = LineKeySettings(kind, self._combo(row, 1).currentData(), *texts)
        work.line_keys = keys
        self._paint(self.errors())

    def store_extra(self, settings: Settings) -> None:
        settings.line_keys = copy.deepcopy(self._work.line_keys)

    def _paint(self, errors: dict[str, str]) -> None:
        """Bad cells red (the reasons are listed under the tab)."""
        self.table.blockSignals(True)
        for row in range(MAX_LINE_KEYS):
            for col, name in enumerate(TEXT_COLUMNS, start=2):
                item = self.table.item(row, col)
                if item is not None:
                    bad = f"line_keys.{row + 1}.{name}" in errors
                    item.setBackground(BAD_CELL if bad else QColor(0, 0, 0, 0))
        self.table.blockSignals(False)
