"""`deskphone --startup-probe`: print `IDLE <registration>` once the idle screen is on the glass.

Used by the start-up benchmark (tests/bench/startup_bench.py). The phone counts as started when
every account is past "Registering" *and* the handset has painted a screen whose status bar
says so: the account event may come before the screen that shows it, and a window that has
the state but not the pixels is not started yet. So the probe waits for the handset's screen
to carry the settled words, then for the paint after that, and reports once the paint is done.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer

from ui.handset.widget import HandsetWidget


class StartupProbe(QObject):
    def __init__(self, handset: HandsetWidget, report: Callable[[str], None]) -> None:
        super().__init__(handset)
        self._handset = handset
        self._report = report
        self._wanted = ""  # the settled registration words, once known
        self._painting = False
        self._done = False
        handset.installEventFilter(self)

    def settled(self, words: str) -> None:
        """Every account is past Registering; `words` is what the status bar must say."""
        self._wanted = words
        self.check()

    def check(self) -> None:
        """After each screen from the engine: paint it if it is the settled idle screen."""
        if self._done or not self._wanted:
            return
        if self._handset.screen_model().status.registration == self._wanted:
            self._painting = True
            self._handset.update_display()  # the status bar's words are on the display

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._painting and not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            QTimer.singleShot(0, lambda: self._report(self._wanted))  # after this paint
        return False
