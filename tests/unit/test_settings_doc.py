"""docs/settings.md is what app/store/settings_doc.py renders from the declarations."""

from __future__ import annotations

from pathlib import Path

from app.store.settings_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_the_committed_settings_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/settings.md is out of date: python -m app.store.settings_doc > docs/settings.md"
    )


def test_the_reference_names_every_setting_with_its_keys() -> None:
    text = render()
    for row in (
        "| Auto answer delay (s) | `features.auto_answer_delay` | `features.auto_answer_delay` "
        "| 1-4 | `1` |",
        "| Realm | `accounts.<i>.realm` | `deskphone.account.<n>.realm` |",
        "| Prefix | `dialplan.replace.<n>.prefix` | `dialplan.replace.prefix.<n>` |",
        "| On | `forward.accounts.<n>.always.enabled` | `account.<n>.always_fwd.enable` |",
    ):
        assert row in text, row
    assert "`account.<n>.outbound_proxy_enable`<br>`account.<n>.outbound_host`" in text
