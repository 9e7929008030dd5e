"""Every setting is declared once (app/phone/settings/declare.py), and validation, the .cfg
keys and the dialog's metadata all follow the declaration."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.phone.settings import (
    AccountSettings,
    BlockOutRule,
    DialNowRule,
    ForwardSet,
    LineKeySettings,
    ReplaceRule,
    Settings,
    spec,
)
from app.phone.settings.declare import Declared, declared
from app.store.paths import set_path
from app.store.validate import validate_settings
from app.store.yealink_cfg import import_cfg
from app.store.yealink_keys import KeyRef, all_keys, cfg_key, lookup, out_of_range
from tests.unit.test_cfg_golden import golden_settings


def _classes(cls: Any = Settings) -> list[Any]:
    found = [cls]
    for d in declared(cls):
        inner = d.entry if d.setting.table is not None else d.type
        if dataclasses.is_dataclass(inner):
            found += [c for c in _classes(inner) if c not in found]
    return found


def _all() -> list[tuple[Any, Declared]]:
    return [(cls, d) for cls in _classes() for d in declared(cls)]


def test_every_field_of_every_settings_class_is_declared_with_label_and_help() -> None:
    assert len(_classes()) == 19  # + IntercomSettings, KeyBehaviour, LineKeySettings
    for cls, d in _all():
        assert d.setting.label, f"{cls.__name__}.{d.name}"
        is_section = dataclasses.is_dataclass(d.type) and not d.setting.help
        assert d.setting.help or is_section, f"{cls.__name__}.{d.name}"


def test_defaults_and_fresh_table_entries_are_valid() -> None:
    assert validate_settings(Settings()) == {}
    tables = [(cls, d) for cls, d in _all() if d.setting.table is not None]
    assert len(tables) == 6
    s = Settings(accounts=[AccountSettings()], line_keys={1: LineKeySettings()})
    s.forward.accounts[1] = ForwardSet()
    s.dialplan.replace[1], s.dialplan.dialnow[1] = ReplaceRule(), DialNowRule()
    s.dialplan.block_out[1] = BlockOutRule()
    assert validate_settings(s) == {}


def _base() -> Settings:
    """Every table has entries; the area code lengths leave each other the whole range."""
    s = golden_settings()
    s.dialplan.area_code.min_len, s.dialplan.area_code.max_len = 1, 15
    return s


def _ranged() -> list[KeyRef]:
    return [r for r in all_keys() if r.declared.setting.lo is not None and r.number < 2]


@pytest.mark.parametrize("ref", _ranged(), ids=lambda r: r.key)
def test_a_declared_range_is_what_validation_and_import_enforce(ref: KeyRef) -> None:
    s = ref.declared.setting
    assert s.lo is not None and s.hi is not None
    for value, ok in ((s.lo, True), (s.hi, True), (s.lo - 1, False), (s.hi + 1, False)):
        settings = _base()
        set_path(settings, ref.path, value)
        errors = validate_settings(settings)
        assert (ref.path not in errors) is ok, (value, errors)
        _, report = import_cfg(f"#!version:1.0.0.1\n{ref.key} = {value}\n", _base())
        assert bool(report.refused) is not ok, (value, report.text())


@pytest.mark.parametrize(("cls", "d"), [x for x in _all() if x[1].setting.choices])
def test_declared_choices_are_what_validation_accepts(cls: Any, d: Declared) -> None:
    paths = [r.path for r in all_keys() if r.declared is d and r.number < 2]
    assert paths, d.name
    for choice in d.setting.choices:
        settings = _base()
        set_path(settings, paths[0], choice.value)
        assert validate_settings(settings) == {}
    if d.type is not bool:
        settings = _base()
        set_path(settings, paths[0], "no such choice" if d.type is str else 999)
        assert paths[0] in validate_settings(settings)


def test_each_cfg_key_belongs_to_one_setting_and_each_value_has_one() -> None:
    refs = list(all_keys())
    assert len({r.key for r in refs}) == len(refs)
    plain = [r for r in refs if not r.part]
    assert len({r.path for r in plain}) == len(plain)
    leaves = {r.declared.name for r in refs}
    undeclared = [d.name for _, d in _all() if not _has_key(d) and d.name not in leaves]
    assert undeclared == ["schema"]  # settings.json only


def _has_key(d: Declared) -> bool:
    return dataclasses.is_dataclass(d.type) or d.setting.table is not None


def test_keys_beyond_a_table_are_refused_with_its_message() -> None:
    assert lookup("account.16.label") is not None and lookup("account.17.label") is None
    assert out_of_range("account.17.label") == "DeskPhone has accounts 1-16"
    assert out_of_range("account.0.outbound_host") == "DeskPhone has accounts 1-16"
    assert out_of_range("account.17.timeout_fwd.timeout") == "DeskPhone has accounts 1-16"
    assert (
        out_of_range("dialplan.block_out.number.11") == "X of block_out rules ranges from 1 to 10"
    )
    assert out_of_range("account.01.label") == "" and lookup("account.01.label") is None
    assert out_of_range("account.17.no_such_key") == ""


def test_lookup_and_cfg_key_go_both_ways() -> None:
    ref = lookup("account.2.sip_server.1.port")
    assert ref is not None and (ref.path, ref.entry, ref.number) == (
        "accounts.1.port",
        "accounts.1",
        2,
    )
    fwd = lookup("account.3.timeout_fwd.timeout")
    assert fwd is not None and fwd.path == "forward.accounts.3.no_answer_rings"
    slot = lookup("dialplan.replace.prefix.7")
    assert slot is not None and slot.path == "dialplan.replace.7.prefix"
    tone = lookup("voice.tone.busy")
    assert tone is not None and (tone.path, tone.name) == ("audio.custom_tones.busy", "busy")
    assert lookup("voice.tone.nonsense") is None
    assert cfg_key("forward.allowed") == "features.fwd.allow"
    assert cfg_key("features.redirect.mode") == "deskphone.redirect.mode"


def test_spec_finds_a_declaration_through_tables_and_maps() -> None:
    assert spec("accounts.3.port").setting.hi == 65535
    assert spec("forward.accounts.2.always.target").setting.label == "Forward to"
    assert spec("audio.custom_tones.busy").name == "custom_tones"
    assert spec("features.auto_answer_delay").placeholder == "1-4"
    assert spec("features.ringing_timeout").placeholder == "120"
    with pytest.raises(KeyError):
        spec("features.no_such_setting")


def test_a_table_entry_whose_only_key_is_refused_is_not_left_behind() -> None:
    text = "#!version:1.0.0.1\ndialplan.block_out.line_id.2 = one\naccount.3.label = x\n"
    s, report = import_cfg(text)
    assert [r.key for r in report.refused] == ["dialplan.block_out.line_id.2"]
    assert s.dialplan.block_out == {}  # an empty slot would be an empty row in the dialog
    assert [a.enabled for a in s.accounts] == [False, False, True]  # numbering kept
    assert report.notes[:2] == [
        "account 1 added, disabled, to keep account numbers",
        "account 2 added, disabled, to keep account numbers",
    ]
