"""docs/settings.md, the settings reference, rendered from the declarations (app/phone/settings).

    python -m app.store.settings_doc > docs/settings.md

tests/unit/test_settings_doc.py fails while the committed file is not what this renders.
"""

from __future__ import annotations

import typing
from typing import Any

from app.phone.settings import Settings
from app.phone.settings.declare import Declared, Setting, declared
from app.store.yealink_keys import compose, full_key, part_key, setting_key

INTRO = """\
# Settings reference

Generated from the declarations in `app/phone/settings/` by
`python -m app.store.settings_doc > docs/settings.md`; do not edit it by hand
(`tests/unit/test_settings_doc.py` fails while it is not current).

For each setting: its label (the settings dialog's, which is the Yealink web UI's where the
phone has the setting), its key path in `settings.json`, its key in a Yealink `.cfg` file,
its values and its default. `<n>` is an account or rule number (1-based); accounts are a list
in `settings.json`, so account `<n>` is `accounts.<i>` with `<i>` = `<n>` - 1. Keys under
`deskphone.` are DeskPhone's own (a Yealink phone ignores them); `%NULL%` in a `.cfg` file
puts a setting back to its default. Passwords are kept in the system keyring (or a private
file), never in `settings.json`, and are left out of `.cfg` exports unless asked for.
"""


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _default(d: Declared) -> str:
    value = d.default
    for c in d.setting.choices:
        if c.value == value and isinstance(value, bool):
            return c.label
    if isinstance(value, bool):
        return "on" if value else "off"
    if value in ("", [], {}):
        return "empty"
    if isinstance(value, list):
        return ", ".join(_code(str(v)) for v in value)
    return _code(str(value))


def _choice(value: Any, label: str, cfg: str | None) -> str:
    shown = ("on" if value else "off") if isinstance(value, bool) else f"`{value}`"
    if isinstance(value, bool) and cfg is None:
        cfg = "1" if value else "0"
    label = label.removeprefix(str(value)).strip() if not isinstance(value, bool) else label
    extra = "; ".join(p for p in (label, f".cfg `{cfg}`" if cfg is not None else "") if p)
    return f"{shown} ({extra})" if extra else shown


def _values(d: Declared) -> str:
    s = d.setting
    if s.choices:
        return ", ".join(_choice(c.value, c.label, c.cfg) for c in s.choices)
    if s.names:
        return "by name: " + ", ".join(s.names)
    if d.type is bool:
        return "on/off (.cfg 1/0)"
    if d.type is int:
        return s.range_text or "whole number"
    spelt = f" (.cfg: {s.codec.name})" if s.codec is not None else ""
    if typing.get_origin(d.type) is list:
        item = "numbers" if d.entry is int else f"texts of at most {s.max_len} characters"
        spelt = spelt or ("" if s.joint else " (.cfg: comma-separated)")
        return f"list of at most {s.max_items} {item}{spelt}"
    return f"text, at most {s.max_len} characters{spelt}"


def _keys(d: Declared, tmpl: str, cfg: str) -> str:
    s = d.setting
    if s.joint is not None:
        keys = [full_key(tmpl, part_key(cfg, part), s.own) for part, _ in s.joint.parts]
        return "<br>".join(_code(k) for k in keys)
    return _code(setting_key(tmpl, cfg, s, "<n>")) if cfg else "(settings.json only)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class _Doc:
    def __init__(self) -> None:
        self.out: list[str] = [INTRO]

    def section(
        self, cls: Any, title: str, help: str, path: str, tmpl: str, per_account: bool
    ) -> None:
        rows: list[str] = []
        later: list[tuple[Any, str, str, str, str, bool]] = []
        self._rows(cls, path, tmpl, per_account, rows, later)
        self.out += ["", f"## {title}", ""]
        if help:
            self.out += [help, ""]
        if rows:
            self.out += [
                "| Setting | settings.json | .cfg key | Values | Default | About |",
                "|---|---|---|---|---|---|",
                *rows,
            ]
        for args in later:
            self.section(*args)

    def _rows(
        self, cls: Any, path: str, tmpl: str, per_account: bool, rows: list[str], later: list[Any]
    ) -> None:
        for d in declared(cls):
            s = d.setting
            cfg = s.cfg_account if per_account and s.cfg_account is not None else s.cfg
            sub = f"{path}.{d.name}" if path else d.name
            if s.table is not None:
                index = "<i>" if typing.get_origin(d.type) is list else "<n>"
                title = f"{s.label}: `{sub}.{index}`, <n> 1-{s.table.count}"
                inner = compose(tmpl, s.cfg).replace("{n}", "<n>")
                later.append((d.entry, title, s.help, f"{sub}.{index}", inner, s.table.per_account))
            elif d.is_group:
                inner = compose(tmpl, f"{cfg}.{{key}}") if cfg else tmpl
                title = f"{s.label}: `{sub}`"
                later.append((d.type, title, s.help, sub, inner, per_account))
            else:
                rows.append(_row(d, s, sub, tmpl, cfg))


def _row(d: Declared, s: Setting, path: str, tmpl: str, cfg: str) -> str:
    key_path = f"{path}.<name>" if s.names else path
    keys = _keys(d, tmpl, cfg).replace("{name}", "<name>")
    cells = (s.label, _code(key_path), keys, _values(d), _default(d), s.help)
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render() -> str:
    doc = _Doc()
    doc.section(Settings, "Phone", "", "", "{key}", False)
    return "\n".join(doc.out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
