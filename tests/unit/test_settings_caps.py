"""Text and list settings are bounded wherever they come from: the dialog, settings.json, a .cfg
file. A 500,000-character label is refused with a message of one line, never kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.phone.settings import AccountSettings, Settings
from app.phone.settings.declare import LIST_MAX, TEXT_MAX
from app.store.secrets import SecretStore
from app.store.settings import InvalidSettings, load_settings, save_settings
from app.store.validate import validate_settings
from app.store.yealink_cfg import import_cfg

HUGE = "x" * 500_000


def test_validation_caps_every_text_and_list() -> None:
    s = Settings(accounts=[AccountSettings(user="alice", server="pbx", label=HUGE)])
    s.accounts[0].display_name = "d" * 65
    s.accounts[0].realm = "r" * (TEXT_MAX + 1)
    s.features.redirect.block_prefixes = ["00"] * 100_000
    s.remote.action_uri_allow = ["127.0.0.1", "1" * (TEXT_MAX + 1)]
    errors = validate_settings(s)
    assert errors["accounts.0.label"] == "accounts.0.label: longer than 64 characters (500000)"
    assert "longer than 64 characters" in errors["accounts.0.display_name"]
    assert f"longer than {TEXT_MAX} characters" in errors["accounts.0.realm"]
    block = "features.redirect.block_prefixes"
    assert errors[block] == f"{block}: at most {LIST_MAX} entries, got 100000"
    assert not [p for p in errors if p.startswith(f"{block}.")]  # one message, not 100,000
    assert "remote.action_uri_allow.1" in errors
    assert all(len(message) < 200 for message in errors.values())
    fine = Settings(accounts=[AccountSettings(user="alice", server="pbx", label="L" * 64)])
    assert validate_settings(fine) == {}


def test_a_huge_value_in_settings_json_is_reset_and_reported_briefly(config_dir: Path) -> None:
    store = SecretStore(config_dir, use_keyring=False)
    save_settings(
        config_dir, Settings(accounts=[AccountSettings(user="alice", server="pbx")]), store
    )
    path = config_dir / "settings.json"
    raw = json.loads(path.read_text())
    raw["accounts"][0]["label"] = HUGE
    raw["audio"]["ringtone"] = "/" + "r" * 500_000
    path.write_text(json.dumps(raw))
    loaded = load_settings(config_dir, store)
    assert loaded.settings.accounts[0].label == ""
    assert loaded.settings.audio.ringtone == "Ring1"
    assert loaded.settings.accounts[0].user == "alice"  # the rest is kept
    assert "accounts.0.label: longer than 64 characters" in loaded.warning
    assert len(loaded.warning) < 600
    with pytest.raises(InvalidSettings):
        save_settings(config_dir, Settings(accounts=[AccountSettings(label=HUGE)]), store)


def test_a_cfg_file_cannot_bring_a_huge_label() -> None:
    text = f"#!version:1.0.0.1\naccount.1.label = {HUGE}\naccount.1.user_name = alice\n"
    settings, report = import_cfg(text)
    assert settings.accounts[0].label == ""
    assert settings.accounts[0].user == "alice"
    refused = [str(r) for r in report.refused]
    assert any("account.1.label" in r and "longer than 64 characters" in r for r in refused)
    assert all(len(r) < 200 for r in refused)
