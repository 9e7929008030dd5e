"""SRTP on the handset: a padlock by the call state while the media is encrypted (as a Yealink
shows a lock icon after SRTP was negotiated), and the text of a compulsory-SRTP refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from app.phone.handset.screens import ScreenModel
from app.phone.messages import CallSecured
from app.phone.texts import T
from tests.gui.harness import Harness
from ui.handset.display import BODY, paint_display
from ui.handset.paint import Blink
from ui.handset.skin import DISPLAY_H, DISPLAY_W, load_skin

pytestmark = pytest.mark.gui


def green_in_title_row(sm: ScreenModel, skin_name: str) -> int:
    """Pixels of the skin's green in the call screen's title row, painted off screen."""
    skin = load_skin(skin_name)
    image = QImage(DISPLAY_W, DISPLAY_H, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    paint_display(painter, sm, skin, Blink())
    painter.end()
    green = QColor(skin.theme["green"])
    top = int(BODY.y())
    return sum(
        1
        for y in range(top + 4, top + 30)
        for x in range(DISPLAY_W)
        if abs(image.pixelColor(x, y).green() - green.green()) < 40
        and image.pixelColor(x, y).green() > image.pixelColor(x, y).red() + 60
    )


def test_the_padlock_follows_the_media(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.press("1", "0", "0", "2", "OK")
    h.far_rings()
    h.far_answers()
    h.expect("talking", ["Transfer", "Hold", "Conference", "End Call"], "Talking")
    plain = h.screen
    assert not plain.encrypted
    h.phone.feed(CallSecured("o1", True))
    h.sync()
    secured = h.screen
    assert secured.encrypted
    h.shot(screens_dir, "40_talking_srtp")
    # The padlock is drawn in green (line key icons there are green too: compare).
    assert green_in_title_row(secured, h.skin) - green_in_title_row(plain, h.skin) > 40
    h.press("F2")  # Hold: still the same encrypted call
    assert h.screen.encrypted
    h.phone.feed(CallSecured("o1", False))  # a re-INVITE answered without keys
    h.sync()
    assert not h.screen.encrypted


def test_compulsory_srtp_refused_says_so(harness: Harness, screens_dir: Path) -> None:
    h = harness
    h.phone.settings.accounts[0].srtp = "compulsory"
    h.press("1", "0", "0", "2", "OK")
    h.far_fails(488, "Not Acceptable Here")
    assert h.screen.name == "failed" and h.screen.detail == T.SRTP_REFUSED
    h.shot(screens_dir, "41_srtp_refused")
