"""The main window. A plain layout for now; the handset faceplate replaces its centre."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.state import UiState


class MainWindow(QMainWindow):
    intent = Signal(str, dict)  # op, data: what the user asked for
    closing = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("DeskPhone")
        self.state = UiState()
        self.shown: list[str] = []  # every registration text shown, for tests and the log
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.account_label = QLabel("", central)
        self.reg_label = QLabel("Registering", central)
        self.reg_label.setObjectName("registration")
        self.reg_label.setStyleSheet("font-size: 18px; font-weight: bold")
        self.call_label = QLabel("", central)
        self.call_label.setObjectName("call")
        self.info_label = QLabel("", central)
        self.info_label.setObjectName("info")
        self.info_label.setWordWrap(True)
        self.number = QLineEdit(central)
        self.number.setPlaceholderText("Number or sip:user@host")
        self.number.returnPressed.connect(self._dial)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Send", self._dial),
            ("Answer", self._answer),
            ("End Call", self._hangup),
        ):
            button = QPushButton(text, central)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        for widget in (self.account_label, self.reg_label, self.call_label, self.number):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.info_label)
        layout.addStretch(1)
        self.setCentralWidget(central)
        self.resize(480, 300)
        self.refresh()

    # ---- engine → screen --------------------------------------------------------------

    def on_event(self, msg: dict[str, Any]) -> None:
        self.state.apply(msg)
        self.refresh()

    def on_status(self, status: str, info: dict[str, Any]) -> None:
        self.state.engine = status
        self.state.restarts = int(info.get("restarts", self.state.restarts))
        if "exit" in info:
            self.state.last_exit = str(info["exit"])
        if status == "restarting":
            self.state.accounts.clear()
            self.state.calls.clear()
        self.refresh()

    def refresh(self) -> None:
        text = self.state.registration_text()
        if not self.shown or self.shown[-1] != text:
            self.shown.append(text)
        self.reg_label.setText(text)
        self.account_label.setText(self.state.account_label())
        self.call_label.setText(self.state.call_text())
        info = []
        if self.state.port:
            info.append(f"SIP port {self.state.port}")
        for note in (self.state.port_note, self.state.warning, self.state.error):
            if note:
                info.append(note)
        if self.state.restarts:
            info.append(f"Engine restarts: {self.state.restarts} ({self.state.last_exit})")
        self.info_label.setText("\n".join(info))

    # ---- screen → engine --------------------------------------------------------------

    def _dial(self) -> None:
        target = self.number.text().strip()
        if target:
            self.intent.emit("dial", {"target": target})

    def _answer(self) -> None:
        self.intent.emit("answer", {})

    def _hangup(self) -> None:
        self.intent.emit("hangup", {})

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._hangup()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
