"""The ladder drawn like the seed figures: a column per party, an arrow per message.

Arrows are numbered F1..Fn with the time since F1 at the left; each Call-ID of the user call
has its colour, and a band says where a new one starts (a redirect's new INVITE). A
retransmission is dashed and says of which step. Where a proxy carries a message on to (or
brought it from) a target, a thin dotted line continues to that target's column. The same
painter draws the window's view and the PNG export.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QWidget

from app.callflow.ladder import PHONE, PROXY, Arrow, Ladder

COLUMN_W = 210
MARGIN_L = 118
MARGIN_R = 30
HEADER_H = 70
ROW_H = 34
BAND_H = 26
FOOT_H = 30
LEGS = ("#1f5fbf", "#1b8a3a", "#b15a00", "#7b3fb5", "#a1264b", "#00838f")
RETRANSMIT = "#c0392b"
ROLE_FILL = {PHONE: "#dbe8fb", PROXY: "#ececec"}
TARGET_FILL = "#fdf1d8"


def _font(px: float, bold: bool = False, mono: bool = False) -> QFont:
    f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    f.setPixelSize(round(px))
    f.setBold(bold)
    return f


def leg_colour(leg: int) -> QColor:
    return QColor(LEGS[(leg - 1) % len(LEGS)])


def column_x(column: int) -> float:
    return MARGIN_L + COLUMN_W * (column + 0.5)


def row_tops(ladder: Ladder) -> list[float]:
    """The top of each arrow's row; a Call-ID's band comes before its first arrow."""
    tops, y = [], float(HEADER_H)
    for index, arrow in enumerate(ladder.arrows):
        if arrow.new_leg or index == 0:
            y += BAND_H
        tops.append(y)
        y += ROW_H
    return tops


def ladder_size(ladder: Ladder) -> QSize:
    tops = row_tops(ladder)
    height = (tops[-1] + ROW_H if tops else HEADER_H + ROW_H) + FOOT_H
    width = MARGIN_L + COLUMN_W * max(2, len(ladder.parties)) + MARGIN_R
    return QSize(int(width), int(height))


def _arrow_head(p: QPainter, tip: QPointF, direction: float, size: float) -> None:
    back = tip.x() - direction * size
    p.drawPolygon(
        QPolygonF([tip, QPointF(back, tip.y() - size / 2), QPointF(back, tip.y() + size / 2)])
    )


def _header(p: QPainter, ladder: Ladder, bottom: float) -> None:
    for column, party in enumerate(ladder.parties):
        x = column_x(column)
        p.setPen(QPen(QColor("#9a9a9a"), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x, HEADER_H - 6), QPointF(x, bottom))
        box = QRectF(x - COLUMN_W / 2 + 10, 8, COLUMN_W - 20, HEADER_H - 18)
        p.setPen(QPen(QColor("#6b6b6b"), 1))
        p.setBrush(QColor(ROLE_FILL.get(party.role, TARGET_FILL)))
        p.drawRoundedRect(box, 6, 6)
        p.setPen(QColor("#111111"))
        p.setFont(_font(13, True))
        top = QRectF(box.x() + 6, box.y() + 3, box.width() - 12, box.height() / 2 - 2)
        p.drawText(top, int(Qt.AlignmentFlag.AlignCenter), f"{party.letter}  {party.role}")
        p.setFont(_font(11))
        bottom_rect = top.translated(0, box.height() / 2 - 2)
        address = QFontMetricsF(p.font()).elidedText(
            party.address or "?", Qt.TextElideMode.ElideMiddle, bottom_rect.width()
        )
        p.drawText(bottom_rect, int(Qt.AlignmentFlag.AlignCenter), address)


def _band(p: QPainter, ladder: Ladder, arrow: Arrow, top: float, width: float) -> None:
    colour = leg_colour(arrow.leg)
    r = QRectF(4, top - BAND_H + 3, width - 8, BAND_H - 6)
    fill = QColor(colour)
    fill.setAlpha(28)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawRoundedRect(r, 4, 4)
    p.setPen(colour)
    p.setFont(_font(11, True))
    call_id = ladder.call_ids[arrow.leg - 1] if arrow.leg <= len(ladder.call_ids) else ""
    p.drawText(
        r.adjusted(8, 0, -8, 0),
        int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
        f"{'New ' if arrow.new_leg else ''}Call-ID {arrow.leg}: {call_id}",
    )


def _arrow(p: QPainter, ladder: Ladder, arrow: Arrow, top: float, selected: bool) -> None:
    width = ladder_size(ladder).width()
    if selected:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#ffe9a8"))
        p.drawRect(QRectF(0, top, width, ROW_H))
    colour = QColor(RETRANSMIT) if arrow.retransmission_of else leg_colour(arrow.leg)
    y = top + ROW_H * 0.68
    p.setPen(QColor("#222222"))
    p.setFont(_font(12, True))
    p.drawText(QRectF(6, top, 44, ROW_H), int(Qt.AlignmentFlag.AlignVCenter), f"F{arrow.number}")
    p.setFont(_font(11))
    p.setPen(QColor("#555555"))
    offset = f"{arrow.offset:+.3f} s"
    p.drawText(QRectF(46, top, MARGIN_L - 50, ROW_H), int(Qt.AlignmentFlag.AlignVCenter), offset)
    if arrow.relay >= 0:
        _relay(p, arrow, y)
    x1, x2 = column_x(arrow.src), column_x(arrow.dst)
    style = Qt.PenStyle.DashLine if arrow.retransmission_of else Qt.PenStyle.SolidLine
    p.setPen(QPen(colour, 2, style))
    direction = 1.0 if x2 > x1 else -1.0
    p.drawLine(QPointF(x1, y), QPointF(x2 - direction * 8, y))
    p.setPen(QPen(colour, 1))
    p.setBrush(colour)
    _arrow_head(p, QPointF(x2, y), direction, 10)
    label = arrow.label
    if arrow.retransmission_of:
        label += f"  (retransmission of F{arrow.retransmission_of})"
    if arrow.packet.truncated:
        label += "  (cut short)"
    p.setFont(_font(12, True))
    p.setPen(colour)
    left, right = min(x1, x2), max(x1, x2)
    box = QRectF(left + 4, top + 1, right - left - 8, y - top - 3)
    text = QFontMetricsF(p.font()).elidedText(label, Qt.TextElideMode.ElideRight, box.width())
    p.drawText(box, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), text)


def _relay(p: QPainter, arrow: Arrow, y: float) -> None:
    """The proxy's part we did not see: a dotted line between it and the target."""
    proxy = arrow.dst if arrow.packet.sent else arrow.src
    start, end = column_x(proxy), column_x(arrow.relay)
    if not arrow.packet.sent:
        start, end = end, start
    grey = QColor("#8c8c8c")
    p.setPen(QPen(grey, 1.2, Qt.PenStyle.DotLine))
    direction = 1.0 if end > start else -1.0
    p.drawLine(QPointF(start, y), QPointF(end - direction * 6, y))
    p.setPen(QPen(grey, 1))
    p.setBrush(grey)
    _arrow_head(p, QPointF(end, y), direction, 7)


def paint_ladder(p: QPainter, ladder: Ladder, selected: int = -1) -> None:
    size = ladder_size(ladder)
    p.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("#ffffff"))
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    tops = row_tops(ladder)
    _header(p, ladder, size.height() - FOOT_H)
    for index, (arrow, top) in enumerate(zip(ladder.arrows, tops, strict=True)):
        if arrow.new_leg or index == 0:
            _band(p, ladder, arrow, top, size.width())
        _arrow(p, ladder, arrow, top, index == selected)
    if any(a.relay >= 0 for a in ladder.arrows):
        p.setPen(QColor("#6b6b6b"))
        p.setFont(_font(11))
        legend = "dotted: carried on by the proxy to or from the target (not seen by this phone)"
        foot = QRectF(10, size.height() - FOOT_H + 8, size.width() - 20, FOOT_H - 10)
        p.drawText(foot, int(Qt.AlignmentFlag.AlignVCenter), legend)


def ladder_image(ladder: Ladder, title: str) -> QImage:
    """The whole ladder with a title line, for the PNG export."""
    size = ladder_size(ladder)
    title_h = 34
    image = QImage(size.width(), size.height() + title_h, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    p = QPainter(image)
    p.setPen(QColor("#111111"))
    p.setFont(_font(15, True))
    p.drawText(QRectF(10, 0, size.width() - 20, title_h), int(Qt.AlignmentFlag.AlignVCenter), title)
    p.translate(0, title_h)
    paint_ladder(p, ladder)
    p.end()
    return image


class LadderView(QWidget):
    """The ladder in the window; a click or the arrow keys select a message."""

    selected = Signal(int)  # index into ladder.arrows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ladder = Ladder((), (), (), 0.0)
        self.current = -1
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_ladder(self, ladder: Ladder) -> None:
        self.ladder = ladder
        if self.current >= len(ladder.arrows):
            self.current = -1
        self.setFixedSize(ladder_size(ladder))
        self.update()

    def select(self, index: int) -> None:
        if not 0 <= index < len(self.ladder.arrows):
            return
        self.current = index
        self.update()
        self.selected.emit(index)

    def arrow_rect(self, index: int) -> QRectF:
        """Where arrow `index` is drawn (its whole row), in widget coordinates."""
        top = row_tops(self.ladder)[index]
        return QRectF(0, top, self.width(), ROW_H)

    def sizeHint(self) -> QSize:
        return ladder_size(self.ladder)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        paint_ladder(p, self.ladder, self.current)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        y = event.position().y()
        for index, top in enumerate(row_tops(self.ladder)):
            if top <= y < top + ROW_H:
                self.setFocus()
                self.select(index)
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()), 0)
        if step and self.ladder.arrows:
            self.select(max(0, min(len(self.ladder.arrows) - 1, self.current + step)))
            event.accept()
            return
        super().keyPressEvent(event)
