"""The system tray icon: its look shows registered / DND / forward / new voice mail; its menu
toggles DND and forward.

DND and Always Forward are phone settings: toggling one here is a change to the saved settings
through the window's one settings writer (app/store/settings_file.py), after which the engine
is asked to reload, so the handset, the dialog and the tray never disagree about what is on.
ui/app.py wires the tray to the window and the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.desktop.resources import icon_svg
from app.phone.settings import Settings
from app.store.errors import StoreError
from app.store.secrets import SecretStore
from app.store.settings_file import SettingsFile

log = logging.getLogger("deskphone.ui")

ICON_SIZE = 64
GREEN, GREY, RED, BLUE = "#2fbf4a", "#8a8f98", "#e5484d", "#2f7fe5"


@dataclass(frozen=True)
class TrayLook:
    """What the tray icon shows."""

    registered: bool
    dnd: bool
    forward: bool
    voice_mail: int = 0  # new voice messages; -1: voice mail waits, count unknown

    @property
    def tooltip(self) -> str:
        parts = ["Registered" if self.registered else "Not registered"]
        if self.dnd:
            parts.append("DND")
        if self.forward:
            parts.append("Forward")
        if self.voice_mail:
            count = "" if self.voice_mail < 0 else f"{self.voice_mail} "
            parts.append(f"{count}New Voice Mail")
        return "DeskPhone: " + ", ".join(parts)


def draw_icon(look: TrayLook, size: int = ICON_SIZE) -> QPixmap:
    """The phone glyph with a status dot (green registered / grey not) and DND / forward badges."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(icon_svg())).render(painter, QRectF(0, 0, size, size))
    r = size * 0.17
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(GREEN if look.registered else GREY))
    painter.drawEllipse(QPointF(size - r - 1, size - r - 1), r, r)
    if look.dnd:  # a red "no entry" disc at the top left
        painter.setBrush(QColor(RED))
        painter.drawEllipse(QPointF(r + 1, r + 1), r, r)
        painter.fillRect(QRectF(r * 0.4 + 1, r * 0.8 + 1, r * 1.2, r * 0.4), QColor("white"))
    if look.forward:  # a blue arrow badge at the top right
        painter.setBrush(QColor(BLUE))
        painter.drawEllipse(QPointF(size - r - 1, r + 1), r, r)
        painter.setPen(QColor("white"))
        cx, cy = size - r - 1, r + 1
        painter.drawLine(QPointF(cx - r * 0.5, cy), QPointF(cx + r * 0.5, cy))
        painter.drawLine(QPointF(cx + r * 0.5, cy), QPointF(cx, cy - r * 0.4))
        painter.drawLine(QPointF(cx + r * 0.5, cy), QPointF(cx, cy + r * 0.4))
    if look.voice_mail:  # a red disc with a white envelope at the bottom left
        cx, cy = r + 1, size - r - 1
        painter.setPen(QColor("white"))
        painter.setBrush(QColor(RED))
        painter.drawEllipse(QPointF(cx, cy), r, r)
        env = QRectF(cx - r * 0.6, cy - r * 0.4, r * 1.2, r * 0.8)
        painter.setBrush(QColor("white"))
        painter.drawRect(env)
        painter.setPen(QColor(RED))
        painter.drawLine(env.topLeft(), QPointF(cx, cy + r * 0.05))
        painter.drawLine(env.topRight(), QPointF(cx, cy + r * 0.05))
    painter.end()
    return pix


def set_dnd(settings: Settings, on: bool) -> None:
    settings.dnd.enabled = on


def set_forward_always(settings: Settings, on: bool) -> bool:
    """False if there is no Always Forward target to switch on (the dialog must set one)."""
    rule = settings.forward.phone.always
    if on and not rule.target:
        return False
    rule.enabled = on
    return True


class _NoSecrets(SecretStore):
    """Reads no password and stores none (a settings.json holding one makes it raise)."""

    def __init__(self, config_dir: Path) -> None:
        super().__init__(config_dir, use_keyring=False)

    def get(self, name: str) -> str:
        return ""

    def set_many(self, values: dict[str, str]) -> None:
        raise StoreError("a password to move into the secret store")


class PhoneTray(QObject):
    show_requested = Signal()
    quit_requested = Signal()
    settings_changed = Signal()  # settings.json was rewritten: the engine should reload

    def __init__(self, store: SettingsFile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.registered = False
        self.voice_mail = 0
        self.look = TrayLook(False, False, False)
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.show_action = self._action("Show", self.show_requested.emit)
        self.menu.addSeparator()
        self.dnd_action = self._action("DND", lambda: self._toggle(set_dnd, self.dnd_action))
        self.forward_action = self._action(
            "Forward always", lambda: self._toggle(set_forward_always, self.forward_action)
        )
        self.dnd_action.setCheckable(True)
        self.forward_action.setCheckable(True)
        self.menu.addSeparator()
        self.quit_action = self._action("Quit", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.refresh()

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()

    def _toggle(self, change: Callable[[Settings, bool], object], action: QAction) -> None:
        on = action.isChecked()
        try:
            changed = self.store.update(lambda settings: change(settings, on))
        except StoreError as exc:
            log.error("tray: settings not saved: %s", exc)
            changed = False
        if changed:
            self.settings_changed.emit()
        self.refresh()  # after a refusal too: the menu shows the real state again

    def set_registered(self, registered: bool) -> None:
        if registered != self.registered:
            self.registered = registered
            self.refresh()

    def set_voice_mail(self, new: int) -> None:
        """New voice messages waiting (-1: some, count unknown); 0 clears the badge."""
        if new != self.voice_mail:
            self.voice_mail = new
            self.refresh()

    def refresh(self) -> None:
        # Only DND and forwarding are read: no passwords, so no keyring (17 MB and 70 ms of
        # imports: keyring, secretstorage, cryptography) in the window process at start;
        # unless settings.json still holds a password to move into the keyring.
        try:
            reader = SettingsFile(self.store.config_dir, _NoSecrets(self.store.config_dir))
            settings = reader.load().settings
        except StoreError:
            settings = self.store.load().settings
        always = settings.forward.phone.always
        look = (self.registered, settings.dnd.enabled, always.enabled, self.voice_mail)
        self.look = TrayLook(*look)
        self.dnd_action.setChecked(self.look.dnd)
        self.forward_action.setChecked(self.look.forward)
        self.forward_action.setEnabled(bool(always.target) and settings.forward.allowed)
        self.icon.setIcon(QIcon(draw_icon(self.look)))
        self.icon.setToolTip(self.look.tooltip)

    def show(self) -> bool:
        """Show the icon; False where the desktop has no tray (the window stays the only UI)."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        return True
