"""What the desk remembers about the window: where it was, its size, always-on-top, and
whether closing it only hides it in the tray. Kept in `window.ini` in the config directory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

FILE = "window.ini"


class WindowMemory(QObject):
    def __init__(self, config_dir: Path, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.store = QSettings(str(config_dir / FILE), QSettings.Format.IniFormat)
        self.on_top = QAction("Always on top", window)
        self.on_top.setObjectName("always_on_top")
        self.on_top.setCheckable(True)
        self.on_top.toggled.connect(self._set_on_top)
        self.close_to_tray = QAction("Close to tray", window)
        self.close_to_tray.setObjectName("close_to_tray")
        self.close_to_tray.setCheckable(True)
        self.close_to_tray.toggled.connect(lambda on: self._put("close_to_tray", on))
        window.addAction(self.on_top)
        window.addAction(self.close_to_tray)

    def _put(self, key: str, value: object) -> None:
        self.store.setValue(key, value)
        self.store.sync()

    def _get_bool(self, key: str) -> bool:
        return str(self.store.value(key, "false")).lower() in ("true", "1")

    def restore(self) -> None:
        geometry = self.store.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.window.restoreGeometry(geometry)
        self.on_top.setChecked(self._get_bool("always_on_top"))
        self.close_to_tray.setChecked(self._get_bool("close_to_tray"))

    def save(self) -> None:
        self._put("geometry", self.window.saveGeometry())

    def _set_on_top(self, on: bool) -> None:
        self._put("always_on_top", on)
        visible = self.window.isVisible()
        self.window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        if visible:
            self.window.show()  # changing a window flag hides the window
