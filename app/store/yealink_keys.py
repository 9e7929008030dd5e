"""Yealink .cfg keys <-> Settings key paths, derived from the declarations (app/phone/settings).

`lookup(key)` is the importer's one lookup: every key a .cfg file may hold (accounts 1-16,
forward per account, dial plan slots, tones, Action URLs, the outbound proxy's and emergency
numbers' keys) comes back as a KeyRef saying where its value goes and how it is spelt. Keys are
Yealink's own (docs/yealink.md §7, §8); settings a Yealink phone has no key for are
`deskphone.*`. Accounts are `account.1` to `account.16` in files and `accounts.0` to
`accounts.15` in Settings; `forward.accounts` and dial plan slots are keyed by their number,
like the file.
"""

from __future__ import annotations

import functools
import re
import typing
from dataclasses import dataclass, replace
from typing import Any

from app.phone.settings import Settings
from app.phone.settings.checks import split_host_port
from app.phone.settings.declare import Choice, Codec, Declared, Setting, declared

__all__ = [
    "BOOL",
    "HEADER",
    "INT",
    "LIST",
    "NULL",
    "STR",
    "Codec",
    "KeyRef",
    "all_keys",
    "codec_for",
    "compose",
    "full_key",
    "lookup",
    "out_of_range",
    "part_key",
    "setting_key",
    "split_host_port",
]

HEADER = "#!version:1.0.0.1"
NULL = "%NULL%"
DIRECTORY_URL_KEY = "local_contact.data.url"


def _bool(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"expected 0 or 1, got '{text}'")
    return text == "1"


def _int(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ValueError(f"expected a whole number, got '{text}'")
    return int(text)


BOOL = Codec("0/1", _bool, lambda v: "1" if v else "0")
INT = Codec("number", _int, str)
STR = Codec("text", lambda t: t, str)
LIST = Codec("list", lambda t: [p.strip() for p in t.split(",") if p.strip()], ",".join)


@functools.cache
def _enum(choices: tuple[Choice, ...], what: str) -> Codec:
    table = {c.cfg if c.cfg is not None else str(c.value): c.value for c in choices}
    back = {v: k for k, v in table.items()}

    def decode(text: str) -> Any:
        if text not in table:
            options = ", ".join(f"{k} ({v})" for k, v in table.items())
            raise ValueError(f"'{text}' is not a supported {what}: {options}")
        return table[text]

    return Codec(what, decode, lambda v: back[v])


def plain_codec(kind: Any) -> Codec:
    if kind is bool:
        return BOOL
    if kind is int:
        return INT
    return LIST if list in (kind, typing.get_origin(kind)) else STR


def codec_for(d: Declared) -> Codec:
    """The spelling of a setting's value in a .cfg file."""
    s = d.setting
    if s.codec is not None:
        return s.codec
    if any(c.cfg is not None for c in s.choices):
        label = s.label
        what = label[0].lower() + label[1:] if label[1:2].islower() else label
        return _enum(s.choices, what)
    return plain_codec(d.type)


def compose(template: str, key: str) -> str:
    """`account.{n}.{key}` + `label` -> `account.{n}.label`."""
    return template.replace("{key}", key)


def full_key(template: str, key: str, own: bool) -> str:
    """A setting's key: its own ones (Yealink has none) under `deskphone.`."""
    return ("deskphone." if own else "") + compose(template, key)


def setting_key(template: str, cfg: str, s: Setting, number: str = "{n}") -> str:
    """The key of a plain setting: under `template`, or `cfg` itself for a `top` one (whose
    `{n}` becomes `number`, the entry's number: `voice_mail.number.{n}`)."""
    if s.top:
        return cfg.replace("{n}", number)
    return full_key(template, cfg, s.own)


def part_key(cfg: str, part: str) -> str:
    """The key of a Joint's part, relative like the setting's own would be."""
    return f"{cfg}.{part}" if cfg else part


@dataclass(frozen=True)
class KeyRef:
    """Where the value of one concrete .cfg key goes."""

    key: str  # e.g. account.2.sip_server.1.port
    path: str  # Settings key path of the value, e.g. accounts.1.port
    declared: Declared
    codec: Codec  # spells this key's text (a joint's part: the part's own codec)
    entry: str = ""  # the table entry the key belongs to, e.g. accounts.1 ("" if none)
    table: Declared | None = None
    number: int = 0  # the entry's number n (1-based)
    part: str = ""  # the Joint part this key is
    name: str = ""  # the names-map entry this key is


@dataclass(frozen=True)
class _Template:
    key: str  # with {n} inside a table, {name} for a names map
    path: str  # with {n} (dict tables) or {i} (list tables: n - 1)
    declared: Declared
    table: Declared | None
    table_path: str = ""
    part: str = ""
    part_type: Any = None


def _walk(cls: Any, tmpl: str, path: str, table: Declared | None, tpath: str) -> list[_Template]:
    out: list[_Template] = []
    per_account = (
        table is not None and table.setting.table is not None and (table.setting.table.per_account)
    )
    for d in declared(cls):
        s = d.setting
        cfg = s.cfg_account if per_account and s.cfg_account is not None else s.cfg
        sub = f"{path}.{d.name}" if path else d.name
        if s.table is not None:
            index = "{i}" if typing.get_origin(d.type) is list else "{n}"
            out += _walk(d.entry, compose(tmpl, s.cfg), f"{sub}.{index}", d, f"{sub}.{index}")
        elif d.is_group:
            out += _walk(
                d.type, compose(tmpl, f"{cfg}.{{key}}") if cfg else tmpl, sub, table, tpath
            )
        elif s.joint is not None:
            for part, kind in s.joint.parts:
                key = full_key(tmpl, part_key(cfg, part), s.own)
                out.append(_Template(key, sub, d, table, tpath, part, kind))
        elif s.names:
            key = full_key(tmpl, cfg, s.own)
            out.append(_Template(key, f"{sub}.{{name}}", d, table, tpath))
        elif cfg:
            out.append(_Template(setting_key(tmpl, cfg, s), sub, d, table, tpath))
    return out


def _fill(text: str, n: int) -> str:
    return text.replace("{n}", str(n)).replace("{i}", str(n - 1))


@functools.cache
def _templates() -> tuple[_Template, ...]:
    return tuple(_walk(Settings, "{key}", "", None, ""))


@functools.cache
def _index() -> dict[str, KeyRef]:
    index: dict[str, KeyRef] = {}
    for t in _templates():
        codec = plain_codec(t.part_type) if t.part else codec_for(t.declared)
        table = t.table.setting.table if t.table is not None else None
        for n in range(1, table.count + 1) if table is not None else [0]:
            ref = KeyRef(
                _fill(t.key, n), _fill(t.path, n), t.declared, codec,
                _fill(t.table_path, n), t.table, n, t.part,
            )  # fmt: skip
            for name in t.declared.setting.names:
                named = replace(ref, key=ref.key.replace("{name}", name), codec=STR, name=name)
                index[named.key] = replace(named, path=ref.path.replace("{name}", name))
            if not t.declared.setting.names:
                index[ref.key] = ref
    return index


@functools.cache
def _numbered() -> tuple[tuple[re.Pattern[str], Declared], ...]:
    out = []
    for t in _templates():
        if t.table is not None:
            pattern = re.escape(t.key).replace(re.escape("{n}"), r"(\d+)")
            out.append((re.compile(f"^{pattern}$"), t.table))
    return tuple(out)


def all_keys() -> list[KeyRef]:
    """Every concrete key DeskPhone reads and writes."""
    return list(_index().values())


def lookup(key: str) -> KeyRef | None:
    """The KeyRef of a key DeskPhone knows, None if it does not (or the number is out of range)."""
    return _index().get(key)


def out_of_range(key: str) -> str:
    """The refusal for a known key of a table entry DeskPhone cannot have (account.17.label)."""
    for pattern, table in _numbered():
        m = pattern.match(key)
        t = table.setting.table
        if m and t is not None and not 1 <= int(m.group(1)) <= t.count:
            return t.refuse.format(count=t.count)
    return ""


def cfg_key(path: str) -> str:
    """The .cfg key of a key path (`forward.allowed` -> `features.fwd.allow`); "" if none."""
    for ref in _index().values():
        if ref.path == path and not ref.part:
            return ref.key
    return ""
