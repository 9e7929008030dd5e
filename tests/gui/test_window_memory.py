"""The window's position, size and always-on-top are remembered; close can go to the tray."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.window_memory import WindowMemory

pytestmark = pytest.mark.gui


def restored_window(qtbot: QtBot, config_dir: Path) -> tuple[MainWindow, WindowMemory]:
    """A main window shown where the memory in `config_dir` puts it."""
    window = MainWindow()
    qtbot.addWidget(window)
    memory = WindowMemory(config_dir, window)
    memory.restore()
    window.show()
    qtbot.waitExposed(window)
    return window, memory


def test_geometry_and_always_on_top_survive_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    first, memory = restored_window(qtbot, tmp_path)
    first.setGeometry(QRect(120, 90, 700, 640))
    memory.on_top.setChecked(True)
    qtbot.waitUntil(first.isVisible)
    saved = first.geometry()
    memory.save()
    first.quit()

    second, again = restored_window(qtbot, tmp_path)
    assert second.geometry().size() == saved.size()
    assert (
        abs(second.geometry().x() - saved.x()) <= 1 and abs(second.geometry().y() - saved.y()) <= 1
    )
    assert again.on_top.isChecked()
    assert second.windowFlags() & Qt.WindowType.WindowStaysOnTopHint


def test_close_to_tray_hides_and_quit_really_closes(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    memory = WindowMemory(tmp_path, window)
    memory.close_to_tray.setChecked(True)
    window.hide_on_close = memory.close_to_tray.isChecked
    closed: list[bool] = []
    window.closing.connect(lambda: closed.append(True))
    window.show()
    qtbot.waitExposed(window)
    window.close()
    assert not window.isVisible() and closed == []  # hidden, the phone still runs
    window.show()
    window.quit()
    assert closed == [True] and not window.isVisible()
    reloaded = WindowMemory(tmp_path, MainWindow())
    reloaded.restore()
    assert reloaded.close_to_tray.isChecked()
