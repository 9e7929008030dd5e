"""Settings tab "Remote control": Action URI (HTTP in) and Action URL (HTTP out).

Edits a private copy of RemoteSettings. Port, allowlist and every URL are checked as the user
types; errors show in red next to their field (URLs: the cell turns red and the error list
under the table names the event). Yealink's keys: features.action_uri.enable,
features.action_uri_limit_ip, features.show_action_uri_option, action_url.<event>.
"""

from __future__ import annotations

import copy
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.phone.settings import ACTION_URL_EVENTS, RemoteSettings, Settings, spec
from app.remote.access import parse_allowlist
from app.remote.action_url import VARIABLES
from ui.settings.forward_tab import Field
from ui.settings.tab import ERROR_STYLE, SettingsTab

_OCTET = r"(\*|[0-9*]{1,3})"
_ALLOW_RE = re.compile(rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+\S*$")
_BAD_CELL = QBrush(QColor("#ffd6d6"))
PORT = spec("remote.action_uri_port")


def _label(name: str) -> str:
    return spec(f"remote.{name}").setting.label


def _hint(name: str) -> str:
    return spec(f"remote.{name}").placeholder


def port_error(text: str) -> str:
    lo, hi = PORT.setting.lo, PORT.setting.hi
    if not text.strip().isdigit():
        return f"Port must be a number from {lo} to {hi}"
    return "" if (lo or 0) <= int(text) <= (hi or 0) else f"Port must be {lo} to {hi}"


def allow_error(text: str) -> str:
    entries = parse_allowlist([text])
    if not entries:
        return "Empty: no computer may connect (use 127.0.0.1 for this one)"
    for entry in entries:
        if entry.lower() in ("any", "*"):
            continue
        match = _ALLOW_RE.match(entry)
        numbers = [g for g in (match.groups() if match else ()) if "*" not in g]
        if match is None or any(int(n) > 255 for n in numbers):
            return f"'{entry}' is not an address like 192.168.1.* or any"
    return ""


def url_error(text: str) -> str:
    if not text:
        return ""
    if not _URL_RE.match(text):
        return "not an http:// or https:// URL"
    return ""


class RemoteTab(SettingsTab):
    title = "Remote control"

    def __init__(self) -> None:
        super().__init__()
        self._work = RemoteSettings()
        self._loading = False
        self._errors: dict[str, str] = {}

        self.enabled = QCheckBox(_label("action_uri_enabled"))
        self.enabled.setObjectName("remote.action_uri_enabled")
        self.port = Field("remote.action_uri_port", PORT.placeholder, 90)
        self.bind_any = QCheckBox(_label("action_uri_bind_any"))
        self.bind_any.setObjectName("remote.action_uri_bind_any")
        self.allow = Field("remote.action_uri_allow", _hint("action_uri_allow"))
        self.allow.edit.setToolTip(spec("remote.action_uri_allow").setting.help)
        self.user = QLineEdit()
        self.user.setObjectName("remote.action_uri_user")
        self.user.setPlaceholderText(_hint("action_uri_user"))
        self.password = QLineEdit()
        self.password.setObjectName("remote.action_uri_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.prompt = QCheckBox(_label("action_uri_prompt"))
        self.prompt.setObjectName("remote.action_uri_prompt")

        uri_box = QGroupBox("Action URI")
        form = QFormLayout(uri_box)
        form.addRow(self.enabled)
        form.addRow(PORT.setting.label, self.port)
        form.addRow("", self.port.error)
        form.addRow(self.bind_any)
        form.addRow(_label("action_uri_allow"), self.allow)
        form.addRow(_label("action_uri_user"), self.user)
        form.addRow(_label("action_uri_password"), self.password)
        form.addRow(self.prompt)

        self.table = QTableWidget(len(ACTION_URL_EVENTS), 2)
        self.table.setObjectName("remote.action_urls")
        self.table.setHorizontalHeaderLabels(["Event", "URL"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 170)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        for row, name in enumerate(ACTION_URL_EVENTS):
            item = QTableWidgetItem(name)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem(""))
        self.url_errors = QLabel()
        self.url_errors.setObjectName("remote.action_urls.error")
        self.url_errors.setStyleSheet(ERROR_STYLE)
        self.url_errors.setWordWrap(True)
        self.url_errors.hide()
        url_box = QGroupBox(_label("action_urls"))
        url_layout = QVBoxLayout(url_box)
        hint = QLabel("Variables: " + " ".join(f"${v}" for v in VARIABLES))
        hint.setWordWrap(True)
        url_layout.addWidget(hint)
        url_layout.addWidget(self.table)
        url_layout.addWidget(self.url_errors)

        layout = QVBoxLayout(self)
        layout.addWidget(uri_box)
        layout.addWidget(url_box, 1)

        for box in (self.enabled, self.bind_any, self.prompt):
            box.toggled.connect(self._edited)
        for edit in (self.port.edit, self.allow.edit, self.user, self.password):
            edit.textEdited.connect(self._edited)
        self.table.itemChanged.connect(self._edited)
        self._sync_enabled()

    # ---- SettingsTab ---------------------------------------------------------------------

    def load(self, settings: Settings) -> None:
        self._loading = True
        try:
            r = self._work = copy.deepcopy(settings.remote)
            self.enabled.setChecked(r.action_uri_enabled)
            self.port.edit.setText(str(r.action_uri_port))
            self.bind_any.setChecked(r.action_uri_bind_any)
            self.allow.edit.setText(", ".join(r.action_uri_allow))
            self.user.setText(r.action_uri_user)
            self.password.setText(r.action_uri_password)
            self.prompt.setChecked(r.action_uri_prompt)
            for row, name in enumerate(ACTION_URL_EVENTS):
                self._url_item(row).setText(r.action_urls.get(name, ""))
        finally:
            self._loading = False
        self._check()
        self._sync_enabled()

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def store(self, settings: Settings) -> None:
        r = copy.deepcopy(self._work)
        r.action_uri_enabled = self.enabled.isChecked()
        if not port_error(self.port.edit.text()):
            r.action_uri_port = int(self.port.edit.text())
        r.action_uri_bind_any = self.bind_any.isChecked()
        r.action_uri_allow = parse_allowlist([self.allow.edit.text()])
        r.action_uri_user = self.user.text().strip()
        r.action_uri_password = self.password.text()
        r.action_uri_prompt = self.prompt.isChecked()
        urls = {k: v for k, v in r.action_urls.items() if k not in ACTION_URL_EVENTS}
        for row, name in enumerate(ACTION_URL_EVENTS):
            text = self._url_item(row).text().strip()
            if text:
                urls[name] = text
        r.action_urls = urls
        settings.remote = r

    # ---- helpers -------------------------------------------------------------------------

    def url_of(self, event: str) -> str:
        return self._url_item(ACTION_URL_EVENTS.index(event)).text()

    def set_url(self, event: str, url: str) -> None:
        """Type a URL into the table row of `event` (as the user would)."""
        self._url_item(ACTION_URL_EVENTS.index(event)).setText(url)

    def _url_item(self, row: int) -> QTableWidgetItem:
        item = self.table.item(row, 1)
        assert item is not None
        return item

    def _edited(self, *_: object) -> None:
        if self._loading:
            return
        self._check()
        self._sync_enabled()
        self.changed.emit()

    def _sync_enabled(self) -> None:
        on = self.enabled.isChecked()
        for widget in (self.port, self.bind_any, self.allow, self.user, self.password):
            widget.setEnabled(on)
        self.prompt.setEnabled(on)

    def _check(self) -> None:
        errors: dict[str, str] = {}
        port = port_error(self.port.edit.text())
        self.port.set_error(port)
        if port:
            errors["remote.action_uri_port"] = port
        allow = allow_error(self.allow.edit.text())
        self.allow.set_error(allow)
        if allow:
            errors["remote.action_uri_allow"] = allow
        lines = []
        blocked = self.table.blockSignals(True)  # colouring a cell is not an edit
        try:
            for row, name in enumerate(ACTION_URL_EVENTS):
                item = self._url_item(row)
                error = url_error(item.text().strip())
                item.setBackground(_BAD_CELL if error else QBrush())
                item.setToolTip(error)
                if error:
                    errors[f"remote.action_urls.{name}"] = error
                    lines.append(f"{name}: {error}")
        finally:
            self.table.blockSignals(blocked)
        self.url_errors.setText("\n".join(lines))
        self.url_errors.setVisible(bool(lines))
        self._errors = errors
