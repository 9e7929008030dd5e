"""`deskphone --install-desktop` / `--uninstall-desktop`: menu entry, icons, link handlers.

Everything goes under the user's XDG directories (freedesktop conventions); nothing needs root.
The scheme handlers are registered with `xdg-mime default` when xdg-utils is installed, else by
writing mimeapps.list directly (the same file xdg-mime writes). xdg-mime has no "unset", so
uninstall edits mimeapps.list itself, removing only entries that name DeskPhone.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.desktop.resources import (
    APPSTREAM_ID,
    DESKTOP_ID,
    ICON_NAME,
    ICON_SIZES,
    SCHEMES,
    desktop_file,
    icon_svg,
    metainfo_file,
)

MIME_TYPES = tuple(f"x-scheme-handler/{s}" for s in SCHEMES)
DEFAULTS = "Default Applications"


@dataclass
class XdgDirs:
    data_home: Path
    config_home: Path

    @classmethod
    def from_env(cls) -> XdgDirs:
        home = Path.home()
        data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
        return cls(Path(data), Path(config))

    @property
    def applications(self) -> Path:
        return self.data_home / "applications"

    @property
    def icons(self) -> Path:
        return self.data_home / "icons" / "hicolor"

    @property
    def metainfo(self) -> Path:
        return self.data_home / "metainfo"

    @property
    def mimeapps(self) -> Path:
        return self.config_home / "mimeapps.list"

    def installed_files(self) -> list[Path]:
        files = [
            self.applications / DESKTOP_ID,
            self.metainfo / f"{APPSTREAM_ID}.metainfo.xml",
            self.icons / "scalable" / "apps" / f"{ICON_NAME}.svg",
        ]
        files += [self.icons / f"{n}x{n}" / "apps" / f"{ICON_NAME}.png" for n in ICON_SIZES]
        return files


def launcher_command() -> str:
    """How the menu should start this very installation (bundle, venv or system install)."""
    if getattr(sys, "frozen", False):
        return shlex.quote(sys.executable)
    script = shutil.which("deskphone")
    if script:
        return shlex.quote(str(Path(script).resolve()))
    return f"{shlex.quote(sys.executable)} -m app"


def desktop_entry(command: str) -> str:
    lines = []
    for line in desktop_file().read_text().splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command} %u"
        elif line.startswith("TryExec="):
            line = f"TryExec={shlex.split(command)[0]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def render_pngs(svg: Path, targets: dict[int, Path]) -> None:
    """PNG icons for desktops that do not read SVG, drawn from the one SVG with Qt."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["deskphone"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"cannot read {svg}")
    for n, path in targets.items():
        image = QImage(n, n, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        if not image.save(str(path)):  # the format follows the .png suffix
            raise OSError(f"cannot write {path}")
    del _app


def _read_mimeapps(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    if path.exists():
        parser.read(path, encoding="utf-8")
    return parser


def _write_mimeapps(parser: configparser.ConfigParser, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        parser.write(fh, space_around_delimiters=False)
    tmp.replace(path)


def register_handlers(dirs: XdgDirs) -> str:
    """Make DeskPhone the default for the link schemes; returns how it was done."""
    xdg_mime = shutil.which("xdg-mime")
    if xdg_mime:
        env = {**os.environ, "XDG_CONFIG_HOME": str(dirs.config_home)}
        env["XDG_DATA_HOME"] = str(dirs.data_home)
        subprocess.run([xdg_mime, "default", DESKTOP_ID, *MIME_TYPES], env=env, check=True)
        return "xdg-mime"
    parser = _read_mimeapps(dirs.mimeapps)
    if not parser.has_section(DEFAULTS):
        parser.add_section(DEFAULTS)
    for mime in MIME_TYPES:
        parser.set(DEFAULTS, mime, f"{DESKTOP_ID};")
    _write_mimeapps(parser, dirs.mimeapps)
    return "mimeapps.list"


def unregister_handlers(dirs: XdgDirs) -> None:
    if not dirs.mimeapps.exists():
        return
    parser = _read_mimeapps(dirs.mimeapps)
    for section in (DEFAULTS, "Added Associations"):
        if not parser.has_section(section):
            continue
        for mime in MIME_TYPES:
            if not parser.has_option(section, mime):
                continue
            rest = [d for d in parser.get(section, mime).split(";") if d and d != DESKTOP_ID]
            if rest:
                parser.set(section, mime, ";".join(rest) + ";")
            else:
                parser.remove_option(section, mime)
    _write_mimeapps(parser, dirs.mimeapps)


def _refresh_caches(dirs: XdgDirs) -> None:
    """Menus and icon themes read caches; tools missing on a minimal system are not an error."""
    for argv in (
        ["update-desktop-database", "-q", str(dirs.applications)],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(dirs.icons)],
    ):
        if shutil.which(argv[0]):
            subprocess.run(argv, check=False, capture_output=True)


def install_desktop(dirs: XdgDirs, command: str | None = None) -> list[Path]:
    files = dirs.installed_files()
    entry, meta, svg = files[0], files[1], files[2]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(desktop_entry(command or launcher_command()))
    shutil.copyfile(metainfo_file(), meta)
    shutil.copyfile(icon_svg(), svg)
    render_pngs(
        icon_svg(), {n: dirs.icons / f"{n}x{n}" / "apps" / f"{ICON_NAME}.png" for n in ICON_SIZES}
    )
    register_handlers(dirs)
    _refresh_caches(dirs)
    return files


def uninstall_desktop(dirs: XdgDirs) -> list[Path]:
    removed = []
    for path in dirs.installed_files():
        if path.exists():
            path.unlink()
            removed.append(path)
    unregister_handlers(dirs)
    _refresh_caches(dirs)
    return removed


def main(install: bool) -> int:
    dirs = XdgDirs.from_env()
    try:
        if install:
            files = install_desktop(dirs)
            print(f"Installed DeskPhone for {', '.join(SCHEMES)} links:")
        else:
            files = uninstall_desktop(dirs)
            print("Removed DeskPhone's menu entry, icons and link handlers:")
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        print(f"deskphone: {exc}", file=sys.stderr)
        return 1
    for path in files:
        print(f"  {path}")
    return 0
