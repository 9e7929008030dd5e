"""Small icons painted with QPainter (vector, so they stay crisp at any scale)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen


def _pen(p: QPainter, colour: QColor, width: float) -> None:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)


def phone(p: QPainter, r: QRectF, c: QColor) -> None:
    """A handset receiver."""
    path = QPainterPath()
    x, y, w, h = r.x(), r.y(), r.width(), r.height()
    path.moveTo(x + w * 0.18, y + h * 0.12)
    path.cubicTo(x - w * 0.05, y + h * 0.35, x + w * 0.45, y + h * 1.02, x + w * 0.86, y + h * 0.84)
    path.lineTo(x + w * 0.9, y + h * 0.68)
    path.lineTo(x + w * 0.68, y + h * 0.56)
    path.lineTo(x + w * 0.56, y + h * 0.68)
    path.cubicTo(x + w * 0.42, y + h * 0.6, x + w * 0.36, y + h * 0.5, x + w * 0.3, y + h * 0.42)
    path.lineTo(x + w * 0.42, y + h * 0.3)
    path.lineTo(x + w * 0.32, y + h * 0.08)
    path.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPath(path)


def dnd(p: QPainter, r: QRectF, c: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawEllipse(r)
    p.setBrush(QColor("#ffffff"))
    bar = QRectF(
        r.x() + r.width() * 0.2,
        r.center().y() - r.height() * 0.1,
        r.width() * 0.6,
        r.height() * 0.2,
    )
    p.drawRect(bar)


def forward(p: QPainter, r: QRectF, c: QColor) -> None:
    _pen(p, c, max(1.2, r.width() * 0.12))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    path.moveTo(r.x() + r.width() * 0.12, r.bottom() - r.height() * 0.1)
    path.cubicTo(
        r.x() + r.width() * 0.12,
        r.y() + r.height() * 0.3,
        r.x() + r.width() * 0.5,
        r.y() + r.height() * 0.3,
        r.right() - r.width() * 0.12,
        r.y() + r.height() * 0.35,
    )
    p.drawPath(path)
    tip = QPointF(r.right() - r.width() * 0.08, r.y() + r.height() * 0.35)
    p.drawLine(tip, tip + QPointF(-r.width() * 0.3, -r.height() * 0.25))
    p.drawLine(tip, tip + QPointF(-r.width() * 0.25, r.height() * 0.28))


def missed(p: QPainter, r: QRectF, c: QColor) -> None:
    phone(p, QRectF(r.x(), r.y() + r.height() * 0.25, r.width() * 0.75, r.height() * 0.75), c)
    _pen(p, c, max(1.2, r.width() * 0.1))
    a = QPointF(r.x() + r.width() * 0.5, r.y() + r.height() * 0.05)
    b = QPointF(r.right(), r.y() + r.height() * 0.4)
    p.drawLine(a, b)
    p.drawLine(b, b + QPointF(0, -r.height() * 0.25))
    p.drawLine(b, b + QPointF(-r.width() * 0.25, 0))


def mute(p: QPainter, r: QRectF, c: QColor) -> None:
    """A microphone struck through."""
    w, h = r.width(), r.height()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(r.x() + w * 0.35, r.y(), w * 0.3, h * 0.6), w * 0.15, w * 0.15)
    _pen(p, c, max(1.0, w * 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(r.x() + w * 0.2, r.y() + h * 0.2, w * 0.6, h * 0.55), 180 * 16, 180 * 16)
    p.drawLine(QPointF(r.center().x(), r.y() + h * 0.75), QPointF(r.center().x(), r.bottom()))
    _pen(p, QColor("#ff4d4d"), max(1.2, w * 0.11))
    p.drawLine(
        QPointF(r.x() + w * 0.1, r.y() + h * 0.05),
        QPointF(r.right() - w * 0.1, r.bottom() - h * 0.05),
    )


def auto_answer(p: QPainter, r: QRectF, c: QColor) -> None:
    _pen(p, c, max(1.0, r.width() * 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(r.adjusted(1, 1, -1, -1))
    f = p.font()
    f.setPixelSize(max(6, int(r.height() * 0.7)))
    f.setBold(True)
    p.setFont(f)
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, "A")


def avatar(p: QPainter, r: QRectF, c: QColor) -> None:
    """The contact picture placeholder of the call screen."""
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(r, r.width() * 0.12, r.width() * 0.12)
    p.setBrush(QColor(255, 255, 255, 215))
    w, h = r.width(), r.height()
    p.drawEllipse(QRectF(r.x() + w * 0.32, r.y() + h * 0.16, w * 0.36, h * 0.36))
    body = QPainterPath()
    body.moveTo(r.x() + w * 0.14, r.bottom() - h * 0.06)
    body.cubicTo(
        r.x() + w * 0.14,
        r.y() + h * 0.5,
        r.right() - w * 0.14,
        r.y() + h * 0.5,
        r.right() - w * 0.14,
        r.bottom() - h * 0.06,
    )
    body.closeSubpath()
    p.drawPath(body)


def lock(p: QPainter, r: QRectF, c: QColor) -> None:
    """A padlock: the call's media is encrypted (SRTP)."""
    w, h = r.width(), r.height()
    _pen(p, c, max(1.2, w * 0.12))
    p.setBrush(Qt.BrushStyle.NoBrush)
    shackle = QRectF(r.x() + w * 0.26, r.y() + h * 0.06, w * 0.48, h * 0.62)
    p.drawArc(shackle, 0, 180 * 16)
    p.drawLine(QPointF(shackle.left(), r.y() + h * 0.37), QPointF(shackle.left(), r.y() + h * 0.5))
    p.drawLine(
        QPointF(shackle.right(), r.y() + h * 0.37), QPointF(shackle.right(), r.y() + h * 0.5)
    )
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(
        QRectF(r.x() + w * 0.14, r.y() + h * 0.46, w * 0.72, h * 0.5), w * 0.08, w * 0.08
    )


def hold(p: QPainter, r: QRectF, c: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    w, h = r.width(), r.height()
    p.drawRect(QRectF(r.x() + w * 0.2, r.y() + h * 0.1, w * 0.2, h * 0.8))
    p.drawRect(QRectF(r.x() + w * 0.6, r.y() + h * 0.1, w * 0.2, h * 0.8))


def ringing(p: QPainter, r: QRectF, c: QColor) -> None:
    phone(p, r.adjusted(0, r.height() * 0.2, -r.width() * 0.2, 0), c)
    _pen(p, c, max(1.0, r.width() * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    for k in (0.35, 0.6):
        arc = QRectF(
            r.right() - r.width() * k,
            r.y(),
            r.width() * k * 2 - r.width() * 0.3,
            r.height() * k * 1.4,
        )
        p.drawArc(arc.translated(-r.width() * 0.1, 0), 0, 90 * 16)


def speaker(p: QPainter, r: QRectF, c: QColor) -> None:
    w, h = r.width(), r.height()
    path = QPainterPath()
    path.moveTo(r.x(), r.y() + h * 0.35)
    path.lineTo(r.x() + w * 0.25, r.y() + h * 0.35)
    path.lineTo(r.x() + w * 0.55, r.y() + h * 0.08)
    path.lineTo(r.x() + w * 0.55, r.bottom() - h * 0.08)
    path.lineTo(r.x() + w * 0.25, r.bottom() - h * 0.35)
    path.lineTo(r.x(), r.bottom() - h * 0.35)
    path.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPath(path)
    _pen(p, c, max(1.0, w * 0.07))
    p.setBrush(Qt.BrushStyle.NoBrush)
    for k in (0.25, 0.45):
        p.drawArc(
            QRectF(r.x() + w * 0.6 - w * k, r.center().y() - h * k, 2 * w * k, 2 * h * k),
            -50 * 16,
            100 * 16,
        )


def headset(p: QPainter, r: QRectF, c: QColor) -> None:
    w, h = r.width(), r.height()
    _pen(p, c, max(1.0, w * 0.1))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(r.x() + w * 0.1, r.y(), w * 0.8, h * 0.9), 0, 180 * 16)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(r.x(), r.y() + h * 0.45, w * 0.25, h * 0.4), 2, 2)
    p.drawRoundedRect(QRectF(r.right() - w * 0.25, r.y() + h * 0.45, w * 0.25, h * 0.4), 2, 2)


def message(p: QPainter, r: QRectF, c: QColor) -> None:
    _pen(p, c, max(1.0, r.width() * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    box = r.adjusted(0, r.height() * 0.15, 0, -r.height() * 0.15)
    p.drawRect(box)
    p.drawLine(box.topLeft(), QPointF(box.center().x(), box.center().y()))
    p.drawLine(box.topRight(), QPointF(box.center().x(), box.center().y()))


def voice_mail(p: QPainter, r: QRectF, c: QColor) -> None:
    """The voice mail sign: two reels joined by the tape under them."""
    _pen(p, c, max(1.5, r.width() * 0.1))
    p.setBrush(Qt.BrushStyle.NoBrush)
    rad = r.width() * 0.2
    cy = r.center().y()
    left = QPointF(r.x() + rad + r.width() * 0.06, cy)
    right = QPointF(r.right() - rad - r.width() * 0.06, cy)
    p.drawEllipse(left, rad, rad)
    p.drawEllipse(right, rad, rad)
    p.drawLine(QPointF(left.x(), cy + rad), QPointF(right.x(), cy + rad))


GLYPHS: dict[str, Callable[[QPainter, QRectF, QColor], None]] = {
    "registered": phone,
    "registering": phone,
    "failed": phone,
    "talking": phone,
    "phone": phone,
    "ringing": ringing,
    "hold": hold,
    "dnd": dnd,
    "forward": forward,
    "missed": missed,
    "mute": mute,
    "auto_answer": auto_answer,
    "avatar": avatar,
    "lock": lock,
    "speaker": speaker,
    "headset": headset,
    "message": message,
    "voice_mail": voice_mail,
    # line key types (app/phone/handset/linekeys/): existing shapes, coloured by the display
    "blf_idle": avatar,
    "blf_ringing": avatar,
    "blf_busy": avatar,
    "blf_held": avatar,
    "blf_unknown": avatar,
    "blf_failed": avatar,
    "speed_dial": phone,
    "intercom": speaker,
    "pickup": ringing,
    "park": hold,
    "parked": hold,
    "voice_mail_key": message,  # the envelope of the handset's MESSAGE key
}


def draw(p: QPainter, name: str, r: QRectF, c: QColor) -> None:
    fn = GLYPHS.get(name)
    if fn is not None:
        p.save()
        fn(p, r, c)
        p.restore()
