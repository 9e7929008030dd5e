"""The window side of the `deskphone` program: what app/cli.py opens through `WindowSide`.

Qt is imported only inside these methods, so `deskphone --version` or `--provision` on a box
without a display never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import UiOptions

if TYPE_CHECKING:
    from app.desktop.selftest import Report


class QtWindow:
    """`app.cli.WindowSide` for the Qt window of ui/app.py."""

    def run(self, options: UiOptions) -> int:
        from ui.feature_check import skip_feature_check

        skip_feature_check()  # before the window's imports: they are what it is about
        from ui.app import run

        return run(options)

    def check_window(self, report: Report) -> None:
        """--selftest: the main window draws offscreen, and Qt has the desktop's platforms."""
        from PySide6.QtCore import QLibraryInfo
        from PySide6.QtWidgets import QApplication

        from app.desktop.selftest import FAIL, OK, WARN  # not on the engine's way at launch
        from ui.main_window import MainWindow

        app = QApplication.instance() or QApplication(["deskphone"])
        window = MainWindow()
        window.show()
        app.processEvents()
        image = window.grab()
        window.close()
        if image.isNull() or image.width() < 50:
            report.add(FAIL, "window", "the main window did not draw")
        else:
            report.add(OK, "window", f"drawn {image.width()}x{image.height()} offscreen")
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        found = sorted(p.name for p in plugins.glob("libq*.so")) if plugins.is_dir() else []
        names = {n.removeprefix("libq").removesuffix(".so") for n in found}
        if "xcb" in names:
            wayland = "wayland" if {"wayland", "wayland-egl"} & names else "no wayland"
            report.add(OK, "Qt platforms", f"xcb, {wayland} ({plugins})")
        else:
            report.add(WARN, "Qt platforms", f"no xcb plugin in {plugins}: X11 desktops cannot run")
