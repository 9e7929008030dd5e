"""The settings dialog in the real app with the real engine, Kamailio and SIPp:
changes apply without a restart, and a saved password is found nowhere but its private store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.store.contact_formats import Contact
from app.store.secrets import SECRETS_FILE
from app.store.settings import load_settings
from tests.integration.calls_util import uac
from tests.sipnet import HOST, Kamailio, Sipp, free_port
from ui.app import DeskPhoneApp, UiOptions
from ui.settings.dialog import SettingsDialog
from ui.settings.directory_tab import DirectoryTab
from ui.settings.form import FormTab

pytestmark = [pytest.mark.gui, pytest.mark.sip]

PASSWORD = "Zebra-Pw-4417-unique"


def first_account(app: DeskPhoneApp) -> dict[str, object]:
    accounts = app.window.state.accounts
    return accounts[min(accounts)] if accounts else {}


def type_into(qtbot: QtBot, tab: FormTab, path: str, text: str) -> None:
    edit = tab.editor(path)
    assert isinstance(edit, QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, text)  # type: ignore[no-untyped-call]


def call_through_kamailio(kam: Kamailio, user: str, workdir: Path) -> Sipp:
    return Sipp(
        "uac-call-expect-200.xml", free_port(), workdir, target=kam.domain, service=user, timeout=15
    )


def test_account_change_reregisters_without_restart(
    qtbot: QtBot,
    app: DeskPhoneApp,
    kam: Kamailio,
    config_dir: Path,
    tmp_path: Path,
    screens_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    engine_pid = app.bridge.supervisor.pid
    # the handset's menu: Menu -> Advanced -> Accounts opens the desktop dialog
    for key in ("F4", "7", "1"):
        app.bridge.send("key", key=key)
    qtbot.waitUntil(lambda: app.settings.dialog is not None, timeout=5000)
    dialog = app.settings.dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert not dialog.isModal()
    tab = dialog.tab("Accounts")
    assert dialog.tab_widget.currentWidget() is tab
    assert isinstance(tab, FormTab)
    type_into(qtbot, tab, "accounts.0.user", "bob")
    type_into(qtbot, tab, "accounts.0.password", PASSWORD)
    type_into(qtbot, tab, "accounts.0.label", "Bob")
    dialog.grab().save(str(screens_dir / "app-settings-account-bob.png"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert not dialog.isVisible()

    qtbot.waitUntil(lambda: "bob" in str(first_account(app).get("uri", "")), timeout=5000)
    qtbot.waitUntil(lambda: app.window.registration_text() == "Registered", timeout=10000)
    assert app.bridge.supervisor.pid == engine_pid  # no restart
    assert app.window.state.restarts == 0
    assert load_settings(config_dir).settings.accounts[0].user == "bob"

    # Kamailio routes bob to DeskPhone now, and alice no longer
    bob_call = call_through_kamailio(kam, "bob", tmp_path / "sipp").start()
    qtbot.waitUntil(lambda: app.window.state.current_call() is not None, timeout=10000)
    call = app.window.state.current_call()
    assert call is not None and call["state"] == "CallIn"
    app.bridge.send("answer")
    qtbot.waitUntil(
        lambda: bob_call.proc is not None and bob_call.proc.poll() is not None, timeout=20000
    )
    assert bob_call.wait(1) == 0, bob_call.messages()[-1500:]
    alice_call = call_through_kamailio(kam, "alice", tmp_path / "sipp")
    assert alice_call.run() != 0
    assert "SIP/2.0 404" in alice_call.messages()

    # the password: in the secret store only; not in settings, logs or an export
    export = tmp_path / "export.cfg"
    reopened = app.settings.open()
    assert reopened.export_cfg_file(export)
    places = [p for p in config_dir.rglob("*") if p.is_file() and p.name != SECRETS_FILE]
    assert any(p.parent.name == "logs" for p in places)  # the engine's and pjsip's logs
    for path in [*places, export]:
        assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in caplog.text
    assert load_settings(config_dir).settings.accounts[0].password == PASSWORD


def test_dnd_from_the_dialog_refuses_calls_with_480(
    qtbot: QtBot, app: DeskPhoneApp, kam: Kamailio, tmp_path: Path
) -> None:
    app.window.activateWindow()
    qtbot.waitExposed(app.window)
    app.settings_action.trigger()  # what Ctrl+, and the context menu do
    dialog = app.settings.dialog
    assert dialog is not None and dialog.isVisible()
    tab = dialog.tab("Features")
    assert isinstance(tab, FormTab)
    dnd = tab.editor("dnd.enabled")
    assert isinstance(dnd, QCheckBox)
    dnd.click()
    dialog.apply()
    # the engine took the new settings: the handset's status bar shows the DND icon
    qtbot.waitUntil(lambda: "dnd" in app.window.handset.screen_model().status.icons, timeout=5000)
    caller = call_through_kamailio(kam, "alice", tmp_path / "sipp")
    assert caller.run() != 0  # it expected 200
    assert "SIP/2.0 480" in caller.messages()
    assert (
        app.window.state.current_call() is None
        or (app.window.state.current_call() or {}).get("state") != "CallIn"
    )  # refused at once: it never rang


def test_shortcut_opens_settings(qtbot: QtBot, app: DeskPhoneApp) -> None:
    app.window.show()
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=3000)
    qtbot.keyClick(app.window.handset, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: app.settings.dialog is not None, timeout=3000)
    assert app.settings.dialog is not None and app.settings.dialog.isVisible()


def test_contacts_from_the_dialog_reach_the_handset(
    qtbot: QtBot, app: DeskPhoneApp, screens_dir: Path
) -> None:

    dialog = app.settings.open("directory")
    tab = dialog.tab("Directory")
    assert isinstance(tab, DirectoryTab) and dialog.tab_widget.currentWidget() is tab
    assert tab.save_contact(Contact(name="Zoe Quinn", office="2001", mobile="0170 9"))
    dialog.close()
    for key in ("F4", "3"):  # Menu -> Directory
        app.bridge.send("key", key=key)
    handset = app.window.handset
    qtbot.waitUntil(lambda: handset.screen_model().name == "directory", timeout=5000)
    qtbot.waitUntil(
        lambda: any("Zoe Quinn" in i for i in handset.screen_model().items), timeout=5000
    )
    app.window.grab().save(str(screens_dir / "app-directory-contact.png"))
    app.bridge.send("key", key="X")
    app.bridge.send("key", key="X")
    qtbot.waitUntil(lambda: handset.screen_model().name == "idle", timeout=5000)
    qtbot.keyClicks(handset, "200")  # type: ignore[no-untyped-call]
    qtbot.waitUntil(
        lambda: any("Zoe Quinn" in i for i in handset.screen_model().items), timeout=5000
    )


def test_broken_settings_file_pops_up_on_the_handset(
    qtbot: QtBot, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (config_dir / "settings.json").write_text("{ not json")
    phone = DeskPhoneApp(
        UiOptions(config_dir=config_dir, control_path=config_dir / "ui.sock", sip_port=0, bind=HOST)
    )
    qtbot.addWidget(phone.window)
    with caplog.at_level(logging.WARNING):
        phone.start()
        try:
            handset = phone.window.handset
            qtbot.waitUntil(lambda: handset.screen_model().popup is not None, timeout=10000)
            popup = handset.screen_model().popup
            assert popup is not None and popup.kind == "error"
            assert "Settings file unreadable" in popup.text and "defaults loaded" in popup.text
            assert "Settings file unreadable" in caplog.text  # the UI's log
        finally:
            phone.shutdown()
    engine_log = (config_dir / "logs" / "engine.log").read_text()
    assert "Settings file unreadable" in engine_log
    assert list(config_dir.glob("settings.json.broken-*"))


def test_forward_always_from_the_dialog_applies_to_the_next_call(
    qtbot: QtBot, app: DeskPhoneApp, kam: Kamailio, tmp_path: Path, screens_dir: Path
) -> None:
    """Call forward: a valid change in the Call Forward tab is saved and forwards the next call."""
    from ui.settings.forward_tab import ForwardTab

    dialog = app.settings.open()
    tab = dialog.tab("Call Forward")
    assert isinstance(tab, ForwardTab)
    box = tab.boxes["always"]
    box.enabled.click()
    box.target.edit.setText("sip:voicemail@127.0.0.1:5999")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert not dialog.isVisible()
    qtbot.waitUntil(
        lambda: "forward" in app.window.handset.screen_model().status.icons, timeout=5000
    )
    app.window.grab().save(str(screens_dir / "app-forward-always-from-dialog.png"))
    caller = uac(tmp_path, "uac-call-expect-302.xml", kam.domain, service="alice", timeout=15)
    assert caller.run() == 0, caller.messages()[-1500:]
    assert "Contact: <sip:voicemail@127.0.0.1:5999>" in caller.messages()
    assert "reason=unconditional" in caller.messages()
    saved = load_settings(app.options.config_dir).settings.forward.phone.always
    assert saved.enabled and saved.target == "sip:voicemail@127.0.0.1:5999"
