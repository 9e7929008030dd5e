"""Skins are data: every skin file loads, has every key, and its keys do not overlap."""

from __future__ import annotations

import math

import pytest

from app.phone.handset import KEYS
from ui.handset.skin import Skin, load_skin, skin_names

NAV = {"UP", "DOWN", "LEFT", "RIGHT", "OK"}


@pytest.fixture(params=skin_names())
def skin_data(request: pytest.FixtureRequest) -> Skin:
    return load_skin(str(request.param))


def test_both_phone_skins_exist() -> None:
    assert {"t46", "t54"} <= set(skin_names())


def test_skin_has_every_physical_key(skin_data: Skin) -> None:
    # CALLEND and DELETE have no key of their own on a T46G/T54W: they are soft keys
    drawn = {k.key for k in skin_data.keys} | NAV
    assert drawn == KEYS - {"CALLEND", "DELETE"}
    assert len([k for k in skin_data.keys if k.kind == "line"]) == 10
    assert {k.led for k in skin_data.keys if k.kind == "line"} == {"left", "right"}


def test_display_keeps_480x272_proportions(skin_data: Skin) -> None:
    _, _, w, h = skin_data.display
    assert w / h == pytest.approx(480 / 272, rel=0.01)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def test_keys_do_not_overlap_each_other_the_display_or_the_ring(skin_data: Skin) -> None:
    s = skin_data
    W, H = s.size
    dx, dy, dw, dh = s.display
    bezel = (dx - s.bezel, dy - s.bezel, dw + 2 * s.bezel, dh + 2 * s.bezel)
    cx, cy = s.nav_centre
    for i, a in enumerate(s.keys):
        x, y, w, h = a.rect
        assert x >= 0 and y >= 0 and x + w <= W and y + h <= H, a.key
        assert not _overlap(a.rect, bezel), a.key
        nearest = (min(max(cx, x), x + w), min(max(cy, y), y + h))
        assert math.dist(nearest, (cx, cy)) > s.nav_radius, a.key
        for b in s.keys[i + 1 :]:
            assert not _overlap(a.rect, b.rect), (a.key, b.key)
