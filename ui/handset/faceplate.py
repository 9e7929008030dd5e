"""The phone body and its keys, painted in the skin's logical units; hit-testing of clicks."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF

from app.phone.handset.screens import ScreenModel
from ui.handset import glyphs
from ui.handset.paint import Blink, brush, colour, font, text
from ui.handset.skin import KeySpec, Skin

CENTRE = Qt.AlignmentFlag.AlignHCenter
NAV_KEYS = ("UP", "RIGHT", "DOWN", "LEFT")


def _r(rect: tuple[float, float, float, float]) -> QRectF:
    return QRectF(*rect)


def key_rect(skin: Skin, key: str) -> QRectF | None:
    """Where a key is, in faceplate units (nav ring keys included)."""
    spec = skin.key(key)
    if spec is not None:
        return _r(spec.rect)
    cx, cy = skin.nav_centre
    if key == "OK":
        o = skin.ok_radius
        return QRectF(cx - o, cy - o, 2 * o, 2 * o)
    if key in NAV_KEYS:
        mid = (skin.nav_radius + skin.ok_radius) / 2
        angle = math.radians(-90 + 90 * NAV_KEYS.index(key))
        x, y = cx + mid * math.cos(angle), cy + mid * math.sin(angle)
        return QRectF(x - 18, y - 18, 36, 36)
    return None


def led_rect(spec: KeySpec) -> QRectF:
    """The LED of a line key: a slim light on the side facing the display."""
    r = _r(spec.rect)
    led = QRectF(0, r.y() + 8, 9, r.height() - 16)
    led.moveLeft(r.x() + 7 if spec.led == "left" else r.right() - 16)
    return led


def key_at(skin: Skin, pt: QPointF) -> str | None:
    for spec in skin.keys:
        if _r(spec.rect).contains(pt):
            return spec.key
    cx, cy = skin.nav_centre
    dx, dy = pt.x() - cx, pt.y() - cy
    dist = math.hypot(dx, dy)
    if dist <= skin.ok_radius:
        return "OK"
    if dist <= skin.nav_radius:
        angle = (math.degrees(math.atan2(dy, dx)) + 90 + 45) % 360
        return NAV_KEYS[int(angle // 90)]
    return None


def paint_body(p: QPainter, skin: Skin) -> None:
    c = skin.colours
    w, h = skin.size
    body = QRectF(6, 6, w - 12, h - 12)
    rad = skin.shapes.get("body_radius", 40)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 90))
    p.drawRoundedRect(body.translated(0, 5), rad, rad)
    p.setPen(QPen(colour(c["body_edge"]), 3))
    p.setBrush(brush(c["body"], body))
    p.drawRoundedRect(body, rad, rad)
    p.setPen(QPen(colour(c["rim"]), 1.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(body.adjusted(5, 5, -5, -5), rad - 5, rad - 5)
    for t in skin.texts:
        p.setFont(font("DejaVu Sans", float(t.get("size", 16)), bool(t.get("bold", False))))
        p.setPen(colour(c.get(str(t.get("colour", "brand")), "#cccccc")))
        x, y = t["pos"]
        p.drawText(QPointF(float(x), float(y)), str(t["text"]))
    dx, dy, dw, dh = skin.display
    b = skin.bezel
    bezel = QRectF(dx - b, dy - b, dw + 2 * b, dh + 2 * b)
    p.setPen(QPen(colour(c["key_edge"]), 2))
    p.setBrush(colour(c["bezel"]))
    p.drawRoundedRect(bezel, 10, 10)


def power_led_rect(skin: Skin) -> QRectF | None:
    return _r(skin.power_led) if skin.power_led is not None else None


def paint_power_led(p: QPainter, skin: Skin, sm: ScreenModel, blink: Blink) -> None:
    """The power indicator LED: red, lit as the screen's power LED mode says."""
    r = power_led_rect(skin)
    if r is None:
        return
    c = skin.colours
    colour_, mode = sm.power_led()
    lit = colour_ == "red" and blink.led_on(mode)
    _lamp(p, r, colour(c["led_red"]) if lit else None, colour(c["led_off"]))


def _lamp(p: QPainter, r: QRectF, lit: QColor | None, off: QColor) -> None:
    """An LED: dark when `lit` is None, else that colour with a glow around it."""
    p.setPen(QPen(QColor(0, 0, 0, 140), 1))
    p.setBrush(lit if lit is not None else off)
    p.drawRoundedRect(r, 3, 3)
    if lit is not None:
        glow = QColor(lit)
        glow.setAlpha(70)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(glow)
        p.drawRoundedRect(r.adjusted(-4, -4, 4, 4), 6, 6)


def _key_shape(p: QPainter, r: QRectF, radius: float, fill: list[str] | str, edge: str) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 110))
    p.drawRoundedRect(r.translated(0, 2.5), radius, radius)
    p.setPen(QPen(colour(edge), 1.2))
    p.setBrush(brush(fill, r))
    p.drawRoundedRect(r, radius, radius)
    p.setPen(QPen(QColor(255, 255, 255, 38), 1))
    p.drawLine(QPointF(r.x() + radius, r.y() + 1.5), QPointF(r.right() - radius, r.y() + 1.5))


# Around a key, what its painting reaches beyond its rectangle: the shadow (2.5) and a lit
# LED's glow (4).
REACH = 6.0


def paint_keys(
    p: QPainter,
    skin: Skin,
    sm: ScreenModel,
    blink: Blink,
    pressed: str | None,
    area: QRectF | None = None,
) -> None:
    """Every key, or only those reaching into `area` (faceplate units): a repaint of the
    display alone draws none of the ~70 antialiased key shapes (~13 ms)."""
    c = skin.colours
    for spec in skin.keys:
        r = _r(spec.rect)
        if area is not None and not area.intersects(r.adjusted(-REACH, -REACH, REACH, REACH)):
            continue
        fill = c["key_pressed"] if spec.key == pressed else c["key"]
        edge = str(c["key_edge"])
        if spec.kind == "round":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 110))
            p.drawEllipse(r.translated(0, 2.5))
            p.setPen(QPen(colour(edge), 1.2))
            p.setBrush(brush(fill, r))
            p.drawEllipse(r)
        else:
            radius = skin.shapes.get(f"{spec.kind}_radius", skin.shapes.get("key_radius", 6))
            _key_shape(p, r, radius, fill, edge)
        _key_face(p, skin, spec, r, sm, blink)
    cx, cy = skin.nav_centre
    ring = skin.nav_radius + REACH
    if area is None or area.intersects(QRectF(cx - ring, cy - ring, 2 * ring, 2 * ring)):
        _nav(p, skin, pressed)
    led = power_led_rect(skin)
    if area is None or (led is not None and area.intersects(led.adjusted(-6, -6, 6, 6))):
        paint_power_led(p, skin, sm, blink)


def _lamps(sm: ScreenModel) -> tuple[dict[str, tuple[bool, str]], str]:
    """How the screen lights the faceplate, as paint_keys draws it: each lit line key LED
    (green or red, its mode; the first entry of a key counts) and the power LED's mode."""
    can_light = Blink()  # every blinking mode lit: which LEDs light at all
    line: dict[str, tuple[bool, str]] = {}
    for k in sm.line_keys:
        if k.key not in line:
            line[k.key] = (k.led_colour == "green", k.led_mode)
    lit = {key: look for key, look in line.items() if can_light.led_on(look[1])}
    colour_, mode = sm.power_led()
    return lit, mode if colour_ == "red" and can_light.led_on(mode) else ""


def same_lamps(a: ScreenModel, b: ScreenModel) -> bool:
    """The two screens light the faceplate's LEDs alike: only the display differs."""
    return _lamps(a) == _lamps(b)


def _key_face(
    p: QPainter, skin: Skin, spec: KeySpec, r: QRectF, sm: ScreenModel, blink: Blink
) -> None:
    c = skin.colours
    fg = colour(c["accent_text"] if spec.accent else c["key_text"])
    if spec.kind == "line":
        key = next((k for k in sm.line_keys if k.key == spec.key), None)
        lit = key is not None and blink.led_on(key.led_mode)
        led_c = colour(c["led_green"] if key and key.led_colour == "green" else c["led_red"])
        _lamp(p, led_rect(spec), led_c if lit else None, colour(c["led_off"]))
    elif spec.kind == "soft":
        p.setPen(QPen(QColor(255, 255, 255, 60), 2))
        p.drawLine(
            QPointF(r.center().x() - 14, r.center().y()),
            QPointF(r.center().x() + 14, r.center().y()),
        )
    elif spec.kind == "digit":
        p.setFont(font("DejaVu Sans", r.height() * 0.44, True))
        top = QRectF(r.x(), r.y() + 2, r.width(), r.height() * 0.62)
        text(p, top, spec.label, CENTRE, fg)
        if spec.sub:
            p.setFont(font("DejaVu Sans", r.height() * 0.2, False))
            sub = QRectF(r.x(), r.y() + r.height() * 0.6, r.width(), r.height() * 0.32)
            text(p, sub, spec.sub, CENTRE, colour(c["key_sub"]))
    elif spec.kind == "round":
        p.setFont(font("DejaVu Sans", r.height() * 0.42, True))
        text(p, r, spec.label, CENTRE, fg)
    else:
        label_r = r
        if spec.icon and spec.kind != "volume" and r.width() < 100:
            ih = r.height() * 0.5  # too narrow for a word: the icon alone, as on the phone
            glyphs.draw(
                p, spec.icon, QRectF(r.center().x() - ih / 2, r.center().y() - ih / 2, ih, ih), fg
            )
            return
        if spec.icon and spec.kind != "volume":
            ih = r.height() * 0.42
            glyphs.draw(p, spec.icon, QRectF(r.x() + 10, r.center().y() - ih / 2, ih, ih), fg)
            label_r = r.adjusted(ih + 12, 0, -4, 0)
        size = r.height() * (0.55 if spec.kind == "volume" else 0.27)
        p.setFont(font("DejaVu Sans", size, True))
        text(p, label_r, spec.label, CENTRE, fg)


def _nav(p: QPainter, skin: Skin, pressed: str | None) -> None:
    c = skin.colours
    cx, cy = skin.nav_centre
    rad, ok = skin.nav_radius, skin.ok_radius
    ring = QRectF(cx - rad, cy - rad, 2 * rad, 2 * rad)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 120))
    p.drawEllipse(ring.translated(0, 3))
    p.setPen(QPen(colour(c["key_edge"]), 1.5))
    p.setBrush(brush(c["nav"], ring))
    p.drawEllipse(ring)
    if pressed in NAV_KEYS:
        path = QPainterPath()
        start = 90 - 90 * NAV_KEYS.index(pressed) + 45
        path.arcMoveTo(ring, start)
        path.arcTo(ring, start, -90)
        path.lineTo(cx, cy)
        path.closeSubpath()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 45))
        p.drawPath(path)
    p.setPen(QPen(QColor(0, 0, 0, 80), 1))
    for degrees in (45, 135, 225, 315):
        v = math.radians(degrees)
        p.drawLine(
            QPointF(cx + ok * 1.15 * math.cos(v), cy + ok * 1.15 * math.sin(v)),
            QPointF(cx + rad * 0.96 * math.cos(v), cy + rad * 0.96 * math.sin(v)),
        )
    fg = colour(c["key_text"])
    mid = (rad + ok) / 2 + 4
    for i in range(4):
        a = math.radians(-90 + 90 * i)
        tip = QPointF(cx + (mid + 9) * math.cos(a), cy + (mid + 9) * math.sin(a))
        base = QPointF(cx + (mid - 5) * math.cos(a), cy + (mid - 5) * math.sin(a))
        side = QPointF(-math.sin(a) * 9, math.cos(a) * 9)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fg)
        p.drawPolygon(QPolygonF([tip, base + side, base - side]))
    okr = QRectF(cx - ok, cy - ok, 2 * ok, 2 * ok)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 110))
    p.drawEllipse(okr.translated(0, 2))
    p.setPen(QPen(colour(c["key_edge"]), 1.5))
    p.setBrush(brush(c["key_pressed"] if pressed == "OK" else c["ok"], okr))
    p.drawEllipse(okr)
    p.setFont(font("DejaVu Sans", ok * 0.62, True))
    text(p, okr, "OK", CENTRE, fg)
