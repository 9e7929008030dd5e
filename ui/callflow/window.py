"""The Call Flow window: the stored calls on the left, the ladder of the chosen one, and the
whole message of the selected arrow below it; exports as text, PNG and pcap.

It reads the flows the engine stores (app/store/callflows.py) and follows a running call: the
engine says when a flow grew (`call_flow` event) and the window reads it again, keeping the
selected arrow.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QImageWriter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.callflow.ladder import Ladder, build_ladder
from app.callflow.model import Flow
from app.callflow.pcap import flow_pcap
from app.callflow.text import describe_call, flow_text, message_text, when
from app.store.callflows import FlowStore
from ui.callflow.ladder_view import LadderView, ladder_image

log = logging.getLogger("deskphone.ui")

EXPORTS = {
    "text": ("Text (*.txt)", ".txt"),
    "png": ("PNG image (*.png)", ".png"),
    "pcap": ("Packet capture (*.pcap)", ".pcap"),
}
RELOAD_MS = 150  # a burst of messages is read once


class CallFlowWindow(QWidget):
    def __init__(self, config_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("call_flow_window")
        self.setWindowTitle("Call Flow — DeskPhone")
        self.store = FlowStore(config_dir)
        self.flow: Flow | None = None
        self.ladder: Ladder | None = None
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(RELOAD_MS)
        self._reload.timeout.connect(self.reload)

        self.calls = QListWidget(self)
        self.calls.setObjectName("call_flow_list")
        self.calls.setWordWrap(True)
        self.calls.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.calls.currentItemChanged.connect(self._on_pick)
        self.title = QLabel("", self)
        self.title.setObjectName("call_flow_title")
        self.title.setWordWrap(True)
        self.view = LadderView()
        self.view.selected.connect(self._on_arrow)
        scroll = QScrollArea(self)
        scroll.setWidget(self.view)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll.setStyleSheet("QScrollArea { background: white; }")
        self.scroller = scroll
        self.message = QPlainTextEdit(self)
        self.message.setObjectName("call_flow_message")
        self.message.setReadOnly(True)
        self.message.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.message.setFont(mono)
        self.message.setPlaceholderText("Select an arrow to see its whole message.")

        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        self.export_buttons: dict[str, QPushButton] = {}
        for kind, label in (
            ("text", "Export text…"),
            ("png", "Export PNG…"),
            ("pcap", "Export pcap…"),
        ):
            button = QPushButton(label, self)
            button.setObjectName(f"export_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.ask_export(k))
            buttons.addWidget(button)
            self.export_buttons[kind] = button
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical, right)
        split.addWidget(scroll)
        split.addWidget(self.message)
        split.setSizes([480, 260])
        column.addWidget(split, 1)
        outer = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.calls)
        outer.addWidget(right)
        outer.setSizes([260, 1060])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(outer)
        self.resize(1330, 800)
        self._set_buttons()

    # ---- what to show ----------------------------------------------------------------

    def refresh_list(self) -> None:
        """The stored flows, newest first; the shown one stays selected."""
        current = self.flow.meta.flow if self.flow else None
        self.calls.blockSignals(True)
        self.calls.clear()
        for meta in self.store.metas():
            live = "  ● live" if meta.running else ""
            text = f"{meta.flow}  {when(meta.started)[5:19]}{live}\n{describe_call(meta)}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, meta.flow)
            item.setToolTip(describe_call(meta))
            self.calls.addItem(item)
            if meta.flow == current:
                self.calls.setCurrentItem(item)
        self.calls.blockSignals(False)

    def show_flow(self, flow_id: int | None) -> bool:
        """Show one stored flow (False, and an empty ladder, when there is no such flow)."""
        self.refresh_list()
        flow = self.store.load(flow_id) if flow_id is not None else None
        self._show(flow, keep=-1)
        for row in range(self.calls.count()):
            item = self.calls.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == flow_id:
                self.calls.blockSignals(True)
                self.calls.setCurrentItem(item)
                self.calls.blockSignals(False)
        return flow is not None

    def show_last(self) -> bool:
        """The newest flow: the current call's while one runs, else the last call's."""
        return self.show_flow(self.store.resolve("last"))

    def show_history_entry(self, history_id: int) -> bool:
        """The flow of a call history entry (the handset's History list)."""
        found = self.show_flow(self.store.for_history(history_id))
        if not found:
            self.title.setText(
                f"No call flow was kept for history entry {history_id}: only the last "
                "calls' flows are kept, and none of calls from before DeskPhone recorded them."
            )
        return found

    def reload(self) -> None:
        """Read the shown flow again (it grew), keeping the selected arrow."""
        self.refresh_list()
        if self.flow is not None:
            self._show(self.store.load(self.flow.meta.flow), keep=self.view.current)

    def on_flow_event(self, msg: dict[str, Any]) -> None:
        """The engine's `call_flow` event: a flow grew or closed."""
        if self.isVisible():
            self._reload.start()

    def _show(self, flow: Flow | None, keep: int) -> None:
        self.flow = flow
        self.ladder = build_ladder(flow.packets) if flow is not None else None
        self.view.set_ladder(self.ladder or build_ladder([]))
        if flow is None:
            empty = self.store.ids() == []
            self.title.setText("No call flows recorded yet." if empty else "No such call flow.")
            self.message.setPlainText("")
        else:
            meta = flow.meta
            live = " (live)" if meta.running else ""
            self.title.setText(
                f"<b>Call flow {meta.flow}</b>{live}: {describe_call(meta)}<br>"
                f"{len(flow.packets)} messages, {len(self.ladder.call_ids if self.ladder else ())}"
                f" Call-ID(s), started {when(meta.started)}"
            )
            if 0 <= keep < len(flow.packets):
                self.view.select(keep)
            elif flow.packets and keep < 0:
                self.view.select(0)
        self._set_buttons()

    def _set_buttons(self) -> None:
        for button in self.export_buttons.values():
            button.setEnabled(bool(self.flow and self.flow.packets))

    def _on_pick(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            flow = self.store.load(int(item.data(Qt.ItemDataRole.UserRole)))
            self._show(flow, keep=-1)

    def _on_arrow(self, index: int) -> None:
        if self.ladder is None or not 0 <= index < len(self.ladder.arrows):
            return
        self.message.setPlainText(message_text(self.ladder.arrows[index], self.ladder))
        rect = self.view.arrow_rect(index).toRect()
        left = self.scroller.horizontalScrollBar().value()  # keep F numbers where they are
        self.scroller.ensureVisible(left, rect.center().y(), 0, rect.height())

    # ---- exports -----------------------------------------------------------------------

    def export_bytes(self, kind: str) -> bytes:
        assert self.flow is not None and self.ladder is not None
        if kind == "text":
            return flow_text(self.flow, self.ladder).encode("utf-8", "backslashreplace")
        if kind == "pcap":
            return flow_pcap(self.flow.packets)
        title = f"DeskPhone call flow {self.flow.meta.flow}: {describe_call(self.flow.meta)}"
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        QImageWriter(buffer, QByteArray(b"png")).write(ladder_image(self.ladder, title))
        return bytes(buffer.data().data())

    def export(self, kind: str, path: Path) -> None:
        """Write the shown flow as text, PNG or pcap; private (0600): it holds SIP messages."""
        data = self.export_bytes(kind)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        log.info("call flow %s exported as %s to %s", self.flow and self.flow.meta.flow, kind, path)

    def ask_export(self, kind: str) -> None:
        if self.flow is None:
            return
        pattern, suffix = EXPORTS[kind]
        name = f"call-flow-{self.flow.meta.flow}{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(
            self, f"Export call flow {self.flow.meta.flow}", str(Path.home() / name), pattern
        )
        if not chosen:
            return
        try:
            self.export(kind, Path(chosen))
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {chosen}: {exc.strerror}")
