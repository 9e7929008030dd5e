"""Guard against the PySide6 6.12.0 bug that aborts the app: void calls leak None's refcount."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_qt_calls_keep_none_alive() -> None:
    app = QApplication.instance() or QApplication([])
    assert app is not None
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.update()
        label.setText("x")
    assert sys.getrefcount(None) - before > -100, "PySide6 frees None: pin another release"
