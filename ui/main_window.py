"""The main window: the handset faceplate, and a status line for what the PC adds to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from ui.handset.widget import HandsetWidget
from ui.state import UiState


class MainWindow(QMainWindow):
    intent = Signal(str, dict)  # op, data: what the user asked for
    closing = Signal()

    def __init__(self, skin: str = "t46") -> None:
        super().__init__()
        self.setWindowTitle("DeskPhone")
        self.state = UiState()
        self.shown: list[str] = []  # every registration text shown, for the log and tests
        self._screen: dict[str, Any] = {}
        self.hide_on_close: Callable[[], bool] | None = None
        self.quitting = False
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.handset = HandsetWidget(skin, central)
        self.handset.keyPressed.connect(lambda key: self.intent.emit("key", {"key": key}))
        self.handset.textTyped.connect(lambda text: self.intent.emit("text", {"text": text}))
        layout.addWidget(self.handset, 1)
        # What the real phone has no room for: the PC-side status of the engine.
        self.reg_label = QLabel("Registering", central)
        self.reg_label.setObjectName("registration")
        self.info_label = QLabel("", central)
        self.info_label.setObjectName("info")
        self.info_label.setWordWrap(True)
        for label in (self.reg_label, self.info_label):
            label.setContentsMargins(8, 0, 8, 2)
            layout.addWidget(label)
        self.setCentralWidget(central)
        self.resize(self.handset.sizeHint().width(), self.handset.sizeHint().height() + 40)
        self.handset.setFocus()
        self.refresh()

    # ---- engine → screen --------------------------------------------------------------

    def on_event(self, msg: dict[str, Any]) -> None:
        self.state.apply(msg)
        if msg.get("ev") == "screen":
            self._screen = dict(msg.get("screen") or {})
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
        label = self.state.account_label()
        self.reg_label.setText(f"{label}: {text}" if label else text)
        info = []
        if self.state.port:
            info.append(f"SIP port {self.state.port}")
        for note in (self.state.port_note, self.state.warning):
            if note:
                info.append(note)
        if self.state.restarts:
            info.append(f"Engine restarts: {self.state.restarts} ({self.state.last_exit})")
        self.info_label.setText(" · ".join(info))
        screen = dict(self._screen)
        if self.state.engine in ("restarting", "starting") and screen:
            # The display is the engine's; while it comes back the window says why it is still.
            screen["popup"] = {"text": "Restarting…", "kind": "info", "title": ""}
        if screen:
            self.handset.render(screen)

    def display_png(self) -> bytes:
        """The handset display as the window shows it now (Action URI /screencapture)."""
        pixmap = self.handset.grab(self.handset.display_rect().toAlignedRect())
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        pixmap.save(buffer, "PNG")
        return bytes(buffer.data().data())

    def registration_text(self) -> str:
        return self.state.registration_text()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.hide_on_close is not None and self.hide_on_close() and not self.quitting:
            # Close to tray: the phone keeps running and ringing; Quit in the tray ends it.
            event.ignore()
            self.hide()
            return
        self.closing.emit()
        super().closeEvent(event)

    def quit(self) -> None:
        self.quitting = True
        self.close()
