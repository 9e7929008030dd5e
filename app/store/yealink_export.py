"""Writing the settings as a Yealink `.cfg` that imports back to the same settings.

Everything comes from the declarations (app/phone/settings/declare.py says the order): the
phone-wide keys, then one `## ...` section per entry of a table that has one (accounts, then
the per-account forwards).
"""

from __future__ import annotations

import functools
import time
import typing
from collections.abc import Callable
from typing import Any

from app import __version__
from app.phone.settings import Settings
from app.phone.settings.declare import Declared, declared
from app.store.yealink_keys import (
    HEADER,
    NULL,
    STR,
    Codec,
    codec_for,
    compose,
    full_key,
    part_key,
    plain_codec,
    setting_key,
)

Block = Callable[[], list[str]]


def _text(codec: Codec, value: Any) -> str:
    if value is None or (codec.null_when_empty and (value == "" or value == [])):
        return NULL
    return codec.encode(value)


class _Writer:
    def __init__(self, include_passwords: bool) -> None:
        self.include_passwords = include_passwords
        self.sections: list[tuple[str, list[str]]] = []
        self.number = ""  # the table entry being written (tables do not nest), for `top` keys

    def group(self, obj: Any, cls: Any, tmpl: str, per_account: bool) -> list[str]:
        """A group's own keys, then its blocks."""
        lines: list[str] = []
        blocks: list[Block] = []
        self._fields(obj, cls, tmpl, per_account, lines, blocks)
        for block in blocks:
            lines += block()
        return lines

    def _fields(
        self,
        obj: Any,
        cls: Any,
        tmpl: str,
        per_account: bool,
        lines: list[str],
        blocks: list[Block],
    ) -> None:
        for d in declared(cls):
            s, value = d.setting, getattr(obj, d.name)
            cfg = s.cfg_account if per_account and s.cfg_account is not None else s.cfg
            if s.table is not None:
                rows = functools.partial(self._table, value, d, compose(tmpl, s.cfg))
                if s.table.section:
                    rows()
                else:
                    blocks.append(rows)
            elif d.is_group:
                sub = compose(tmpl, f"{cfg}.{{key}}") if cfg else tmpl
                if s.block:
                    blocks.append(functools.partial(self.group, value, d.type, sub, per_account))
                else:
                    self._fields(value, d.type, sub, per_account, lines, blocks)
            elif s.names:
                blocks.append(functools.partial(_names, full_key(tmpl, cfg, s.own), value))
            elif (s.secret and not self.include_passwords) or not (cfg or s.joint):
                continue
            else:
                out = _value(d, tmpl, cfg, value, self.number)
                if s.block:
                    blocks.append(functools.partial(list, out))
                else:
                    lines += out

    def _table(self, value: Any, d: Declared, tmpl: str) -> list[str]:
        t = d.setting.table
        assert t is not None
        is_list = typing.get_origin(d.type) is list
        entries = list(enumerate(value, 1)) if is_list else sorted(value.items())
        lines: list[str] = []
        for n, entry in entries:
            if t.skip_empty and entry == d.entry():
                continue
            self.number = str(n)
            rows = self.group(entry, d.entry, tmpl.replace("{n}", str(n)), t.per_account)
            self.number = ""
            if t.section:
                self.sections.append((t.section.format(n=n), rows))
            else:
                lines += rows
        return lines


def _value(d: Declared, tmpl: str, cfg: str, value: Any, number: str) -> list[str]:
    s = d.setting
    if s.joint is None:
        return [f"{setting_key(tmpl, cfg, s, number)} = {_text(codec_for(d), value)}"]
    parts = zip(s.joint.parts, s.joint.split(value), strict=True)
    return [
        f"{full_key(tmpl, part_key(cfg, part), s.own)} = {_text(plain_codec(kind), part_value)}"
        for (part, kind), part_value in parts
    ]


def _names(key: str, values: dict[str, str]) -> list[str]:
    return [
        f"{key.replace('{name}', name)} = {_text(STR, values[name])}" for name in sorted(values)
    ]


def export_cfg(settings: Settings, include_passwords: bool = False) -> str:
    """The settings as `.cfg` text; password keys are left out unless `include_passwords`."""
    writer = _Writer(include_passwords)
    phone = writer.group(settings, Settings, "{key}", False)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        HEADER,
        f"# DeskPhone {__version__} settings export, {when}.",
        "# Passwords included." if include_passwords else "# Passwords are not included.",
        "",
        "## Phone",
        *phone,
    ]
    for title, rows in writer.sections:
        lines += ["", f"## {title}", *rows]
    return "\n".join(lines) + "\n"
