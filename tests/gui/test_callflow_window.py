"""The Call Flow window on the real app: opened with Ctrl+F during a seed flow, it
follows the call live; an arrow shows its message; the exports match the seed figures; the
gear on the faceplate and the right-click menu reach it, and F12 lists every shortcut."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QKeySequence
from pytestqt.qtbot import QtBot

from tests.gui.conftest import start_alice_app
from tests.integration.callflow_seeds import (
    ALWAYS_FORWARD,
    NO_ANSWER_FORWARD,
    check_against_figure,
    tshark_rows,
)
from tests.sipnet import Kamailio, Sipp, free_port, start_registered
from ui.app import DeskPhoneApp
from ui.callflow.window import CallFlowWindow
from ui.handset.keymap import HELP
from ui.window_actions import help_rows

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def far_ends(kam: Kamailio, work: Path, bob_scenario: str, **bob_keys: str) -> list[Sipp]:
    carol = Sipp("uas-180-200-rtp.xml", free_port(), work, timeout=60)
    bob = Sipp(bob_scenario, free_port(), work, timeout=60, service="bob", keys=bob_keys)
    start_registered(kam, "carol", carol)
    start_registered(kam, "bob", bob)
    return [carol, bob]


def dial_bob(qtbot: QtBot, app: DeskPhoneApp, kam: Kamailio) -> None:
    handset = app.window.handset
    qtbot.waitUntil(lambda: app.window.registration_text() == "Registered", timeout=10000)
    qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=5000)
    app.bridge.send("text", text=f"sip:bob@{kam.domain}")
    qtbot.keyClick(handset, Qt.Key.Key_Return)


def arrows(window: CallFlowWindow) -> int:
    return len(window.ladder.arrows) if window.ladder else 0


def save(window: CallFlowWindow, path: Path) -> None:
    window.grab().save(str(path))


def test_always_forward_call_flow_window(
    qtbot: QtBot, tmp_path: Path, config_dir: Path, kam: Kamailio, screens_dir: Path
) -> None:
    carol = f"<sip:carol@{kam.domain}>"
    scenario = "redirect/uas-302-multi.xml"
    peers = far_ends(
        kam, tmp_path / "sipp", scenario, contacts=carol, diversion_reason="unconditional"
    )
    app = start_alice_app(qtbot, config_dir, kam)
    handset = app.window.handset
    try:
        dial_bob(qtbot, app, kam)
        qtbot.waitUntil(lambda: handset.screen_model().name == "talking", timeout=10000)
        app.window.activateWindow()  # a window shortcut needs its window active
        qtbot.waitUntil(app.window.isActiveWindow, timeout=3000)
        qtbot.keyClick(handset, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # call screen
        window = app.call_flows
        assert window is not None and window.isVisible()
        qtbot.waitUntil(lambda: arrows(window) >= 9, timeout=5000)
        assert "(live)" in window.title.text()
        save(window, screens_dir / "callflow-always-forward-live.png")
        qtbot.keyClick(handset, Qt.Key.Key_F4)  # End Call: the window follows the BYE
        qtbot.waitUntil(lambda: arrows(window) == 11, timeout=8000)
        qtbot.waitUntil(lambda: "(live)" not in window.title.text(), timeout=3000)
        for peer in peers:
            assert peer.wait(15) == 0
        # F3 is the 302: clicking it shows the whole message
        rect = window.view.arrow_rect(2)
        qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
        shown = window.message.toPlainText()
        assert shown.startswith("F3 302 Moved Temporarily—P (Proxy")
        assert "\nSIP/2.0 302 Moved Temporarily\n" in shown
        assert f"Contact: <sip:carol@{kam.domain}>" in shown
        qtbot.keyClick(window.view, Qt.Key.Key_Down)
        assert window.message.toPlainText().startswith("F4 ACK—A (This phone")
        save(window, screens_dir / "callflow-always-forward.png")
        text_path, png_path, pcap_path = (tmp_path / f"flow.{e}" for e in ("txt", "png", "pcap"))
        window.export("text", text_path)
        window.export("png", png_path)
        window.export("pcap", pcap_path)
        assert {stat.S_IMODE(p.stat().st_mode) for p in (text_path, png_path, pcap_path)} == {0o600}
        check_against_figure(text_path.read_text(), ALWAYS_FORWARD)
        rows = tshark_rows(str(pcap_path))
        assert [r[2] or r[3] for r in rows] == [
            "INVITE", "100", "302", "ACK", "INVITE", "100", "180", "200", "ACK", "BYE", "200",
        ]  # fmt: skip
        image = QImage(str(png_path))
        assert image.width() >= 4 * 230 and image.height() > 11 * 34
        image.save(str(screens_dir / "callflow-always-forward-export.png"))
        # from the History entry: its row names the flow
        window.show_flow(None)
        qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=8000)
        qtbot.keyClick(handset, Qt.Key.Key_F1)  # History
        qtbot.waitUntil(lambda: handset.screen_model().name == "history", timeout=3000)
        screen = handset.screen_model()
        assert screen.items[screen.selected] == "bob → carol"
        app.window.activateWindow()
        qtbot.waitUntil(app.window.isActiveWindow, timeout=3000)
        qtbot.keyClick(handset, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert window.flow is not None and window.flow.meta.flow == 1
        assert window.flow.meta.history_id == screen.rows[screen.selected]
    finally:
        app.shutdown()


def test_no_answer_forward_call_flow_window(
    qtbot: QtBot, tmp_path: Path, config_dir: Path, kam: Kamailio, screens_dir: Path
) -> None:
    peers = far_ends(kam, tmp_path / "sipp", "uas-180-302.xml",
                     redir_target=f"sip:carol@{kam.domain}")  # fmt: skip
    app = start_alice_app(qtbot, config_dir, kam)
    handset = app.window.handset
    try:
        dial_bob(qtbot, app, kam)
        qtbot.waitUntil(lambda: handset.screen_model().name == "talking", timeout=15000)
        qtbot.keyClick(handset, Qt.Key.Key_F4)
        for peer in peers:
            assert peer.wait(15) == 0
        qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=8000)
        # the window's context menu entry, as a right-click would offer it
        action = next(a for a in app.window.actions() if a.objectName() == "call_flow")
        assert action.text() == "Call flow of the last call"
        action.trigger()
        window = app.call_flows
        assert window is not None
        qtbot.waitUntil(lambda: arrows(window) == 12, timeout=8000)
        assert window.ladder is not None
        new_invite = next(a for a in window.ladder.arrows if a.new_leg)  # Call-ID 2
        window.view.select(new_invite.number - 1)
        assert window.message.toPlainText().startswith(f"F{new_invite.number} INVITE—A (This")
        save(window, screens_dir / "callflow-no-answer-forward.png")
        check_against_figure(window.export_bytes("text").decode(), NO_ANSWER_FORWARD)
    finally:
        app.shutdown()


def test_the_gear_and_the_help_show_every_window_shortcut(
    qtbot: QtBot, config_dir: Path, kam: Kamailio, screens_dir: Path
) -> None:
    app = start_alice_app(qtbot, config_dir, kam)
    window, handset = app.window, app.window.handset
    try:
        qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=10000)
        gear = app.gear.button
        assert gear.isVisible() and handset.body_rect().contains(gear.geometry().toRectF())
        qtbot.mouseClick(gear, Qt.MouseButton.LeftButton)
        menu = app.gear.menu
        qtbot.waitUntil(menu.isVisible, timeout=3000)
        texts = [a.text() for a in menu.actions()]
        assert texts[:3] == ["Settings…", "Call flow of the last call", "Keyboard shortcuts"]
        shot = window.grab()
        menu.grab().save(str(screens_dir / "window-gear-menu.png"))
        shot.save(str(screens_dir / "window-gear.png"))
        menu.hide()
        # every window shortcut is in the F12 help, with the handset's own keys
        shortcuts = {
            a.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
            for a in window.actions()
            if not a.shortcut().isEmpty()
        }
        listed = {keys for keys, _ in (*HELP, *help_rows())}
        assert shortcuts - {"F12"} <= listed and "F12 or ?" in listed
        qtbot.keyClick(handset, Qt.Key.Key_F12)
        assert handset.help_visible()
        handset.grab().save(str(screens_dir / "window-help-shortcuts.png"))
        qtbot.keyClick(handset, Qt.Key.Key_Escape)
        next(a for a in window.actions() if a.objectName() == "keyboard_help").trigger()
        assert handset.help_visible()
        qtbot.mouseClick(handset, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        assert not handset.help_visible()
    finally:
        app.shutdown()
