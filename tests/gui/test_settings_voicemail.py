"""Voice mail in the settings dialog, driven like a user: the Accounts tab's Voice Mail number
and MWI rows (bad input shown under the field, nothing saved), the Features tab's pop-up and
power LED switches, and the Yealink keys they export to; screenshots of both tabs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from app.phone.settings import Settings
from app.store.yealink_cfg import import_cfg
from tests.gui.test_settings_dialog_tabs import Opened, make_settings

pytestmark = pytest.mark.gui


def tick(o: Opened, path: str, on: bool) -> None:
    box = o.dialog.tab_widget.currentWidget().editor(path)
    assert isinstance(box, QCheckBox)
    box.setChecked(on)


def test_voice_mail_rows_refuse_bad_input_and_export_yealink_keys(
    qtbot: QtBot, config_dir: Path, screens_dir: Path, tmp_path: Path
) -> None:
    o = Opened(qtbot, make_settings(), config_dir)
    tab = o.tab("Accounts")
    o.type_into(tab, "accounts.0.voice_mail", "*9 7")
    assert "is not a number or SIP address" in tab.error_text("accounts.0.voice_mail")
    o.type_into(tab, "accounts.0.subscribe_mwi_expires", "30")
    assert tab.error_text("accounts.0.subscribe_mwi_expires") == "30 is out of range 60-84600"
    o.shot(screens_dir, "settings-accounts-voice-mail-errors.png")
    assert not o.dialog.apply() and o.emitted == []

    o.type_into(tab, "accounts.0.voice_mail", "*97")
    o.type_into(tab, "accounts.0.subscribe_mwi_expires", "600")
    tick(o, "accounts.0.subscribe_mwi", True)
    tick(o, "accounts.0.subscribe_mwi_to_vm", True)
    tick(o, "accounts.0.display_mwi", False)
    assert tab.error_text("accounts.0.voice_mail") == ""
    o.shot(screens_dir, "settings-accounts-voice-mail.png")
    o.tab("Features")
    tick(o, "features.voice_mail_popup", False)
    o.shot(screens_dir, "settings-features-voice-mail.png")
    assert o.dialog.errors() == {} and o.dialog.apply()

    saved = o.emitted[-1]
    acc = saved.accounts[0]
    assert (acc.voice_mail, acc.subscribe_mwi, acc.subscribe_mwi_expires) == ("*97", True, 600)
    assert acc.subscribe_mwi_to_vm and not acc.display_mwi
    assert not saved.features.voice_mail_popup and saved.features.mail_power_led

    out = tmp_path / "export.cfg"
    assert o.dialog.export_cfg_file(out)
    text = out.read_text()
    for line in (
        "voice_mail.number.1 = *97",
        "account.1.subscribe_mwi = 1",
        "account.1.subscribe_mwi_expires = 600",
        "account.1.subscribe_mwi_to_vm = 1",
        "account.1.display_mwi.enable = 0",
        "features.voice_mail_popup.enable = 0",
        "phone_setting.mail_power_led_flash_enable = 1",
    ):
        assert f"\n{line}\n" in text, line
    again, report = import_cfg(text, Settings())
    assert report.refused == []
    assert again.accounts[0].voice_mail == "*97" and again.accounts[0].subscribe_mwi_expires == 600
    assert not again.features.voice_mail_popup
