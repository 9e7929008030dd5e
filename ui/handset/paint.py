"""Painting helpers shared by the faceplate and the display: skin colours, fonts, text fitting."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QLinearGradient, QPainter

from ui.handset.skin import Colour


def colour(c: Colour) -> QColor:
    return QColor(c[0] if isinstance(c, list) else c)


def brush(c: Colour, r: QRectF) -> QBrush:
    """A flat colour, or a top-to-bottom gradient for a [top, bottom] pair."""
    if isinstance(c, list) and len(c) > 1:
        g = QLinearGradient(r.topLeft(), r.bottomLeft())
        for i, stop in enumerate(c):
            g.setColorAt(i / (len(c) - 1), QColor(stop))
        return QBrush(g)
    return QBrush(colour(c))


def font(family: str, px: float, bold: bool = False) -> QFont:
    f = QFont(family)
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return f


def elide(p: QPainter, text: str, width: float) -> str:
    return QFontMetricsF(p.font()).elidedText(text, Qt.TextElideMode.ElideRight, width)


def text(
    p: QPainter,
    r: QRectF,
    s: str,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    c: QColor | None = None,
) -> None:
    """One line of text in `r`, vertically centred and elided to fit."""
    if c is not None:
        p.setPen(c)
    p.drawText(r, int(align | Qt.AlignmentFlag.AlignVCenter), elide(p, s, r.width()))


@dataclass(frozen=True)
class Blink:
    """Which blinking things are lit in this frame (fixed on for screenshots)."""

    fast: bool = True
    slow: bool = True
    cursor: bool = True

    def led_on(self, mode: str) -> bool:
        if mode == "solid":
            return True
        if mode == "fast":
            return self.fast
        if mode == "slow":
            return self.slow
        return False
