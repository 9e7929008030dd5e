"""The 480x272 colour display, painted from a ScreenModel in display pixels (caller scales)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.phone.handset.screens import (
    CALL_SCREENS,
    CONFERENCE,
    DIALING,
    IDLE,
    MANAGE,
    LineKeyView,
    ScreenModel,
)
from ui.handset import glyphs
from ui.handset.display_lists import paint_list_screen
from ui.handset.paint import Blink, brush, colour, elide, font, text
from ui.handset.skin import DISPLAY_H, DISPLAY_W, Skin

STATUS_H = 26.0
SOFT_H = 34.0
BODY = QRectF(0, STATUS_H, DISPLAY_W, DISPLAY_H - STATUS_H - SOFT_H)
LEFT = Qt.AlignmentFlag.AlignLeft
RIGHT = Qt.AlignmentFlag.AlignRight
CENTRE = Qt.AlignmentFlag.AlignHCenter

_REG_COLOUR = {"Registered": "green", "Local": "green", "Registering": "amber"}


def paint_display(p: QPainter, sm: ScreenModel, skin: Skin, blink: Blink) -> None:
    th = skin.theme
    p.save()
    p.setClipRect(QRectF(0, 0, DISPLAY_W, DISPLAY_H))
    p.fillRect(QRectF(0, 0, DISPLAY_W, DISPLAY_H), brush(th["background"], BODY))
    _status_bar(p, sm, skin)
    calls = (*CALL_SCREENS, CONFERENCE, MANAGE)
    with_labels = skin.line_labels and (sm.name in (IDLE, DIALING) or sm.name in calls)
    centre = BODY
    if with_labels:
        lw = skin.label_width
        # the right column only takes room when one of its keys is in use
        rw = lw if any(k.label or k.icon for k in sm.line_keys[5:10]) else 0.0
        _line_labels(p, sm.line_keys[:5], QRectF(0, BODY.y(), lw, BODY.height()), skin, True)
        if rw:
            right = QRectF(DISPLAY_W - rw, BODY.y(), rw, BODY.height())
            _line_labels(p, sm.line_keys[5:10], right, skin, False)
        centre = QRectF(lw + 6, BODY.y(), DISPLAY_W - lw - rw - 12, BODY.height())
    if sm.name == IDLE:
        _idle(p, sm, centre, skin)
    elif sm.name == DIALING:
        _dialing(p, sm, centre, skin, blink)
    elif sm.name in (CONFERENCE, MANAGE):
        _conference(p, sm, centre, skin)
    elif sm.name in CALL_SCREENS:
        _call(p, sm, centre, skin)
    else:
        paint_list_screen(p, sm, BODY, skin)
    _softkeys(p, sm, skin)
    if sm.popup is not None:
        _popup(p, sm, skin)
    p.restore()


def _status_bar(p: QPainter, sm: ScreenModel, skin: Skin) -> None:
    th, f = skin.theme, skin.font
    bar = QRectF(0, 0, DISPLAY_W, STATUS_H)
    p.fillRect(bar, brush(th["status_bar"], bar))
    st = sm.status
    reg = colour(th.get(_REG_COLOUR.get(st.reg_state, "red"), "#ff5a5a"))
    glyphs.draw(p, "phone", QRectF(6, 5, 16, 16), reg)
    p.setFont(font(f, 14, True))
    label = (
        st.account
        if st.reg_state in ("Registered", "Local")
        else (f"{st.account}  {st.registration}".strip())
    )
    text(p, QRectF(27, 0, 220, STATUS_H), label, LEFT, colour(th["status_text"]))
    x = DISPLAY_W - 6
    p.setFont(font(f, 14, True))
    right = st.date if sm.name == IDLE else st.time
    w = p.fontMetrics().horizontalAdvance(right) + 2
    text(p, QRectF(x - w, 0, w, STATUS_H), right, RIGHT, colour(th["status_text"]))
    x -= w + 8
    icon_colour = {
        "dnd": colour(th["red"]),
        "missed": colour(th["red"]),
        "voice_mail": colour(th["red"]),
        "mute": colour(th["status_text"]),
    }
    counts = {"missed": str(st.missed), "voice_mail": st.voice_mail}
    for icon in reversed(st.icons):
        if counts.get(icon):
            p.setFont(font(f, 13, True))
            n = counts[icon]
            nw = p.fontMetrics().horizontalAdvance(n) + 2
            text(p, QRectF(x - nw, 0, nw, STATUS_H), n, RIGHT, colour(th["status_text"]))
            x -= nw + 1
        glyphs.draw(p, icon, QRectF(x - 16, 5, 16, 16), icon_colour.get(icon, colour(th["accent"])))
        x -= 22


def _line_labels(
    p: QPainter, keys: list[LineKeyView], area: QRectF, skin: Skin, left: bool
) -> None:
    th = skin.theme
    h = area.height() / 5
    for i, k in enumerate(keys):
        r = QRectF(area.x() + 2, area.y() + i * h + 2, area.width() - 4, h - 4)
        if not k.label and not k.icon:
            continue
        p.setPen(QPen(colour(th["label_border"]), 1))
        p.setBrush(brush(th["highlight"] if k.focused else th["label_bg"], r))
        p.drawRoundedRect(r, 4, 4)
        icon_colour = {
            "registered": th["green"],
            "registering": th["amber"],
            "failed": th["red"],
            "ringing": th["green"],
            "talking": th["green"],
            "hold": th["amber"],
            "blf_idle": th["green"],
            "blf_ringing": th["red"],
            "blf_busy": th["red"],
            "blf_held": th["amber"],
            "parked": th["red"],
            "dnd": th["red"],
            "forward": th["accent"],
            "speed_dial": th["accent"],
            "intercom": th["accent"],
            "voice_mail_key": th["accent"],
        }.get(k.icon, th["grey"])
        ir = QRectF(0, r.center().y() - 9, 18, 18)
        ir.moveLeft(r.x() + 5 if left else r.right() - 23)
        glyphs.draw(p, k.icon if k.icon != "page" else "", ir, colour(icon_colour))
        p.setFont(font(skin.font, 14, k.focused))
        tr = r.adjusted(27, 0, -5, 0) if left else r.adjusted(5, 0, -27, 0)
        if k.icon == "page":
            tr = r.adjusted(4, 0, -4, 0)
        text(p, tr, k.label, LEFT if left else RIGHT, colour(th["label_text"]))


def _idle(p: QPainter, sm: ScreenModel, r: QRectF, skin: Skin) -> None:
    th = skin.theme
    p.setFont(font(skin.font, 56, True))
    text(p, QRectF(r.x(), r.y() + 42, r.width(), 70), sm.status.time, CENTRE, colour(th["text"]))
    p.setFont(font(skin.font, 18))
    text(p, QRectF(r.x(), r.y() + 112, r.width(), 26), sm.status.date, CENTRE, colour(th["dim"]))
    if sm.note:
        p.setFont(font(skin.font, 13))
        text(p, QRectF(r.x(), r.bottom() - 28, r.width(), 22), sm.note, CENTRE, colour(th["amber"]))


def _title_row(p: QPainter, r: QRectF, skin: Skin, title: str, right: str) -> None:
    th = skin.theme
    row = QRectF(r.x(), r.y() + 4, r.width(), 24)
    p.setFont(font(skin.font, 17, True))
    text(p, row, title, LEFT, colour(th["text"]))
    if right:
        p.setFont(font(skin.font, 15, True))
        text(p, row, right, RIGHT, colour(th["accent"]))
    p.setPen(QPen(colour(th["label_border"]), 1))
    p.drawLine(QPointF(r.x(), r.y() + 31), QPointF(r.right(), r.y() + 31))


def _dialing(p: QPainter, sm: ScreenModel, r: QRectF, skin: Skin, blink: Blink) -> None:
    th = skin.theme
    _title_row(p, r, skin, sm.title, sm.detail)
    y = r.y() + 38
    if sm.lines:
        p.setFont(font(skin.font, 13))
        text(p, QRectF(r.x(), y, r.width(), 18), sm.lines[0], LEFT, colour(th["dim"]))
        y += 20
    box = QRectF(r.x(), y, r.width(), 32)
    p.setPen(QPen(colour(th["label_border"]), 1))
    p.setBrush(colour(th["input_bg"]))
    p.drawRoundedRect(box, 4, 4)
    p.setFont(font(skin.font, 12, True))
    ime_w = p.fontMetrics().horizontalAdvance(sm.ime) + 10
    ime = QRectF(box.right() - ime_w - 3, box.y() + 7, ime_w, 18)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(brush(th["highlight"], ime))
    p.drawRoundedRect(ime, 3, 3)
    text(p, ime, sm.ime, CENTRE, colour(th["highlight_text"]))
    p.setFont(font(skin.font, 20))
    fm = p.fontMetrics()
    room = box.width() - ime_w - 16
    shown, cursor = sm.input, sm.cursor
    while fm.horizontalAdvance(shown) > room and cursor > 0 and len(shown) > 1:
        shown, cursor = shown[1:], cursor - 1  # keep the cursor end in view
    tx = box.x() + 6
    text(p, QRectF(tx, box.y(), room, box.height()), shown, LEFT, colour(th["input_text"]))
    if blink.cursor:
        cx = tx + fm.horizontalAdvance(shown[:cursor]) + 1
        p.setPen(QPen(colour(th["input_text"]), 1.6))
        p.drawLine(QPointF(cx, box.y() + 6), QPointF(cx, box.bottom() - 6))
    _rows(p, sm, QRectF(r.x(), box.bottom() + 6, r.width(), r.bottom() - box.bottom() - 8), skin)


def _rows(p: QPainter, sm: ScreenModel, area: QRectF, skin: Skin, h: float = 24) -> None:
    """Small list rows (dial matches, the calls of a multi-call screen)."""
    th = skin.theme
    for i, item in enumerate(sm.items[: int(area.height() // h)]):
        row = QRectF(area.x(), area.y() + i * h, area.width(), h - 2)
        if i == sm.selected:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(brush(th["highlight"], row))
            p.drawRoundedRect(row, 3, 3)
        p.setFont(font(skin.font, 14, i == sm.selected))
        value = sm.values[i] if i < len(sm.values) else ""
        vw = p.fontMetrics().horizontalAdvance(value) + 4 if value else 0
        text(p, row.adjusted(5, 0, -vw - 8, 0), item, LEFT, colour(th["text"]))
        if value:
            text(p, row.adjusted(0, 0, -5, 0), value, RIGHT, colour(th["dim"]))


def _call(p: QPainter, sm: ScreenModel, r: QRectF, skin: Skin) -> None:
    th = skin.theme
    right = sm.timer or sm.call_index
    _title_row(p, r, skin, sm.title, right)
    if sm.encrypted:  # a padlock after the state word
        p.setFont(font(skin.font, 17, True))
        x = r.x() + p.fontMetrics().horizontalAdvance(sm.title) + 8
        glyphs.draw(p, "lock", QRectF(x, r.y() + 7, 16, 18), colour(th.get("green", th["accent"])))
    av = QRectF(r.x() + 2, r.y() + 42, 60, 60)
    glyphs.draw(p, "avatar", av, colour(th["accent"]).darker(140))
    x = av.right() + 10
    w = r.right() - x
    y = av.y() - 2
    for i, line in enumerate(sm.lines[:3]):
        size, bold, c = (21, True, th["text"]) if i == 0 else (14, False, th["dim"])
        if line.startswith("From FWD") or (i == 2):
            c = th["accent"]
        p.setFont(font(skin.font, size, bold))
        h = 28 if i == 0 else 19
        text(p, QRectF(x, y, w, h), line, LEFT, colour(c))
        y += h
    if sm.detail:
        p.setFont(font(skin.font, 17, True))
        c = th["red"] if sm.name == "failed" else th["amber"]
        text(p, QRectF(r.x(), r.y() + 112, r.width(), 26), sm.detail, CENTRE, colour(c))
    if len(sm.items) > 1:
        top = r.y() + (142 if sm.detail else 114)
        _rows(p, sm, QRectF(r.x(), top, r.width(), r.bottom() - top - 2), skin, 23)


def _conference(p: QPainter, sm: ScreenModel, r: QRectF, skin: Skin) -> None:
    """The Conference screen (and its Manage list): the parties, one row each."""
    th = skin.theme
    _title_row(p, r, skin, sm.title, sm.timer)
    top = r.y() + 38
    if sm.detail:
        p.setFont(font(skin.font, 15, True))
        text(p, QRectF(r.x(), top, r.width(), 22), sm.detail, CENTRE, colour(th["amber"]))
        top += 24
    h = 34.0
    for i, name in enumerate(sm.items[: int((r.bottom() - top) // h)]):
        row = QRectF(r.x(), top + i * h, r.width(), h - 3)
        if i == sm.selected:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(brush(th["highlight"], row))
            p.drawRoundedRect(row, 3, 3)
        av = QRectF(row.x() + 4, row.y() + 3, row.height() - 6, row.height() - 6)
        glyphs.draw(p, "avatar", av, colour(th["accent"]).darker(140))
        value = sm.values[i] if i < len(sm.values) else ""
        p.setFont(font(skin.font, 14, True))
        vw = p.fontMetrics().horizontalAdvance(value) + 8 if value else 0
        p.setFont(font(skin.font, 17, i == sm.selected))
        name_r = row.adjusted(av.width() + 12, 0, -vw - 6, 0)
        text(p, name_r, name, LEFT, colour(th["text"]))
        if value:
            p.setFont(font(skin.font, 14, True))
            text(p, row.adjusted(0, 0, -6, 0), value, RIGHT, colour(th["red"]))


def _softkeys(p: QPainter, sm: ScreenModel, skin: Skin) -> None:
    th = skin.theme
    bar = QRectF(0, DISPLAY_H - SOFT_H, DISPLAY_W, SOFT_H)
    p.fillRect(bar, brush(th["softkey_bar"], bar))
    w = DISPLAY_W / 4
    p.setFont(font(skin.font, 15, True))
    for i, label in enumerate(sm.softkeys[:4]):
        cell = QRectF(i * w, bar.y(), w, SOFT_H)
        if i:
            p.setPen(QPen(colour(th["softkey_divider"]), 1))
            p.drawLine(QPointF(cell.x(), cell.y() + 6), QPointF(cell.x(), cell.bottom() - 6))
        text(p, cell.adjusted(3, 0, -3, 0), label, CENTRE, colour(th["softkey_text"]))


def _popup(p: QPainter, sm: ScreenModel, skin: Skin) -> None:
    assert sm.popup is not None
    th = skin.theme
    p.fillRect(BODY, QColor(0, 0, 0, 90))
    box = QRectF(70, 62, 340, 140)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 110))
    p.drawRoundedRect(box.translated(3, 4), 8, 8)
    p.setBrush(brush(th["popup"], box))
    p.setPen(QPen(colour(th["label_border"]), 1))
    p.drawRoundedRect(box, 8, 8)
    title = sm.popup.title
    head_h = 28.0 if title else 0.0  # a prompt without a title has no title band
    if title:
        head = QRectF(box.x(), box.y(), box.width(), head_h)
        p.save()
        p.setClipRect(head)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(brush(th["popup_title"], head))
        p.drawRoundedRect(box, 8, 8)
        p.restore()
        p.setFont(font(skin.font, 14, True))
        text(p, head, title, CENTRE, QColor("#ffffff"))
    kinds = {"missed": "missed", "forwarded": "forward", "error": "dnd", "voice_mail": "voice_mail"}
    icon = kinds.get(sm.popup.kind, "")
    if icon:
        ir = QRectF(box.x() + 16, box.y() + head_h + (box.height() - head_h - 34) / 2, 34, 34)
        glyphs.draw(p, icon, ir, colour(th["red"] if icon != "forward" else th["accent"]))
    p.setFont(font(skin.font, 16, True))
    p.setPen(colour(th["popup_text"]))
    body = box.adjusted(60 if icon else 14, head_h + 4, -14, -8)
    lines = sm.popup.text.split("\n")
    p.drawText(
        body,
        int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
        "\n".join(elide(p, s, body.width() * 2) for s in lines),
    )
