"""HandsetWidget: the phone's faceplate. It renders a screen dict and emits key names.

The widget holds no phone logic: the engine's Handset decides what a key does and sends back
the next screen. Everything is painted in the skin's logical units under one scale transform,
so the faceplate keeps its proportions at any size and stays crisp on HiDPI screens.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from app.phone.handset.screens import ScreenModel
from ui.handset.display import paint_display
from ui.handset.faceplate import (
    key_at,
    key_rect,
    led_rect,
    paint_body,
    paint_keys,
    power_led_rect,
    same_lamps,
)
from ui.handset.help import paint_help
from ui.handset.keymap import HELP, map_key
from ui.handset.paint import Blink, colour
from ui.handset.skin import DISPLAY_H, DISPLAY_W, Skin, load_skin

BLINK_MS = 125
DEFAULT_SCALE = 0.8


class HandsetWidget(QWidget):
    keyPressed = Signal(str)
    textTyped = Signal(str)

    def __init__(self, skin: Skin | str = "t46", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._skin = skin if isinstance(skin, Skin) else load_skin(skin)
        self._screen = ScreenModel()
        self._pressed: str | None = None
        self._help = False
        self._tick = 0
        self._frozen = False
        self.extra_help: tuple[tuple[str, str], ...] = ()  # the window's own shortcuts
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_blink)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(self._scaled(0.3))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # ---- public API ---------------------------------------------------------------------------

    def render(self, screen: Any, *args: Any, **kwargs: Any) -> None:
        """Show a screen (a ScreenModel dict). Other arguments: QWidget.render."""
        if isinstance(screen, dict | ScreenModel):
            old = self._screen
            self._screen = (
                screen if isinstance(screen, ScreenModel) else ScreenModel.from_dict(screen)
            )
            self._arm_blink()
            if same_lamps(old, self._screen):
                self.update_display()  # the keys' ~13 ms of painting are not redone
            else:
                self.update()
            return
        super().render(screen, *args, **kwargs)

    def update_display(self) -> None:
        """Repaint the display alone (what a new screen changes when no LED does)."""
        self.update(self.display_rect().toAlignedRect())

    def screen_model(self) -> ScreenModel:
        return self._screen

    def skin(self) -> Skin:
        return self._skin

    def set_skin(self, skin: Skin | str) -> None:
        self._skin = skin if isinstance(skin, Skin) else load_skin(skin)
        self.setMinimumSize(self._scaled(0.3))
        self.updateGeometry()
        self.update()

    def set_blinking(self, on: bool) -> None:
        """False freezes flashing LEDs and the cursor lit (for screenshots)."""
        self._frozen = not on
        self.update()

    def show_help(self, on: bool) -> None:
        self._help = on
        self.update()

    def help_visible(self) -> bool:
        return self._help

    def led(self, key: str) -> tuple[str, str]:
        return self._screen.led(key)

    def key_rect(self, key: str) -> QRectF:
        """A key's rectangle in widget coordinates (for tests and accessibility)."""
        r = key_rect(self._skin, key)
        if r is None:
            raise KeyError(key)
        return self._transform().mapRect(r)

    def led_rect(self, key: str) -> QRectF:
        """A line key's LED in widget coordinates."""
        spec = self._skin.key(key)
        if spec is None or spec.kind != "line":
            raise KeyError(key)
        return self._transform().mapRect(led_rect(spec))

    def power_led_rect(self) -> QRectF:
        """The power indicator LED in widget coordinates."""
        r = power_led_rect(self._skin)
        if r is None:
            raise KeyError("power LED")
        return self._transform().mapRect(r)

    def body_rect(self) -> QRectF:
        """The whole faceplate in widget coordinates."""
        return self._transform().mapRect(QRectF(0, 0, *self._skin.size))

    def display_rect(self) -> QRectF:
        return self._transform().mapRect(QRectF(*self._skin.display))

    def scale(self) -> float:
        return self._transform().m11()

    # ---- Qt -----------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return self._scaled(DEFAULT_SCALE)

    def minimumSizeHint(self) -> QSize:
        return self._scaled(0.3)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.fillRect(self.rect(), colour(self._skin.colours.get("window", "#202020")))
        p.setTransform(self._transform())
        blink = self._blink()
        inverse, ok = self._transform().inverted()
        area = inverse.mapRect(QRectF(event.rect())) if ok else None
        paint_body(p, self._skin)
        paint_keys(p, self._skin, self._screen, blink, self._pressed, area)
        dx, dy, dw, dh = self._skin.display
        p.save()
        p.translate(dx, dy)
        p.scale(dw / DISPLAY_W, dh / DISPLAY_H)
        paint_display(p, self._screen, self._skin, blink)
        p.restore()
        if self._help:
            paint_help(p, self._skin, HELP + self.extra_help)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        inverse, ok = self._transform().inverted()
        key = key_at(self._skin, inverse.map(event.position())) if ok else None
        if self._help:
            self.show_help(False)
            return
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self._pressed = key
            self.update()
            self.keyPressed.emit(key)
        else:
            super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pressed is not None:
            self._pressed = None
            self.update()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        shift_insert = event.key() == Qt.Key.Key_Insert and bool(
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        )
        action = ("paste", "") if shift_insert else map_key(event.key(), ctrl, event.text())
        if action is None:
            super().keyPressEvent(event)
            return
        kind, value = action
        if kind == "help" or (self._help and value == "X"):
            self.show_help(not self._help)
        elif kind == "paste":
            pasted = QGuiApplication.clipboard().text().strip()
            if pasted:
                self.textTyped.emit(pasted)
        elif kind == "text":
            self.textTyped.emit(value)
        else:
            self.keyPressed.emit(value)
        event.accept()

    # ---- helpers ------------------------------------------------------------------------------

    def _scaled(self, k: float) -> QSize:
        w, h = self._skin.size
        return QSize(round(w * k), round(h * k))

    def _transform(self) -> QTransform:
        w, h = self._skin.size
        s = min(self.width() / w, self.height() / h)
        t = QTransform()
        t.translate((self.width() - w * s) / 2, (self.height() - h * s) / 2)
        t.scale(s, s)
        return t

    def _blink(self) -> Blink:
        if self._frozen:
            return Blink()
        n = self._tick
        return Blink(fast=(n // 2) % 2 == 0, slow=(n // 8) % 2 == 0, cursor=(n // 4) % 2 == 0)

    def _flashing(self) -> bool:
        """A line key's LED or the power LED flashes (one timer drives them all)."""
        modes = [k.led_mode for k in self._screen.line_keys] + [self._screen.power_led_mode]
        return any(m in ("fast", "slow") for m in modes)

    def _arm_blink(self) -> None:
        # The timer runs only while something blinks: an idle phone must not wake the UI.
        if self._flashing() or self._screen.name == "dialing":
            if not self._timer.isActive():
                self._timer.start(BLINK_MS)
        else:
            self._timer.stop()

    def _on_blink(self) -> None:
        self._tick += 1
        if not self._frozen and self._flashing():
            self.update()
        elif not self._frozen and self._screen.name == "dialing":
            self.update_display()  # only the cursor blinks
