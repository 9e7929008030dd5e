"""Yealink .cfg import and export (tests/data/t46g-sample.cfg is hand-written, see its header)."""

from __future__ import annotations

from pathlib import Path

from app.phone.settings import Settings
from app.store.yealink_cfg import export_cfg, import_cfg, import_cfg_file

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "t46g-sample.cfg"
HEADER = "#!version:1.0.0.1\n"

UNSUPPORTED_IN_SAMPLE = {
    "account.1.sip_server.1.retry_counts", "account.1.sip_server.2.address",
    "account.1.codec.1.enable", "account.1.codec.1.payload_type", "account.1.nat.nat_traversal",
    "features.dnd.on_code", "features.dnd.off_code", "transfer.semi_attend_tran_enable",
    "voice.vad",
    "static.network.internet_port.type", "static.network.vlan.internet_port_enable",
    "static.security.user_password", "lang.gui", "local_time.time_zone", "local_time.ntp_server1",
    "programablekey.1.type", "phone_setting.backlight_time",
}  # fmt: skip


def test_sample_imports_what_deskphone_has() -> None:
    s, report = import_cfg_file(SAMPLE)
    assert report.malformed == [] and report.refused == []
    a1, a2 = s.accounts
    assert (a1.label, a1.user, a1.server, a1.expires) == ("Office", "1001", "pbx.example.com", 1800)
    assert a1.outbound_proxy == "sbc.example.com:5070" and a1.password == "Al1ce-Secret!"
    assert a1.subscribe_mwi and not a2.subscribe_mwi
    assert (a2.transport, a2.port, a2.dtmf, a2.auto_answer, a2.dnd) == (
        "tls",
        5061,
        "info",
        True,
        True,
    )
    assert (a1.srtp, a2.srtp) == ("off", "optional")  # account.2.srtp_encryption = 1
    fwd = s.forward.phone
    assert fwd.always.enabled and fwd.always.target == "4000" and fwd.always.on_code == "*72"
    assert fwd.busy.target == "5000" and fwd.no_answer.target == "sip:6000@pbx.example.com"
    assert fwd.no_answer_rings == 3 and s.forward.international is False
    assert s.forward.accounts[1].no_answer.target == "3000"  # account.1 → key 1
    assert s.forward.accounts[1].no_answer_rings == 4
    assert s.forward.never_forward == ["911", "112"]
    assert s.dnd.enabled and s.dnd.refuse_code == 486
    assert s.features.normal_refuse_code == 603 and s.features.auto_answer_delay == 3
    assert s.audio.tone_country == "Germany" and s.audio.custom_tones["busy"] == "425/480,0/480"
    assert s.audio.ringtone == "Ring3" and s.sip_port == 5062
    assert s.remote.action_uri_enabled and s.remote.action_uri_allow == ["127.0.0.1", "192.0.2.*"]
    assert set(s.remote.action_urls) == {
        "incoming_call", "call_established", "missed_call", "dnd_on", "dnd_off"
    }  # fmt: skip
    assert report.directory_url.endswith("contacts.xml")
    assert s.line_keys[3].type == 16 and (s.line_keys[3].value, s.line_keys[3].label) == (
        "1003",
        "Bob",
    )
    assert s.line_keys[1].type == s.line_keys[2].type == 15


def test_unsupported_keys_are_all_listed_with_lines() -> None:
    _, report = import_cfg_file(SAMPLE)
    assert set(report.unsupported_keys) == UNSUPPORTED_IN_SAMPLE
    lines = SAMPLE.read_text().splitlines()
    for row in report.unsupported:
        assert lines[row.line - 1].startswith(row.key + " =")
    assert "lang.gui" in report.text()


def test_round_trip_import_export_reimport_identical() -> None:
    first, _ = import_cfg_file(SAMPLE)
    text = export_cfg(first, include_passwords=True)
    second, report = import_cfg(text)
    assert report.unsupported == [] and report.refused == [] and report.malformed == []
    assert second == first
    assert export_cfg(second, include_passwords=True).splitlines()[3:] == text.splitlines()[3:]


def test_export_leaves_passwords_out_and_reimport_keeps_current_ones() -> None:
    current, _ = import_cfg_file(SAMPLE)
    current.remote.action_uri_password = "uri-secret"
    text = export_cfg(current)
    for secret in ("Al1ce-Secret!", "Supp0rt#Pass", "uri-secret"):
        assert secret not in text
    assert "password" not in text.replace("# Passwords are not included.", "")
    again, _ = import_cfg(text, base=current)
    assert again == current
    fresh, _ = import_cfg(text)
    assert fresh.accounts[0].password == "" and fresh.accounts[0].user == "1001"


def test_malformed_lines_reported_with_numbers_rest_imports() -> None:
    text = (
        HEADER
        + "account.1.label = A\nthis line has no equals\nbad key = 1\naccount.1.user_name = 7\n"
    )
    s, report = import_cfg(text)
    assert [r.line for r in report.malformed] == [3, 4]
    assert s.accounts[0].label == "A" and s.accounts[0].user == "7"


def test_missing_header_is_reported_but_file_imports() -> None:
    s, report = import_cfg("sip.listen_port = 5070\n")
    assert report.malformed[0].line == 1 and "#!version:1.0.0.1" in report.malformed[0].message
    assert s.sip_port == 5070


def test_out_of_range_values_refused_naming_the_key() -> None:
    text = HEADER + (
        "account.1.sip_server.1.port = 70000\n"
        "account.1.sip_server.1.transport_type = 3\n"
        "features.dnd_refuse_code = 500\n"
        "forward.no_answer.timeout = 30\n"
        "voice.tone.country = Atlantis\n"
        "call_waiting.enable = yes\n"
        "features.auto_answer_delay = 2\n"
    )
    s, report = import_cfg(text)
    refused = {r.key: r.message for r in report.refused}
    assert set(refused) == {
        "account.1.sip_server.1.port", "account.1.sip_server.1.transport_type",
        "features.dnd_refuse_code", "forward.no_answer.timeout", "voice.tone.country",
        "call_waiting.enable",
    }  # fmt: skip
    assert "70000" in refused["account.1.sip_server.1.port"]
    assert all(r.line > 1 for r in report.refused)
    defaults = Settings()
    assert s.accounts[0].port == 5060 and s.dnd.refuse_code == defaults.dnd.refuse_code
    assert s.forward.phone.no_answer_rings == 2 and s.audio.tone_country == "United States"
    assert s.features.auto_answer_delay == 2  # the good line still applies


def test_forward_on_without_target_is_refused() -> None:
    s, report = import_cfg(HEADER + "forward.always.enable = 1\n")
    assert not s.forward.phone.always.enabled
    assert report.refused[0].key == "forward.always.enable"


def test_null_clears_and_blank_leaves_unchanged() -> None:
    base, _ = import_cfg_file(SAMPLE)
    text = HEADER + (
        "account.1.label = %NULL%\naccount.1.display_name =\nvoice.tone.busy = %NULL%\n"
        "features.action_uri_limit_ip = %NULL%\nvoice.tone.country = %NULL%\n"
    )
    s, report = import_cfg(text, base=base)
    assert s.accounts[0].label == "" and s.accounts[0].display_name == "Alice Example"
    assert "busy" not in s.audio.custom_tones and s.remote.action_uri_allow == []
    assert s.audio.tone_country == "United States"
    assert any("blank" in n for n in report.notes)


def test_account_numbers_kept_and_beyond_16_refused() -> None:
    s, report = import_cfg(HEADER + "account.3.user_name = 33\naccount.17.user_name = 1\n")
    assert len(s.accounts) == 3 and s.accounts[2].user == "33"
    assert not s.accounts[0].enabled and not s.accounts[1].enabled
    assert [r.key for r in report.refused] == ["account.17.user_name"]


def test_later_duplicate_wins_and_is_noted() -> None:
    s, report = import_cfg(HEADER + "sip.listen_port = 5070\nsip.listen_port = 5080\n")
    assert s.sip_port == 5080
    assert any("line 2" in n and "line 3" in n for n in report.notes)


def test_report_never_shows_a_password_value() -> None:
    text = HEADER + "account.1.password secretvalue\naccount.1.password = bad\x01pw\n"
    _, report = import_cfg(text)
    assert "secretvalue" not in report.text() and "bad" not in report.text()
    assert report.malformed and report.refused


def test_voice_mail_number_is_a_per_account_key_outside_account_x() -> None:
    """voice_mail.number.X belongs to account X without being under `account.X.`."""
    text = HEADER + (
        "voice_mail.number.2 = *97\nvoice_mail.number.1 = sip:vm@pbx.example.com\n"
        "voice_mail.number.17 = 1\nvoice_mail.number.3 = *9 7\n"
    )
    s, report = import_cfg(text)
    assert [a.voice_mail for a in s.accounts] == ["sip:vm@pbx.example.com", "*97", ""]
    assert {r.key: r.message for r in report.refused} == {
        "voice_mail.number.17": "DeskPhone has accounts 1-16",
        "voice_mail.number.3": "'*9 7' is not a number or SIP address "
        "(digits, * # +, letters, @ . : _ -)",
    }
    out = export_cfg(s)
    assert "voice_mail.number.2 = *97\n" in out and "voice_mail.number.3 = %NULL%\n" in out
    assert "account.2.voice_mail" not in out
    again, report = import_cfg(out)
    assert report.refused == [] and [a.voice_mail for a in again.accounts] == [
        a.voice_mail for a in s.accounts
    ]
