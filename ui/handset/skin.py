"""Handset skins are data: resources/skins/<name>.json holds the faceplate layout and colours.

A skin gives the faceplate size in logical units, the display rectangle (the 480x272 display is
scaled into it), every key's rectangle and kind, the navigation ring, the power LED, the
printed texts, and two colour tables (faceplate and display theme). Colours are "#rrggbb" or
a [top, bottom] gradient.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SKINS_DIR = Path(__file__).resolve().parents[2] / "resources" / "skins"
DISPLAY_W, DISPLAY_H = 480, 272

Colour = str | list[str]


@dataclass(frozen=True)
class KeySpec:
    """One key of the handset's face: name, kind and place."""

    key: str  # the key name sent to the handset ("OK", "L1", "5", ...)
    kind: str  # line | soft | feature | digit | volume | round
    rect: tuple[float, float, float, float]
    label: str = ""
    sub: str = ""  # letters under a digit
    led: str = ""  # line keys: the side of the LED (left | right)
    icon: str = ""
    accent: bool = False


@dataclass(frozen=True)
class Skin:
    """A handset model's look: size, colours and keys."""

    name: str
    model: str
    size: tuple[float, float]
    colours: dict[str, Colour]
    theme: dict[str, Colour]
    shapes: dict[str, float]
    display: tuple[float, float, float, float]
    bezel: float
    line_labels: bool
    label_width: float
    font: str
    nav_centre: tuple[float, float]
    nav_radius: float
    ok_radius: float
    keys: tuple[KeySpec, ...]
    texts: tuple[dict[str, Any], ...] = field(default=())
    # the power indicator LED (red: ringing, waiting messages); None: the skin draws none
    power_led: tuple[float, float, float, float] | None = None

    def key(self, name: str) -> KeySpec | None:
        return next((k for k in self.keys if k.key == name), None)


def _rect(value: list[float]) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in value)
    return x, y, w, h


def parse_skin(data: dict[str, Any]) -> Skin:
    disp = data["display"]
    nav = data["nav"]
    keys = tuple(
        KeySpec(
            key=str(k["key"]),
            kind=str(k["kind"]),
            rect=_rect(k["rect"]),
            label=str(k.get("label", "")),
            sub=str(k.get("sub", "")),
            led=str(k.get("led", "")),
            icon=str(k.get("icon", "")),
            accent=bool(k.get("accent", False)),
        )
        for k in data["keys"]
    )
    w, h = data["size"]
    return Skin(
        name=str(data["name"]),
        model=str(data["model"]),
        size=(float(w), float(h)),
        colours=dict(data["colours"]),
        theme=dict(disp["theme"]),
        shapes={k: float(v) for k, v in data.get("shapes", {}).items()},
        display=_rect(disp["rect"]),
        bezel=float(disp.get("bezel", 12)),
        line_labels=bool(disp.get("line_labels", True)),
        label_width=float(disp.get("label_width", 110)),
        font=str(disp.get("font", "DejaVu Sans")),
        nav_centre=(float(nav["centre"][0]), float(nav["centre"][1])),
        nav_radius=float(nav["radius"]),
        ok_radius=float(nav["ok_radius"]),
        keys=keys,
        texts=tuple(data.get("texts", [])),
        power_led=_rect(data["power_led"]["rect"]) if "power_led" in data else None,
    )


def skin_names() -> list[str]:
    return sorted(p.stem for p in SKINS_DIR.glob("*.json"))


def load_skin(name_or_path: str | Path = "t46") -> Skin:
    """A skin by name (resources/skins/<name>.json) or by path."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = SKINS_DIR / f"{name_or_path}.json"
    with path.open(encoding="utf-8") as fh:
        return parse_skin(json.load(fh))
