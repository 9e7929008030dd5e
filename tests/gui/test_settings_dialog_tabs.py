"""The settings dialog's Accounts, Audio, Features and Directory tabs and its provisioning
buttons, driven like a user with pytest-qt; a screenshot of each tab."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.phone.settings import AccountSettings, Settings
from app.store.contact_formats import Contact
from app.store.directory import Directory
from app.store.yealink_cfg import import_cfg
from ui.settings.accounts_tab import AccountsTab
from ui.settings.audio_tab import FILE_CHOICE, AudioTab
from ui.settings.dialog import SettingsDialog, default_tabs
from ui.settings.directory_tab import DirectoryTab
from ui.settings.features_tab import FeaturesTab
from ui.settings.form import FormTab

pytestmark = pytest.mark.gui

SAMPLE_CFG = Path(__file__).resolve().parent.parent / "data" / "t46g-sample.cfg"
NOTE = "No system keyring is available: passwords are kept in /x/secrets.json, readable only by you"
PASSWORD = "Pw-unique-8472"
DEVICES = [
    {"name": "USB Headset", "max_input_channels": 1, "max_output_channels": 2},
    {"name": "Speakers", "max_input_channels": 0, "max_output_channels": 2},
    {"name": "Microphone", "max_input_channels": 2, "max_output_channels": 0},
]


def make_settings() -> Settings:
    return Settings(
        accounts=[
            AccountSettings(label="Office", user="alice", server="127.0.0.1", password=PASSWORD)
        ]
    )


class Opened:
    def __init__(self, qtbot: QtBot, settings: Settings, config_dir: Path) -> None:
        self.qtbot = qtbot
        self.directory = Directory(config_dir)
        tabs = default_tabs(NOTE, self.directory)
        tabs[1] = AudioTab(lambda: DEVICES)  # devices a test can rely on
        self.dialog = SettingsDialog(settings, tabs=tabs)
        qtbot.addWidget(self.dialog)
        self.emitted: list[Settings] = []
        self.dialog.applied.connect(self.emitted.append)
        self.dialog.show()
        qtbot.waitExposed(self.dialog)

    def tab(self, title: str) -> Any:
        tab = self.dialog.tab(title)
        self.dialog.tab_widget.setCurrentWidget(tab)
        return tab

    def type_into(self, tab: FormTab, path: str, text: str) -> None:
        edit = tab.editor(path)
        assert isinstance(edit, QLineEdit)
        edit.clear()
        if text:
            self.qtbot.keyClicks(edit, text)  # type: ignore[no-untyped-call]
        else:  # deleting the last character is an edit too
            edit.setText("x")
            self.qtbot.keyClick(edit, Qt.Key.Key_Backspace)  # type: ignore[no-untyped-call]

    def shot(self, folder: Path, name: str) -> None:
        self.qtbot.wait(50)
        assert self.dialog.grab().save(str(folder / name))


@pytest.fixture
def opened(qtbot: QtBot, config_dir: Path) -> Opened:
    return Opened(qtbot, make_settings(), config_dir)


def test_all_tabs_are_there(opened: Opened) -> None:
    titles = [t.title for t in opened.dialog.tabs()]
    assert titles == [
        "Accounts",
        "Audio",
        "Features",
        "Call Forward",
        "Remote control",
        "Dial Plan",
        "Line Keys",
        "Directory",
    ]
    assert opened.dialog.errors() == {}


# ---- Accounts --------------------------------------------------------------------------------


def test_accounts_shows_and_masks(opened: Opened, screens_dir: Path) -> None:
    tab = opened.tab("Accounts")
    assert isinstance(tab, AccountsTab)
    password = tab.editor("accounts.0.password")
    assert isinstance(password, QLineEdit)
    assert password.echoMode() == QLineEdit.EchoMode.Password
    assert password.text() == PASSWORD
    assert tab.where.text() == NOTE and tab.where.isVisibleTo(opened.dialog)
    assert tab.account.count() == 6
    opened.shot(screens_dir, "settings-accounts.png")


def test_accounts_port_out_of_range_is_refused(opened: Opened, screens_dir: Path) -> None:
    tab = opened.tab("Accounts")
    opened.type_into(tab, "accounts.0.port", "99999")
    assert tab.error_text("accounts.0.port") == "99999 is out of range 0-65535"
    opened.type_into(tab, "accounts.0.expires", "ten")
    assert "must be a whole number" in tab.error_text("accounts.0.expires")
    opened.shot(screens_dir, "settings-accounts-errors.png")
    assert not opened.dialog.apply()
    assert opened.emitted == []
    assert "Nothing saved" in opened.dialog.status.text()
    opened.type_into(tab, "accounts.0.port", "5070")
    opened.type_into(tab, "accounts.0.expires", "600")
    assert tab.error_text("accounts.0.port") == ""
    assert opened.dialog.apply()
    acc = opened.emitted[-1].accounts[0]
    assert (acc.port, acc.expires, acc.user, acc.password) == (5070, 600, "alice", PASSWORD)


def test_second_account_and_transport(opened: Opened) -> None:
    tab = opened.tab("Accounts")
    tab.show_account(1)
    opened.type_into(tab, "accounts.1.user", "bob")
    assert tab.error_text("accounts.1.server") == "a server is needed"
    assert not opened.dialog.apply()
    opened.type_into(tab, "accounts.1.server", "pbx.example.com")
    opened.type_into(tab, "accounts.1.password", "s3cret")
    transport = tab.editor("accounts.1.transport")
    assert isinstance(transport, QComboBox)
    transport.setCurrentIndex(transport.findData("tls"))
    assert opened.dialog.errors() == {}
    assert opened.dialog.apply()
    accounts = opened.emitted[-1].accounts
    assert len(accounts) == 2  # the empty slots 3-6 are not saved
    assert accounts[1].enabled  # filling an empty slot switches it on
    assert (accounts[1].user, accounts[1].server, accounts[1].transport) == (
        "bob",
        "pbx.example.com",
        "tls",
    )
    assert accounts[1].password == "s3cret"


def test_srtp_per_account_in_the_dialog_and_the_export(
    opened: Opened, screens_dir: Path, tmp_path: Path
) -> None:
    tab = opened.tab("Accounts")
    srtp = tab.editor("accounts.0.srtp")
    assert isinstance(srtp, QComboBox)
    assert srtp.currentData() == "off"  # Disabled, as on a Yealink
    assert [srtp.itemText(i) for i in range(srtp.count())] == ["Disabled", "Optional", "Compulsory"]
    srtp.setCurrentIndex(srtp.findData("compulsory"))
    opened.shot(screens_dir, "settings-accounts-srtp.png")
    assert opened.dialog.apply()
    assert opened.emitted[-1].accounts[0].srtp == "compulsory"
    out = tmp_path / "export.cfg"
    assert opened.dialog.export_cfg_file(out)
    assert "account.1.srtp_encryption = 2" in out.read_text()
    again, _ = import_cfg(out.read_text(), Settings())
    assert again.accounts[0].srtp == "compulsory"


def test_accounts_beyond_six_are_kept(qtbot: QtBot, config_dir: Path) -> None:
    settings = Settings(accounts=[AccountSettings(user=f"u{i}", server="h") for i in range(8)])
    o = Opened(qtbot, settings, config_dir)
    tab = o.tab("Accounts")
    o.type_into(tab, "accounts.0.label", "First")
    assert o.dialog.apply()
    assert [a.user for a in o.emitted[-1].accounts] == [f"u{i}" for i in range(8)]
    assert o.emitted[-1].accounts[0].label == "First"


# ---- Audio -----------------------------------------------------------------------------------


def test_audio_devices_ringtone_volumes(opened: Opened, screens_dir: Path) -> None:
    tab = opened.tab("Audio")
    handset = tab.editor("audio.handset_device")
    ringer = tab.editor("audio.ringer_device")
    assert isinstance(handset, QComboBox) and isinstance(ringer, QComboBox)
    # a headset needs a microphone; the ringer only a speaker
    assert [handset.itemText(i) for i in range(handset.count())] == [
        "System default",
        "USB Headset",
    ]
    assert ringer.findText("Speakers") >= 0 and ringer.findText("Microphone") < 0
    handset.setCurrentIndex(handset.findData("USB Headset"))
    ringer.setCurrentIndex(ringer.findData("Speakers"))
    country = tab.editor("audio.tone_country")
    assert isinstance(country, QComboBox)
    country.setCurrentIndex(country.findData("Germany"))
    volume = tab.editor("audio.volume_ringer")
    assert isinstance(volume, QSpinBox) and volume.maximum() == 15
    volume.setValue(12)
    tab.ringtone.setCurrentText(FILE_CHOICE)
    tab.ring_file.clear()
    opened.qtbot.keyClicks(tab.ring_file, "ring.wav")  # type: ignore[no-untyped-call]
    assert "absolute file path" in tab.ring_error.text()
    opened.shot(screens_dir, "settings-audio-error.png")
    assert not opened.dialog.apply()
    tab.ring_file.clear()
    opened.qtbot.keyClicks(tab.ring_file, "/usr/share/sounds/ring.wav")  # type: ignore[no-untyped-call]
    assert tab.ring_error.isHidden()
    opened.shot(screens_dir, "settings-audio.png")
    assert opened.dialog.apply()
    audio = opened.emitted[-1].audio
    assert (audio.handset_device, audio.ringer_device, audio.handsfree_device) == (
        "USB Headset",
        "Speakers",
        "",
    )
    assert (audio.tone_country, audio.volume_ringer) == ("Germany", 12)
    assert audio.ringtone == "/usr/share/sounds/ring.wav"


def test_audio_keeps_a_device_that_is_not_connected(qtbot: QtBot, config_dir: Path) -> None:
    settings = make_settings()
    settings.audio.ringer_device = "Old Dock"
    o = Opened(qtbot, settings, config_dir)
    ringer = o.tab("Audio").editor("audio.ringer_device")
    assert isinstance(ringer, QComboBox)
    assert ringer.currentText() == "Old Dock (not connected)"
    assert ringer.currentData() == "Old Dock"


# ---- Features --------------------------------------------------------------------------------


def test_features_validation_and_dnd(opened: Opened, screens_dir: Path) -> None:
    tab = opened.tab("Features")
    assert isinstance(tab, FeaturesTab)
    opened.type_into(tab, "features.ringing_timeout", "0")
    assert tab.error_text("features.ringing_timeout") == "0 is out of range 1-3600"
    opened.type_into(tab, "features.auto_answer_delay", "9")
    assert tab.error_text("features.auto_answer_delay") == "9 is out of range 1-4"
    prefixes = tab.editor("features.redirect.block_prefixes")
    opened.qtbot.keyClicks(prefixes, "00")  # type: ignore[no-untyped-call]
    opened.qtbot.keyClick(prefixes, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    opened.qtbot.keyClicks(prefixes, "abc")  # type: ignore[no-untyped-call]
    shown = tab.error_text("features.redirect.block_prefixes")
    assert "line 2: 'abc' is not a dial prefix" in shown
    opened.shot(screens_dir, "settings-features-errors.png")
    assert not opened.dialog.apply() and opened.emitted == []

    opened.type_into(tab, "features.ringing_timeout", "60")
    opened.type_into(tab, "features.auto_answer_delay", "2")
    for _ in "abc":
        opened.qtbot.keyClick(prefixes, Qt.Key.Key_Backspace)  # type: ignore[no-untyped-call]
    dnd = tab.editor("dnd.enabled")
    auto = tab.editor("accounts.0.auto_answer")
    code = tab.editor("dnd.refuse_code")
    assert isinstance(dnd, QCheckBox) and isinstance(auto, QCheckBox)
    assert isinstance(code, QComboBox)
    dnd.click()
    auto.click()
    code.setCurrentIndex(code.findData(603))
    assert opened.dialog.errors() == {}
    opened.shot(screens_dir, "settings-features.png")
    assert opened.dialog.apply()
    new = opened.emitted[-1]
    assert new.dnd.enabled and new.dnd.refuse_code == 603
    assert new.accounts[0].auto_answer and new.features.auto_answer_delay == 2
    assert new.features.ringing_timeout == 60
    assert new.features.redirect.block_prefixes == ["00"]
    assert new.accounts[0].user == "alice"  # the Accounts tab's fields untouched


# ---- Directory -------------------------------------------------------------------------------


def test_directory_add_edit_delete_search(opened: Opened, screens_dir: Path) -> None:
    tab = opened.tab("Directory")
    assert isinstance(tab, DirectoryTab)
    changes: list[int] = []
    tab.contacts_changed.connect(lambda: changes.append(1))
    editor = tab.add_new()
    editor.edits["mobile"].setText("0170 555")
    editor.buttons.accepted.emit()  # OK without a name: refused, editor stays
    assert editor.isVisible() and "needs a name" in editor.error.text()
    editor.edits["name"].setText("Bob Builder")
    editor.buttons.accepted.emit()
    assert not editor.isVisible()
    tab.save_contact(Contact(name="Carol", office="2002"))
    assert [c.name for c in Directory(opened.directory.path.parent).contacts()] == [
        "Bob Builder",
        "Carol",
    ]
    assert tab.table.rowCount() == 2 and changes == [1, 1]

    tab.select(tab.shown()[1].id)
    editor2 = tab.edit_selected()
    assert editor2 is not None and editor2.edits["name"].text() == "Carol"
    editor2.edits["office"].setText("2003")
    editor2.buttons.accepted.emit()
    assert opened.directory.search("2003")[0].name == "Carol"

    opened.qtbot.keyClicks(tab.search, "bui")  # type: ignore[no-untyped-call]
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "Bob Builder"
    tab.search.clear()
    opened.shot(screens_dir, "settings-directory.png")
    tab.select(tab.shown()[0].id)
    tab.delete_selected()
    assert [c.name for c in opened.directory.contacts()] == ["Carol"]
    assert len(changes) == 4
    assert not opened.dialog.is_dirty()  # contacts are not settings: nothing to apply


def test_directory_import_export(opened: Opened, tmp_path: Path) -> None:
    tab = opened.tab("Directory")
    xml = tmp_path / "contacts.xml"
    xml.write_text(
        '<root_contact_list><root_contact display_name="Dave" office_number="3001" '
        'mobile_number="0171" /></root_contact_list>'
    )
    vcf = tmp_path / "c.vcf"
    vcf.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Erin\r\nTEL;TYPE=WORK:4001\r\nEND:VCARD\r\n")
    assert tab.import_file(xml) == (1, [])
    assert tab.import_file(vcf) == (1, [])
    assert [c.name for c in opened.directory.contacts()] == ["Dave", "Erin"]
    out_xml, out_vcf = tmp_path / "out.xml", tmp_path / "out.vcf"
    assert tab.export_file(out_xml, "xml") and tab.export_file(out_vcf, "vcf")
    assert 'display_name="Dave"' in out_xml.read_text()
    assert "FN:Erin" in out_vcf.read_text()
    assert "2 contacts exported" in tab.status.text()


# ---- provisioning buttons --------------------------------------------------------------------


def test_import_cfg_shows_report_and_fills_tabs(opened: Opened, screens_dir: Path) -> None:
    assert opened.dialog.import_cfg_file(SAMPLE_CFG)
    report = opened.dialog.last_report
    assert "settings imported" in report
    assert "t46g-sample.cfg:30: account.1.nat.nat_traversal: not supported" in report
    assert opened.dialog.report_box.isVisible()
    assert opened.dialog.report_box.text.toPlainText() == report
    opened.dialog.report_box.grab().save(str(screens_dir / "settings-import-report.png"))
    opened.dialog.report_box.accept()
    accounts = opened.tab("Accounts")
    user = accounts.editor("accounts.0.user")
    assert isinstance(user, QLineEdit) and user.text() == "1001"
    assert opened.dialog.is_dirty() and opened.emitted == []  # nothing saved before OK
    assert opened.dialog.apply()
    expected, _ = import_cfg(SAMPLE_CFG.read_text(), make_settings())
    got = opened.emitted[-1]
    assert got.accounts == expected.accounts
    assert got.forward == expected.forward and got.remote == expected.remote


def test_import_unreadable_file_is_reported(opened: Opened, tmp_path: Path) -> None:
    before = opened.dialog.current()
    assert not opened.dialog.import_cfg_file(tmp_path / "missing.cfg")
    assert "Could not read" in opened.dialog.last_report
    assert opened.dialog.current() == before and not opened.dialog.is_dirty()


def test_export_has_no_password_and_reimports(opened: Opened, tmp_path: Path) -> None:
    out = tmp_path / "export.cfg"
    assert opened.dialog.export_cfg_file(out)
    text = out.read_text()
    assert text.startswith("#!version:1.0.0.1")
    assert "account.1.user_name = alice" in text
    assert PASSWORD not in text
    again, report = import_cfg(text, copy.deepcopy(make_settings()))
    assert again == make_settings() and not report.malformed


# ---- saving from the app ---------------------------------------------------------------------


def test_host_saves_and_a_failed_save_keeps_the_edits(qtbot: QtBot, config_dir: Path) -> None:
    from PySide6.QtWidgets import QWidget

    from app.store.settings import load_settings
    from app.store.settings_file import SettingsFile
    from ui.settings_host import SettingsHost

    parent = QWidget()
    qtbot.addWidget(parent)
    host = SettingsHost(SettingsFile(config_dir), parent)
    saved: list[int] = []
    host.saved.connect(lambda: saved.append(1))
    dialog = host.open("dnd")
    assert dialog.tab_widget.currentWidget() is dialog.tab("Features")
    dnd = dialog.tab("Features").editor("dnd.enabled")
    assert isinstance(dnd, QCheckBox)
    dnd.click()
    assert dialog.apply() and saved == [1]
    assert load_settings(config_dir).settings.dnd.enabled

    (config_dir / "settings.json").unlink()
    (config_dir / "settings.json").mkdir()  # the next save cannot replace it
    dnd.click()
    dialog.accept()  # OK: the dialog would close
    assert saved == [1] and "Could not save the settings" in host.last_error
    assert host.message is not None and host.message.isVisible()
    assert host.last_error in host.message.text()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert dialog.is_dirty()  # the edit is still there to retry
    assert not dialog.current().dnd.enabled
    host.message.accept()
    (config_dir / "settings.json").rmdir()
    assert dialog.apply() and saved == [1, 1]
    assert not load_settings(config_dir).settings.dnd.enabled
