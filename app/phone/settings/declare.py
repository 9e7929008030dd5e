"""How a setting is declared: once, on the dataclass field that holds it.

Every setting is a field of a dataclass in this package, made with one of
- `setting(default, label, cfg, ...)`: one value (bool, int, str, or a list of str or int);
- `group(Cls, label, cfg)`: a nested dataclass of settings (a section of them);
- `table(list|dict, label, cfg, Table(count, ...))`: entries 1..count of one dataclass, a list
  (accounts: entry n at index n-1) or a dict keyed by n (dial plan slots, forward per account);
- `names(label, cfg, NAMES)`: a dict of strings keyed by a fixed set of names (tones).
The field's annotation and default are the setting's type and default; the `Setting` kept in the
field's metadata holds the rest: the label and help a user reads (the Yealink web UI's or
handset's words where it has the setting), the range, choices or a named check, and its key in a
Yealink `.cfg` file. Validation (app/store/validate.py), .cfg import and export
(app/store/yealink_*.py), the settings dialog's fields (ui/settings/form.py) and
docs/settings.md (app/store/settings_doc.py) are all read from it.

Why on the fields rather than in a table of their own: the phone core reads these dataclasses
(typed attributes mypy checks, no lookups by name), so they have to exist anyway; a declaration
on the field it describes cannot drift from it, and adding a setting is one field in one file
(plus, to show it in the dialog, its key path in a tab's list).

Keys: `cfg` is relative to the enclosing group's key, joined with a dot. A table's `cfg` is a
template where `{n}` is the entry number and `{key}` the key of a setting inside the entry
(`account.{n}.{key}`, `dialplan.replace.{key}.{n}`; tables do not nest); a names map's has
`{name}`. `own=True` marks a setting Yealink has no key for: it is written under `deskphone.` +
its key (a Yealink phone ignores those), so an export imports back to the same settings. Yealink
spells some keys differently per account (`forward.always.*` but `account.1.always_fwd.*`):
`cfg_account` is the key a setting has inside a table declared `per_account`. A few per-account
keys are not under `account.X.` at all (`voice_mail.number.X`): `top=True` says `cfg` is the
whole key, with `{n}` standing for the entry's number.

Order: the .cfg export writes a section's keys in field order, then its blocks (names maps,
tables without a `.cfg` section of their own, fields declared `block=True`), also in field
order; a table with `section` writes each entry as its own `## ...` section. (That reproduces
the export as it was before the declarations: tests/data/golden-all-keys.cfg.) The dialog's
order is the tabs' (ui/settings/*_tab.py).

Cross-field checks are the dataclass's `CHECKS` class attribute: functions taking the instance
and returning {path inside it: reason}; a field's own check takes its value (each item of a
list, each value of a names map) and returns the reason, "" when fine.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Every text setting and every plain list is bounded: settings come from files and from .cfg
# provisioning too, and a 500,000-character label or a list of a million prefixes must be
# refused, not shown, sent in a SIP header or looped over. A setting may declare its own cap.
TEXT_MAX = 256  # characters of a text setting (and of each item of a list of texts)
LIST_MAX = 64  # items of a list setting that is not a table
PATH_MAX = 4096  # a file path (Linux PATH_MAX)
URL_MAX = 2048

Check = Callable[[Any], str]  # value -> "" when fine, else the reason (without the key)
GroupCheck = Callable[[Any], dict[str, str]]  # instance -> {path inside it: reason}
META = "deskphone.setting"


@dataclass(frozen=True)
class Choice:
    """One allowed value of a setting, with its label and .cfg spelling."""

    value: Any
    label: str  # as the dialog shows it
    cfg: str | None = None  # its spelling in a .cfg file, when not the value itself (or 0/1)


@dataclass(frozen=True)
class Codec:
    """How a value is spelt in a .cfg file, where the type's plain spelling is not it."""

    name: str
    decode: Callable[[str], Any]  # raises ValueError with the reason
    encode: Callable[[Any], str]
    null_when_empty: bool = True  # an empty value is written %NULL% (else `encode` spells it)


@dataclass(frozen=True)
class Joint:
    """One setting written as several keys (relative to where the setting's key would be).

    `parts` are (key, type) with the type's plain .cfg spelling; `split` gives the value's part
    values in that order ("" or None: written %NULL%); `join` makes the new value from the
    current one and the parts a file gives (None for %NULL%), raising ValueError with the
    reason; `keys` maps each part to its full key, for that message.
    """

    parts: tuple[tuple[str, type], ...]
    split: Callable[[Any], tuple[Any, ...]]
    join: Callable[[Any, dict[str, Any], dict[str, str]], Any]


@dataclass(frozen=True)
class Table:
    """A numbered group of settings entries (accounts, rules, line keys)."""

    count: int  # entries are numbered 1..count
    noun: str  # what one entry is, for messages: "account", "rule"
    refuse: str  # import message for a number outside 1..count; {count} is filled in
    section: str = ""  # each entry is its own .cfg section with this title ({n})
    per_account: bool = False  # entries n are accounts: keys inside use `cfg_account`
    pad: tuple[tuple[str, Any], ...] = ()  # a list's gap filler: these fields of a fresh entry
    pad_note: str = ""  # import note for each gap filled ({n})
    skip_empty: bool = False  # entries equal to a fresh one are not exported (nor kept on import)


@dataclass(frozen=True)
class Setting:
    """A setting's declaration: label, help, .cfg key, range and checks."""

    label: str
    help: str = ""
    cfg: str = ""  # "": not in .cfg files
    cfg_account: str | None = None
    own: bool = False
    top: bool = False  # cfg is the whole key ({n}: the entry's number), not under its table's
    lo: int | None = None
    hi: int | None = None
    choices: tuple[Choice, ...] = ()
    check: Check | None = None
    hint: str = ""  # the dialog's placeholder; {lo} {hi} {default} are filled in
    secret: bool = False  # a password: masked, kept out of settings.json and exports
    codec: Codec | None = None
    joint: Joint | None = None
    block: bool = False
    table: Table | None = None
    names: tuple[str, ...] = ()
    unknown: str = ""  # reason given for a name not in `names`
    # a value that is kept but not (fully) supported: value -> the import's warning, "" if none
    warn: Check | None = None
    max_len: int = TEXT_MAX  # a text value (or each text item) is at most this long
    max_items: int = LIST_MAX  # a plain list holds at most this many items

    @property
    def range_text(self) -> str:
        return f"{self.lo}-{self.hi}" if self.lo is not None and self.hi is not None else ""


def _field(default: Any, meta: Setting) -> Any:
    if callable(default):
        return dataclasses.field(default_factory=default, metadata={META: meta})
    return dataclasses.field(default=default, metadata={META: meta})


def setting(default: Any, label: str, cfg: str = "", **kw: Any) -> Any:
    """A field holding one setting; `default` may be a factory (list, dict, a lambda)."""
    return _field(default, Setting(label, cfg=cfg, **kw))


def group(cls: type[Any], label: str, cfg: str = "", **kw: Any) -> Any:
    return _field(cls, Setting(label, cfg=cfg, **kw))


def table(factory: type[Any], label: str, cfg: str, table: Table, **kw: Any) -> Any:
    return _field(factory, Setting(label, cfg=cfg, table=table, **kw))


def names(label: str, cfg: str, names: tuple[str, ...], **kw: Any) -> Any:
    return _field(dict, Setting(label, cfg=cfg, names=names, **kw))


@dataclass(frozen=True)
class Declared:
    """One field as declared: its name, Setting, resolved type and default."""

    name: str
    setting: Setting
    type: Any
    default: Any

    @property
    def entry(self) -> Any:
        """The entry type of a table, the item type of a list, the value type of a map."""
        args = typing.get_args(self.type)
        return args[-1] if args else None

    @property
    def is_group(self) -> bool:
        return dataclasses.is_dataclass(self.type)

    @property
    def placeholder(self) -> str:
        s = self.setting
        text = s.hint or ("{default}" if self.type is int else "")
        return text.format(lo=s.lo, hi=s.hi, default=self.default)


@functools.cache
def declared(cls: type[Any]) -> tuple[Declared, ...]:
    """The declared fields of a settings dataclass, in field order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(META)
        if not isinstance(meta, Setting):
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with setting()/group()")
        factory = f.default_factory
        default = factory() if factory is not dataclasses.MISSING else f.default
        out.append(Declared(f.name, meta, hints[f.name], default))
    return tuple(out)


def group_checks(cls: type[Any]) -> tuple[GroupCheck, ...]:
    checks: tuple[GroupCheck, ...] = getattr(cls, "CHECKS", ())
    return checks


def find(root: type[Any], path: str) -> Declared:
    """The declaration a key path falls under: `accounts.0.port` -> AccountSettings.port.

    Numbers and names inside tables, lists and maps are stepped over; KeyError if none."""
    cls: Any = root
    found: Declared | None = None
    parts = path.split(".")
    i = 0
    while i < len(parts):
        by_name: Mapping[str, Declared] = {d.name: d for d in declared(cls)}
        if parts[i] not in by_name:
            raise KeyError(path)
        found = by_name[parts[i]]
        i += 1
        if found.setting.table is not None:
            cls, i = found.entry, i + 1
        elif found.is_group:
            cls = found.type
        else:
            break
        if i >= len(parts):
            break
    if found is None:
        raise KeyError(path)
    return found
