"""The dial plan settings: saved and loaded, validated, and as Yealink .cfg keys both ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.phone.settings import (
    AreaCode,
    BlockOutRule,
    DialNowRule,
    DialPlanSettings,
    ReplaceRule,
    Settings,
)
from app.store.errors import InvalidSettings
from app.store.secrets import SecretStore
from app.store.settings import SETTINGS_FILE, load_settings, save_settings
from app.store.validate import validate_settings
from app.store.yealink_cfg import export_cfg, import_cfg

HEADER = "#!version:1.0.0.1\n"


def _plan() -> DialPlanSettings:
    return DialPlanSettings(
        replace={
            1: ReplaceRule("001(xxx)45(xx)", "9001$145$2"),
            7: ReplaceRule("9([5-7])(.)", "5$2", [1, 3]),
        },
        dialnow={2: DialNowRule("1xxx", [2])},
        block_out={1: BlockOutRule("4321")},
        area_code=AreaCode("011", 4, 11, [1]),
        dialnow_delay=3,
    )


def test_defaults_are_empty() -> None:
    d = Settings().dialplan
    assert (d.replace, d.dialnow, d.block_out, d.area_code.code) == ({}, {}, {}, "")
    assert (d.area_code.min_len, d.area_code.max_len, d.dialnow_delay) == (1, 15, 1)


def test_save_load_round_trip(config_dir: Path) -> None:
    secrets = SecretStore(config_dir, use_keyring=False)
    s = Settings(dialplan=_plan())
    save_settings(config_dir, s, secrets)
    raw = json.loads((config_dir / SETTINGS_FILE).read_text())
    assert raw["dialplan"]["replace"]["7"]["line_id"] == [1, 3]
    loaded = load_settings(config_dir, secrets)
    assert loaded.warning == ""
    assert loaded.settings.dialplan == s.dialplan


def test_save_refuses_a_malformed_pattern_naming_its_key(config_dir: Path) -> None:
    s = Settings(dialplan=DialPlanSettings(replace={3: ReplaceRule("1(2", "5")}))
    with pytest.raises(InvalidSettings) as err:
        save_settings(config_dir, s, SecretStore(config_dir, use_keyring=False))
    assert "dialplan.replace.3.prefix" in err.value.errors
    assert not (config_dir / SETTINGS_FILE).exists()


def test_load_resets_invalid_entries_and_reports_them(config_dir: Path) -> None:
    secrets = SecretStore(config_dir, use_keyring=False)
    save_settings(config_dir, Settings(dialplan=_plan()), secrets)
    raw = json.loads((config_dir / SETTINGS_FILE).read_text())
    raw["dialplan"]["replace"]["1"]["prefix"] = "[]"
    raw["dialplan"]["replace"]["200"] = {"prefix": "1", "replace": "2", "line_id": []}
    raw["dialplan"]["dialnow_delay"] = 99
    raw["dialplan"]["unknown_key"] = 1
    (config_dir / SETTINGS_FILE).write_text(json.dumps(raw))
    loaded = load_settings(config_dir, secrets)
    d = loaded.settings.dialplan
    assert "dialplan.replace.1.prefix" in loaded.warning
    assert "dialplan.replace.200" in loaded.warning
    assert "dialplan.dialnow_delay" in loaded.warning
    assert d.replace[1].prefix == "" and 200 not in d.replace and d.dialnow_delay == 1
    assert d.replace[7] == _plan().replace[7]  # the good rules stay


def test_validation_messages() -> None:
    s = Settings(
        dialplan=DialPlanSettings(
            replace={1: ReplaceRule("1(x)", "$2"), 2: ReplaceRule("1", "2", [17])},
            block_out={11: BlockOutRule("1")},
            area_code=AreaCode("01a", 9, 4),
            dialnow_delay=15,
        )
    )
    errors = validate_settings(s)
    assert "$2 but the pattern has 1 group" in errors["dialplan.replace.1.replace"]
    assert "account 17" in errors["dialplan.replace.2.line_id.0"]
    assert "1-10" in errors["dialplan.block_out.11"]
    assert "not an area code" in errors["dialplan.area_code.code"]
    assert "below the minimum length 9" in errors["dialplan.area_code.max_len"]
    assert "0-14" in errors["dialplan.dialnow_delay"]


CFG = (
    HEADER
    + """
dialplan.replace.prefix.1 = 001(xxx)45(xx)
dialplan.replace.replace.1 = 9001$145$2
dialplan.replace.line_id.1 =
dialplan.replace.prefix.7 = 9([5-7])(.)
dialplan.replace.replace.7 = 5$2
dialplan.replace.line_id.7 = 1,3
dialplan.dialnow.rule.2 = 1xxx
dialplan.dialnow.line_id.2 = 2
dialplan.block_out.number.1 = 4321
dialplan.block_out.line_id.1 = 0
dialplan.area_code.code = 011
dialplan.area_code.min_len = 4
dialplan.area_code.max_len = 11
dialplan.area_code.line_id = 1
phone_setting.dialnow_delay = 3
"""
)


def test_import_the_yealink_keys() -> None:
    s, report = import_cfg(CFG)
    assert report.refused == [] and report.unsupported == [] and report.malformed == []
    assert s.dialplan == _plan()
    assert "dialplan.replace.line_id.1 is blank" in report.text()


def test_export_reimports_to_the_same_plan() -> None:
    text = export_cfg(Settings(dialplan=_plan()))
    assert "dialplan.replace.prefix.7 = 9([5-7])(.)" in text
    assert "dialplan.replace.line_id.1 = 0" in text
    assert "dialplan.dialnow.line_id.2 = 2" in text
    assert "phone_setting.dialnow_delay = 3" in text
    assert "dialplan.replace.prefix.2 " not in text  # only the slots in use
    again, report = import_cfg(text)
    assert report.refused == [] and report.unsupported == []
    assert again.dialplan == _plan()


def test_import_edits_one_slot_on_top_of_the_current_plan() -> None:
    base = Settings(dialplan=_plan())
    s, _ = import_cfg(HEADER + "dialplan.replace.replace.7 = 6$2\n", base)
    assert s.dialplan.replace[7] == ReplaceRule("9([5-7])(.)", "6$2", [1, 3])
    assert s.dialplan.replace[1] == base.dialplan.replace[1]
    s, _ = import_cfg(HEADER + "dialplan.replace.line_id.7 = %NULL%\n", base)
    assert s.dialplan.replace[7].line_id == []


def test_bad_values_are_refused_naming_the_key_and_the_rest_imports() -> None:
    text = HEADER + (
        "dialplan.replace.prefix.1 = 1(2\n"
        "dialplan.replace.replace.1 = 5\n"
        "dialplan.replace.prefix.101 = 1\n"
        "dialplan.dialnow.rule.3 = [7-5]\n"
        "dialplan.block_out.line_id.2 = one\n"
        "phone_setting.dialnow_delay = 20\n"
        "dialplan.replace.bogus.1 = 1\n"
        "dialplan.area_code.code = 0711\n"
    )
    s, report = import_cfg(text)
    refused = {r.key: r.message for r in report.refused}
    assert "'(' is not closed" in refused["dialplan.replace.prefix.1"]
    assert "1 to 100" in refused["dialplan.replace.prefix.101"]
    assert "low first" in refused["dialplan.dialnow.rule.3"]
    assert "account numbers" in refused["dialplan.block_out.line_id.2"]
    assert "0-14" in refused["phone_setting.dialnow_delay"]
    assert report.unsupported_keys == ["dialplan.replace.bogus.1"]
    assert s.dialplan.area_code.code == "0711"
    assert s.dialplan.dialnow_delay == 1
    assert validate_settings(s) == {}
