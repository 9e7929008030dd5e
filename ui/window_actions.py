"""What the window offers besides the handset's own keys, declared once: each entry is a menu
item with its shortcut in the right-click menu and in the gear menu on the faceplate, and a
row in the F12 help. The real phone has no room for these; a new user finds them through the
gear, and the help lists their keys with the handset's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolButton, QWidget


@dataclass(frozen=True)
class WindowAction:
    """One of the window's actions: name, menu text, shortcut and help."""

    name: str  # the QAction's objectName
    text: str  # menu text
    shortcut: str  # QKeySequence text; "" for none
    help: str  # what the F12 help says it does


SETTINGS = WindowAction("open_settings", "Settings…", "Ctrl+,", "Settings")
CALL_FLOW = WindowAction(
    "call_flow", "Call flow of the last call", "Ctrl+F", "Call flow (the call or history entry)"
)
SHORTCUTS = WindowAction("keyboard_help", "Keyboard shortcuts", "F12", "")
ACTIONS = (SETTINGS, CALL_FLOW, SHORTCUTS)
MENU_HELP = ("Right-click or ⚙", "Window menu")


def help_rows() -> tuple[tuple[str, str], ...]:
    """The window's rows of the F12 help (F12 itself is in the handset's list)."""
    rows = [(a.shortcut, a.help) for a in ACTIONS if a.shortcut and a.help]
    return (*rows, MENU_HELP)


def add_actions(
    window: QMainWindow, handlers: dict[str, Callable[[], object]]
) -> dict[str, QAction]:
    """The ACTIONS on the window (shortcuts and the right-click menu), first in its menu."""
    made = {}
    first = window.actions()[0] if window.actions() else None
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(spec.name)
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        handler = handlers[spec.name]
        action.triggered.connect(lambda _checked=False, run=handler: run())
        if first is None:
            window.addAction(action)
        else:
            window.insertAction(first, action)
        made[spec.name] = action
    window.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return made


class GearButton(QObject):
    """A small gear at the faceplate's top right corner opening the window's menu."""

    def __init__(self, window: QMainWindow, face: QWidget, body: Callable[[], QRectF]) -> None:
        super().__init__(window)
        self.window = window
        self.face = face
        self.body = body  # the faceplate's rectangle in `face` coordinates (a QRectF)
        self.button = QToolButton(face)
        self.button.setObjectName("window_menu")
        self.button.setText("⚙")
        self.button.setToolTip("Menu: Settings, Call flow, Keyboard shortcuts (or right-click)")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setStyleSheet(
            "QToolButton { color: #c9c9c9; background: transparent; border: none; }"
            "QToolButton:hover { color: #ffffff; }"
        )
        self.menu = QMenu(self.button)
        self.menu.setObjectName("window_menu_popup")
        self.menu.aboutToShow.connect(self._fill)
        self.button.clicked.connect(self.open)
        face.installEventFilter(self)
        self.place()

    def _fill(self) -> None:
        self.menu.clear()
        for action in self.window.actions():
            self.menu.addAction(action)

    def open(self) -> None:
        self.menu.popup(self.button.mapToGlobal(QPoint(0, self.button.height())))

    def place(self) -> None:
        rect = self.body()
        scale = max(0.4, rect.width() / 800)
        size = round(30 * scale)
        font = self.button.font()
        font.setPixelSize(max(10, round(22 * scale)))
        self.button.setFont(font)
        self.button.setFixedSize(size, size)
        x = rect.right() - 14 * scale - size
        self.button.move(round(x), round(rect.top() + 14 * scale))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.face and event.type() == QEvent.Type.Resize:
            self.place()
        return False
