"""Full-width list screens of the display: menus, History, Directory, forms, Status."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from app.phone.handset.screens import FORM, HISTORY, MENU, ScreenModel
from ui.handset.paint import brush, colour, font, text
from ui.handset.skin import Skin

LEFT = Qt.AlignmentFlag.AlignLeft
RIGHT = Qt.AlignmentFlag.AlignRight
CENTRE = Qt.AlignmentFlag.AlignHCenter
TITLE_H = 28.0


def _window(count: int, selected: int, rows: int) -> int:
    """First visible row so the selected one stays on screen."""
    if count <= rows or selected < rows:
        return 0
    return min(selected - rows + 1, count - rows)


def paint_list_screen(p: QPainter, sm: ScreenModel, area: QRectF, skin: Skin) -> None:
    th = skin.theme
    head = QRectF(area.x(), area.y(), area.width(), TITLE_H)
    p.fillRect(head, brush(th["softkey_bar"], head))
    p.setFont(font(skin.font, 16, True))
    text(p, head, sm.title, CENTRE, colour(th["text"]))
    body = QRectF(area.x(), head.bottom(), area.width(), area.bottom() - head.bottom())
    if sm.name == HISTORY and sm.tabs:
        tabs_w = 150.0
        p.fillRect(QRectF(body.x(), body.y(), tabs_w, body.height()), colour(th["panel"]))
        th_h = body.height() / len(sm.tabs)
        for i, tab in enumerate(sm.tabs):
            r = QRectF(body.x(), body.y() + i * th_h, tabs_w, th_h)
            if i == sm.tab:
                p.fillRect(r, brush(th["highlight"], r))
            p.setFont(font(skin.font, 14, i == sm.tab))
            text(p, r.adjusted(8, 0, -4, 0), tab, LEFT, colour(th["text"]))
        body = body.adjusted(tabs_w + 2, 0, 0, 0)
    row_h = 40.0 if sm.name == FORM else 30.0
    rows = int(body.height() // row_h)
    first = _window(len(sm.items), sm.selected, rows)
    for n, item in enumerate(sm.items[first : first + rows]):
        i = first + n
        r = QRectF(body.x() + 4, body.y() + 3 + n * row_h, body.width() - 8, row_h - 3)
        chosen = i == sm.selected
        if chosen:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(brush(th["highlight"], r))
            p.drawRoundedRect(r, 4, 4)
        label = f"{i + 1}. {item}" if sm.name == MENU else item
        value = sm.values[i] if i < len(sm.values) else ""
        p.setFont(font(skin.font, 16, chosen))
        if sm.name == FORM:
            split = r.x() + r.width() * 0.45
            text(
                p,
                QRectF(r.x() + 8, r.y(), split - r.x() - 8, r.height()),
                label,
                LEFT,
                colour(th["text"]),
            )
            box = QRectF(split, r.y() + 5, r.right() - split - 6, r.height() - 10)
            p.setPen(QPen(colour(th["label_border"]), 1))
            p.setBrush(colour(th["input_bg"]))
            p.drawRoundedRect(box, 3, 3)
            p.setFont(font(skin.font, 15))
            # a row changed with Left/Right shows its arrows, as "◄ Enabled ►" on the phone
            shown = f"\u25c0  {value}  \u25b6" if i in sm.switches else value
            text(
                p,
                box.adjusted(6, 0, -6, 0),
                shown,
                CENTRE if shown != value else LEFT,
                colour(th["input_text"]),
            )
            continue
        vw = p.fontMetrics().horizontalAdvance(value) + 8 if value else 0
        text(p, r.adjusted(8, 0, -vw - 8, 0), label, LEFT, colour(th["text"]))
        if value:
            p.setFont(font(skin.font, 14))
            text(p, r.adjusted(0, 0, -8, 0), value, RIGHT, colour(th["dim"]))
        if sm.name == MENU:
            p.setFont(font(skin.font, 16, True))
            text(p, r.adjusted(0, 0, -8, 0), "\u203a", RIGHT, colour(th["dim"]))
    if len(sm.items) > rows:
        # a scroll bar on the right edge, as on the phone
        track = QRectF(body.right() - 4, body.y() + 4, 3, body.height() - 8)
        p.fillRect(track, colour(th["panel"]))
        h = track.height() * rows / len(sm.items)
        y = track.y() + (track.height() - h) * first / max(1, len(sm.items) - rows)
        p.fillRect(QRectF(track.x(), y, 3, h), colour(th["accent"]))
