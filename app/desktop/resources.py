"""Where the shipped resources live: next to the sources, or inside a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

DESKTOP_ID = "deskphone.desktop"
APPSTREAM_ID = "org.deskphone.DeskPhone"
ICON_NAME = "deskphone"
SCHEMES = ("sip", "sips", "tel", "callto")
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def resource_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent.parent / "resources"


def desktop_file() -> Path:
    return resource_dir() / "desktop" / DESKTOP_ID


def metainfo_file() -> Path:
    return resource_dir() / "desktop" / f"{APPSTREAM_ID}.metainfo.xml"


def icon_svg() -> Path:
    return resource_dir() / "icons" / f"{ICON_NAME}.svg"


def required_files() -> list[Path]:
    return [desktop_file(), metainfo_file(), icon_svg()]
