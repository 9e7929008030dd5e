"""The help overlay listing the PC keyboard shortcuts (F12 or ?)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from ui.handset.keymap import HELP
from ui.handset.paint import font, text
from ui.handset.skin import Skin

CONTEXT = "HandsetHelp"
TITLE = "Keyboard shortcuts"


def _tr(source: str) -> str:
    return QCoreApplication.translate(CONTEXT, source)


def paint_help(p: QPainter, skin: Skin, rows: tuple[tuple[str, str], ...] = HELP) -> None:
    w, h = skin.size
    p.fillRect(QRectF(0, 0, w, h), QColor(0, 0, 0, 170))
    box = QRectF(w * 0.12, h * 0.08, w * 0.76, h * 0.84)
    p.setPen(QPen(QColor("#6d97c7"), 2))
    p.setBrush(QColor(16, 28, 48, 240))
    p.drawRoundedRect(box, 14, 14)
    p.setFont(font(skin.font, 26, True))
    text(
        p,
        QRectF(box.x(), box.y() + 12, box.width(), 40),
        _tr(TITLE),
        Qt.AlignmentFlag.AlignHCenter,
        QColor("#ffffff"),
    )
    row_h = (box.height() - 90) / len(rows)
    for i, (keys, what) in enumerate(rows):
        y = box.y() + 66 + i * row_h
        p.setFont(font(skin.font, min(19, row_h * 0.6), True))
        text(
            p,
            QRectF(box.x() + 40, y, box.width() * 0.4, row_h),
            keys,
            Qt.AlignmentFlag.AlignLeft,
            QColor("#7fc8ff"),
        )
        p.setFont(font(skin.font, min(19, row_h * 0.6)))
        text(
            p,
            QRectF(box.x() + box.width() * 0.45, y, box.width() * 0.52, row_h),
            _tr(what),
            Qt.AlignmentFlag.AlignLeft,
            QColor("#ffffff"),
        )
