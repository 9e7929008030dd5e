"""Type, range and named checks of Settings, all read from the declarations (app/phone/settings).

Key paths are the dataclass attribute paths joined by dots, with list indexes and dict keys
as parts: `accounts.0.port`, `forward.accounts.1.always.target`, `audio.custom_tones.busy`.
The provisioning import maps them back to Yealink key names.
"""

from __future__ import annotations

import re
import typing
from dataclasses import is_dataclass
from typing import Any

from app.phone.settings import Settings
from app.phone.settings.checks import normalize_mac, tone_error
from app.phone.settings.declare import Declared, Setting, declared, group_checks

__all__ = ["normalize_mac", "tone_error", "validate_settings", "value_error"]


def _shown(value: Any) -> str:
    """A value as a message quotes it: never more than a line, whatever a file held."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _type_error(value: Any, hint: Any) -> str:
    if hint is bool:
        return (
            "" if isinstance(value, bool) else f"expected on/off (true/false), got {_shown(value)}"
        )
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return "" if ok else f"expected a whole number, got {_shown(value)}"
    if hint is str:
        if not isinstance(value, str):
            return f"expected text, got {_shown(value)}"
        if re.search(r"[\x00-\x1f]", value):
            return "contains a line break or control character"
    return ""


def value_error(s: Setting, value: Any) -> str:
    """Why one value (or one item of a list) breaks its declaration's length cap, range,
    choices or check."""
    if isinstance(value, str) and len(value) > s.max_len:
        return f"longer than {s.max_len} characters ({len(value)})"
    if s.lo is not None and s.hi is not None and not s.lo <= value <= s.hi:
        return f"{value} is out of range {s.lo}-{s.hi}"
    if s.choices and value not in [c.value for c in s.choices]:
        shown = ", ".join(str(c.value) for c in s.choices)
        return f"{_shown(value)} is not one of {shown}"
    return s.check(value) if s.check is not None else ""


def _leaf(value: Any, hint: Any, s: Setting, path: str, out: dict[str, str]) -> None:
    error = _type_error(value, hint) or value_error(s, value)
    if error:
        out[path] = f"{path}: {error}"


def _section(obj: Any, cls: Any, path: str, out: dict[str, str]) -> None:
    if not isinstance(obj, cls):
        out[path] = f"{path}: expected a {cls.__name__} section"
        return
    for d in declared(cls):
        _field(getattr(obj, d.name), d, f"{path}.{d.name}" if path else d.name, out)
    for check in group_checks(cls):
        for sub, reason in check(obj).items():
            key = f"{path}.{sub}" if path else sub
            out.setdefault(key, f"{key}: {reason}")


def _field(value: Any, d: Declared, path: str, out: dict[str, str]) -> None:
    s, origin = d.setting, typing.get_origin(d.type)
    if is_dataclass(d.type):
        _section(value, d.type, path, out)
    elif origin is list:
        if not isinstance(value, list):
            out[path] = f"{path}: expected a list, got {_shown(value)}"
            return
        if s.table is not None and len(value) > s.table.count:
            t = s.table
            out[path] = f"{path}: at most {t.count} {t.noun}s, got {len(value)}"
        elif s.table is None and len(value) > s.max_items:
            out[path] = f"{path}: at most {s.max_items} entries, got {len(value)}"
            return  # one message, not one per item
        for i, item in enumerate(value):
            _item(item, d, f"{path}.{i}", out)
    elif origin is dict:
        if not isinstance(value, dict):
            out[path] = f"{path}: expected a mapping, got {_shown(value)}"
            return
        key_type = typing.get_args(d.type)[0]
        for k, item in value.items():
            sub = f"{path}.{k}"
            shown = sub if len(sub) <= 100 else f"{sub[:97]}..."  # a key from a file
            key_error = _type_error(k, key_type)
            if key_error:
                out[sub] = f"{shown}: key {key_error}"
            elif s.table is not None and not 1 <= k <= s.table.count:
                out[sub] = f"{sub}: {s.table.noun} number {k} is out of range 1-{s.table.count}"
            elif s.names and k not in s.names:
                out[sub] = f"{shown}: {s.unknown}"
            else:
                _item(item, d, sub, out)
    else:
        _leaf(value, d.type, s, path, out)


def _item(item: Any, d: Declared, path: str, out: dict[str, str]) -> None:
    if is_dataclass(d.entry):
        _section(item, d.entry, path, out)
    else:
        _leaf(item, d.entry, d.setting, path, out)


def validate_settings(settings: Settings) -> dict[str, str]:
    """Every problem found, as key path -> message that starts with the key path."""
    out: dict[str, str] = {}
    _section(settings, Settings, "", out)
    return out
