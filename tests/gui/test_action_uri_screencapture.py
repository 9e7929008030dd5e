"""Action URI against the whole product (window + engine): /screencapture and the prompt.

HTTP requests run on a helper thread: the answer needs the Qt loop of this (the GUI) thread.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.phone.settings import RemoteSettings, Settings
from app.store.settings import save_settings
from tests.sipnet import HOST, free_port
from ui.app import DeskPhoneApp, UiOptions

pytestmark = [pytest.mark.gui, pytest.mark.sip]


class Request:
    """One GET on a background thread; `status` and `body` once `done`."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.status = 0
        self.body = b""
        self.content_type = ""
        self.done = threading.Event()
        request = urllib.request.Request(url, headers=headers or {})
        threading.Thread(target=self._run, args=(request,), daemon=True).start()

    def _run(self, url: urllib.request.Request) -> None:
        try:
            with urllib.request.urlopen(url, timeout=40) as response:
                self.status, self.body = response.status, response.read()
                self.content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            self.status, self.body = exc.code, exc.read()
        finally:
            self.done.set()


def start_app(qtbot: QtBot, config_dir: Path, **remote: object) -> tuple[DeskPhoneApp, int]:
    port = free_port()
    values: dict[str, object] = {
        "action_uri_enabled": True,
        "action_uri_port": port,
        "action_uri_prompt": False,
    }
    values.update(remote)
    save_settings(config_dir, Settings(remote=RemoteSettings(**values)))  # type: ignore[arg-type]
    app = DeskPhoneApp(
        UiOptions(config_dir=config_dir, control_path=config_dir / "ui.sock", sip_port=0, bind=HOST)
    )
    qtbot.addWidget(app.window)
    app.window.handset.set_blinking(False)  # the dial cursor drawn lit: pictures comparable
    app.start()
    qtbot.waitUntil(lambda: app.idle_reached, timeout=10000)
    qtbot.waitUntil(lambda: app.window.handset.screen_model().name == "idle", timeout=5000)
    return app, port


@pytest.fixture
def app_port(qtbot: QtBot, config_dir: Path) -> Iterator[tuple[DeskPhoneApp, int]]:
    app, port = start_app(qtbot, config_dir)
    try:
        yield app, port
    finally:
        app.shutdown()


def fetch(qtbot: QtBot, url: str) -> Request:
    request = Request(url)
    qtbot.waitUntil(request.done.is_set, timeout=15000)
    return request


def assert_same_picture(png: bytes, expected: QImage) -> None:
    got = QImage.fromData(png, "PNG")
    assert not got.isNull()
    expected = expected.convertToFormat(QImage.Format.Format_RGB32)
    got = got.convertToFormat(QImage.Format.Format_RGB32)
    assert got.size() == expected.size()
    w, h = got.width(), got.height()
    points = [(x * (w - 1) // 19, y * (h - 1) // 19) for x in range(20) for y in range(20)]
    differing = [p for p in points if got.pixel(*p) != expected.pixel(*p)]
    assert not differing, differing[:10]
    assert got == expected  # and every other pixel too


def display_image(app: DeskPhoneApp) -> QImage:
    handset = app.window.handset
    return handset.grab(handset.display_rect().toAlignedRect()).toImage()


def test_screencapture_is_the_window_display(
    qtbot: QtBot, app_port: tuple[DeskPhoneApp, int], screens_dir: Path
) -> None:
    app, port = app_port
    base = f"http://{HOST}:{port}"
    shot = fetch(qtbot, f"{base}/screencapture")
    assert shot.status == 200 and shot.content_type == "image/png"
    assert shot.body.startswith(b"\x89PNG\r\n\x1a\n")
    rect = app.window.handset.display_rect().toAlignedRect()
    assert QImage.fromData(shot.body, "PNG").size() == rect.size()
    assert_same_picture(shot.body, display_image(app))

    # Keys sent remotely change the window's display, and the capture follows it.
    assert fetch(qtbot, f"{base}/servlet?key=1;2;3").status == 200
    qtbot.waitUntil(lambda: app.window.handset.screen_model().input == "123", timeout=5000)
    dialing = fetch(qtbot, f"{base}/screencapture")
    assert dialing.status == 200
    assert_same_picture(dialing.body, display_image(app))
    assert dialing.body != shot.body
    (screens_dir / "action-uri-screencapture-dialing.png").write_bytes(dialing.body)
    app.window.grab().save(str(screens_dir / "action-uri-window-dialing.png"))
    assert fetch(qtbot, f"{base}/servlet?key=X").status == 200
    qtbot.waitUntil(lambda: app.window.handset.screen_model().name == "idle", timeout=5000)


def test_prompt_asks_in_the_window_without_blocking_it(
    qtbot: QtBot, config_dir: Path, screens_dir: Path
) -> None:
    app, port = start_app(qtbot, config_dir, action_uri_prompt=True)
    try:
        base = f"http://{HOST}:{port}"
        waiting = Request(f"{base}/servlet?key=1")
        qtbot.waitUntil(lambda: HOST in app.prompts, timeout=10000)
        box = app.prompts[HOST]
        assert box.isVisible() and "Allow remote control?" in box.text()
        # The window still works while the question is open (open(), not exec()).
        app.window.handset.keyPressed.emit("5")
        qtbot.waitUntil(lambda: app.window.handset.screen_model().input == "5", timeout=5000)
        box.grab().save(str(screens_dir / "action-uri-prompt.png"))
        assert not waiting.done.is_set()
        yes = box.button(QMessageBox.StandardButton.Yes)
        assert yes is not None
        yes.click()
        qtbot.waitUntil(waiting.done.is_set, timeout=10000)
        assert waiting.status == 200
        qtbot.waitUntil(lambda: app.window.handset.screen_model().input == "51", timeout=5000)
        # Decided once: the next request goes straight through.
        assert fetch(qtbot, f"{base}/servlet?key=X").status == 200
        assert not app.prompts
        # ... but not for a page in a web browser on the same address: asked again, apart.
        firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
        page = Request(f"{base}/servlet?number=900123", {"User-Agent": firefox})
        qtbot.waitUntil(lambda: len(app.prompts) == 1, timeout=10000)
        ((key, box),) = app.prompts.items()
        assert key != HOST and f"a web browser on {HOST}" in box.text()
        box.grab().save(str(screens_dir / "action-uri-prompt-browser.png"))
        no = box.button(QMessageBox.StandardButton.No)
        assert no is not None
        no.click()
        qtbot.waitUntil(page.done.is_set, timeout=10000)
        assert page.status == 403 and not app.prompts
    finally:
        app.shutdown()
