"""The handset window on the real phone core and the engine's Display, with a scripted SIP side
(tests/gui/fake_phone.py): the window's keys go where the engine sends them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from app.phone.handset.screens import ScreenModel
from app.phone.model import CallState, CallView
from tests.gui.fake_phone import FakePhone
from ui.handset import HandsetWidget, display, display_lists


class Harness:
    def __init__(self, qtbot: QtBot, skin: str, phone: FakePhone | None = None) -> None:
        self.qtbot = qtbot
        self.skin = skin
        self.phone = phone or FakePhone()
        self.widget = HandsetWidget(skin)
        qtbot.addWidget(self.widget)
        w, h = self.widget.skin().size
        self.widget.resize(round(w), round(h))
        self.widget.set_blinking(False)  # flashing LEDs drawn lit, so a screenshot shows them
        self.widget.keyPressed.connect(self._key)
        self.widget.textTyped.connect(self._text)
        self.widget.show()
        qtbot.waitExposed(self.widget)
        self.refresh()

    # what the engine does: key in, screen out
    def _key(self, key: str) -> None:
        self.phone.press(key)
        self.refresh()

    def _text(self, text: str) -> None:
        self.phone.type(text)
        self.refresh()

    def refresh(self) -> None:
        self.widget.render(self.phone.handset.screen().to_dict())

    @property
    def screen(self) -> ScreenModel:
        return self.widget.screen_model()

    # the user's hands
    def press(self, *keys: str) -> None:
        for key in keys:
            self.widget.keyPressed.emit(key)

    def click(self, key: str) -> None:
        centre = self.widget.key_rect(key).center().toPoint()
        self.qtbot.mouseClick(self.widget, Qt.MouseButton.LeftButton, pos=centre)

    # the far end (the fake SIP side feeds the core what pjsua2 would)
    def far(self, state: CallState, code: int = 0, reason: str = "") -> None:
        self.phone.far(state, code, reason)
        self.refresh()

    def ring_in(self, uri: str, name: str = "", diverted_by: str = "") -> CallView:
        call = self.phone.ring_in(uri, name, diverted_by=diverted_by)
        self.refresh()
        return call

    def far_rings(self, code: int = 180, call: str | None = None) -> None:
        self.phone.far_rings(code, call)
        self.refresh()

    def far_answers(self, call: str | None = None) -> None:
        self.phone.far_answers(call)
        self.refresh()

    def far_fails(self, code: int, reason: str = "", call: str | None = None) -> None:
        self.phone.far_fails(code, reason, call)
        self.refresh()

    def far_hangs_up(self, call: str | None = None) -> None:
        self.phone.far_hangs_up(call)
        self.refresh()

    def far_holds(self, on: bool = True, call: str | None = None) -> None:
        self.phone.far_holds(on, call)
        self.refresh()

    def far_transfer_result(self, code: int, reason: str = "", call: str | None = None) -> None:
        self.phone.far_transfer_result(code, reason, call)
        self.refresh()

    def advance(self, seconds: float) -> None:
        self.phone.advance(seconds)
        self.refresh()

    def sync(self) -> None:
        self.phone.sync()
        self.refresh()

    # checks
    def shot(self, folder: Path, name: str) -> Path:
        path = folder / f"handset_{self.skin}_{name}.png"
        assert self.widget.grab().save(str(path))
        return path

    def led_pixel(self, key: str) -> QColor:
        """The colour painted at the middle of a line key's LED."""
        image = self.widget.grab().toImage()
        centre: QPoint = self.widget.led_rect(key).center().toPoint()
        ratio = image.devicePixelRatio()
        return image.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio))

    def led_lit(self, key: str) -> bool:
        c = self.led_pixel(key)
        return c.green() > 180 and c.green() > c.red() + 60

    def power_led_lit(self) -> bool:
        """The power LED is painted lit red (flashing ones are drawn lit: set_blinking)."""
        image = self.widget.grab().toImage()
        centre = self.widget.power_led_rect().center().toPoint()
        ratio = image.devicePixelRatio()
        c = image.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio))
        return c.red() > 180 and c.red() > c.green() + 60

    def drawn_texts(self) -> list[str]:
        """Every text the display paints for the screen shown, in paint order."""
        with _recording_text() as texts:
            self.widget.grab()
        return texts

    def expect(self, name: str, softkeys: list[str], title: str | None = None) -> None:
        s = self.screen
        assert s.name == name, (s.name, name)
        assert s.softkeys == softkeys, s.softkeys
        if title is not None:
            assert s.title == title, s.title


@contextmanager
def _recording_text() -> Iterator[list[str]]:
    """The display modules' one-line text painter, recording what it paints."""
    texts: list[str] = []
    modules = (display, display_lists)
    original = [m.text for m in modules]

    def record(p: Any, r: Any, s: str, *args: Any) -> None:
        texts.append(s)
        original[0](p, r, s, *args)

    for module in modules:
        module.text = record  # type: ignore[assignment]
    try:
        yield texts
    finally:
        for module, fn in zip(modules, original, strict=True):
            module.text = fn  # type: ignore[assignment]
