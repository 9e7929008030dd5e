"""`deskphone --install-desktop` in a throwaway HOME: files, icons and link handlers."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.desktop.integration import MIME_TYPES
from app.desktop.resources import DESKTOP_ID, ICON_SIZES, desktop_file, metainfo_file
from tests.engine_harness import ROOT

needs_xdg_mime = pytest.mark.skipif(
    shutil.which("xdg-mime") is None, reason="xdg-utils is not installed (make deps-test)"
)


def _env(home: Path) -> dict[str, str]:
    """A desktop-less session whose every XDG path is inside `home`."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_DIRS=str(home / "sysdata"),
        XDG_CONFIG_DIRS=str(home / "sysconfig"),
        PYTHONPATH=str(ROOT),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def _deskphone(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=_env(home) if env is None else env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _query(home: Path, mime: str) -> str:
    proc = subprocess.run(
        ["xdg-mime", "query", "default", mime], env=_env(home), capture_output=True, text=True
    )
    return proc.stdout.strip()


def _mimeapps(home: Path) -> configparser.ConfigParser:
    """The user's mimeapps.list, keys in their own case."""
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(home / "config" / "mimeapps.list")
    return parser


def test_shipped_desktop_entry_declares_the_schemes() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment, method-assign]
    entry.read(desktop_file())
    section = entry["Desktop Entry"]
    assert section["Exec"] == "deskphone %u"
    assert set(section["MimeType"].strip(";").split(";")) == set(MIME_TYPES)
    assert section["Icon"] == "deskphone"
    assert '<launchable type="desktop-id">deskphone.desktop</launchable>' in (
        metainfo_file().read_text()
    )


@needs_xdg_mime
def test_install_registers_and_uninstall_removes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for mime in MIME_TYPES:
        assert _query(home, mime) == ""
    proc = _deskphone(home, "--install-desktop")
    assert proc.returncode == 0, proc.stderr
    for mime in MIME_TYPES:
        assert _query(home, mime) == DESKTOP_ID, mime
    data = home / "data"
    entry = (data / "applications" / DESKTOP_ID).read_text()
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    program = shlex.split(exec_line.removeprefix("Exec="))
    assert program[-1] == "%u"
    assert Path(program[0]).is_absolute() and Path(program[0]).exists(), exec_line
    assert (data / "icons/hicolor/scalable/apps/deskphone.svg").exists()
    for n in ICON_SIZES:
        png = (data / f"icons/hicolor/{n}x{n}/apps/deskphone.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        assert int.from_bytes(png[16:20], "big") == n and int.from_bytes(png[20:24], "big") == n
    assert (data / "metainfo/org.deskphone.DeskPhone.metainfo.xml").exists()

    # Another application's handler for an unrelated scheme must survive the uninstall.
    mimeapps = home / "config" / "mimeapps.list"
    mimeapps.write_text(mimeapps.read_text() + "x-scheme-handler/irc=hexchat.desktop;\n")
    proc = _deskphone(home, "--uninstall-desktop")
    assert proc.returncode == 0, proc.stderr
    for mime in MIME_TYPES:
        assert _query(home, mime) == "", mime
    assert "x-scheme-handler/irc=hexchat.desktop;" in mimeapps.read_text()
    assert not (data / "applications" / DESKTOP_ID).exists()
    assert not list((data / "icons").rglob("deskphone.*"))


def test_install_without_xdg_utils_writes_mimeapps(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _env(home)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to(sys.executable)
    env["PATH"] = str(bindir)  # no xdg-mime, no update-desktop-database
    proc = _deskphone(home, "--install-desktop", env=env)
    assert proc.returncode == 0, proc.stderr
    parser = _mimeapps(home)
    for mime in MIME_TYPES:
        assert parser["Default Applications"][mime] == f"{DESKTOP_ID};"
    proc = _deskphone(home, "--uninstall-desktop", env=env)
    assert proc.returncode == 0, proc.stderr
    parser = _mimeapps(home)
    assert not any(parser.has_option("Default Applications", m) for m in MIME_TYPES)
