"""Yealink dial plan keys <-> Settings.dialplan (app/phone/settings.py), both ways.

Keys (T4x/T5x admin guide, "Dial Plan"): `dialplan.replace.prefix|replace|line_id.X` and
`dialplan.dialnow.rule|line_id.X` (X 1-100), `dialplan.block_out.number|line_id.X` (X 1-10),
`dialplan.area_code.code|min_len|max_len|line_id` and `phone_setting.dialnow_delay`.
A line_id is a comma list of account numbers; blank or 0 means every account, kept as [].
Rules stay under their slot X, so a file that sets slot 7 on top of other rules edits slot 7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.phone.dialplan import SLOTS
from app.phone.settings import BlockOutRule, DialNowRule, ReplaceRule, Settings
from app.store.yealink_keys import INT, NULL, STR, Codec

_SLOT_KEY = re.compile(r"^dialplan\.(replace|dialnow|block_out)\.([a-z_]+)\.(\d+)$")
_FIELDS = {
    "replace": ("prefix", "replace", "line_id"),
    "dialnow": ("rule", "line_id"),
    "block_out": ("number", "line_id"),
}
_RULES: dict[str, type[Any]] = {
    "replace": ReplaceRule,
    "dialnow": DialNowRule,
    "block_out": BlockOutRule,
}


def _lines_decode(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"'{text}' is not a list of account numbers like 1,2,3 (0: all)")
    numbers = sorted({int(p) for p in parts})
    return [] if 0 in numbers else numbers


def _lines_encode(value: list[int]) -> str:
    return ",".join(str(n) for n in value) if value else "0"


LINE_IDS = Codec("account list", _lines_decode, _lines_encode)
_AREA = {
    "dialplan.area_code.code": ("dialplan.area_code.code", STR),
    "dialplan.area_code.min_len": ("dialplan.area_code.min_len", INT),
    "dialplan.area_code.max_len": ("dialplan.area_code.max_len", INT),
    "dialplan.area_code.line_id": ("dialplan.area_code.line_id", LINE_IDS),
    "phone_setting.dialnow_delay": ("dialplan.dialnow_delay", INT),
}
_DEFAULTS: dict[str, Any] = {"code": "", "min_len": 1, "max_len": 15, "dialnow_delay": 1}


@dataclass(frozen=True)
class DialKey:
    """Where one dial plan key goes in Settings."""

    path: str  # e.g. dialplan.replace.7.prefix
    codec: Codec
    section: str = ""  # replace | dialnow | block_out; "" for area code / delay
    slot: int = 0
    attr: str = ""

    def decode(self, settings: Settings, text: str) -> Any:
        """The value for `text` (%NULL%: the default); makes the rule's slot exist.

        Raises ValueError naming the problem, e.g. a slot out of range."""
        if self.section:
            top = SLOTS[self.section]
            if not 1 <= self.slot <= top:
                raise ValueError(f"X of {self.section} rules ranges from 1 to {top}")
        value: Any
        if text == NULL:
            last = self.path.rsplit(".", 1)[-1]
            value = [] if self.codec is LINE_IDS else _DEFAULTS.get(last, "")
        else:
            value = self.codec.decode(text)
        if self.section:
            rules: dict[int, Any] = getattr(settings.dialplan, self.section)
            rules.setdefault(self.slot, _RULES[self.section]())
        return value


def dialplan_key(key: str) -> DialKey | None:
    """The DialKey of a dial plan key; None if `key` is not one."""
    if key in _AREA:
        path, codec = _AREA[key]
        return DialKey(path, codec)
    m = _SLOT_KEY.match(key)
    if m is None or m.group(2) not in _FIELDS[m.group(1)]:
        return None
    section, attr, slot = m.group(1), m.group(2), int(m.group(3))
    codec = LINE_IDS if attr == "line_id" else STR
    return DialKey(f"dialplan.{section}.{slot}.{attr}", codec, section, slot, attr)


def _value(value: Any, codec: Codec) -> str:
    if codec is LINE_IDS:
        return LINE_IDS.encode(value)
    return codec.encode(value) if value != "" else NULL


def export_dialplan(settings: Settings) -> list[str]:
    """The dial plan as `.cfg` lines; rules with nothing set are left out."""
    plan = settings.dialplan
    lines = [
        f"{key} = {_value(getattr(plan.area_code, path.rsplit('.', 1)[-1], None), codec)}"
        for key, (path, codec) in _AREA.items()
        if key.startswith("dialplan.")
    ]
    lines.append(f"phone_setting.dialnow_delay = {plan.dialnow_delay}")
    for section, attrs in _FIELDS.items():
        rules: dict[int, Any] = getattr(plan, section)
        for slot in sorted(rules):
            rule = rules[slot]
            if rule == _RULES[section]():
                continue
            for attr in attrs:
                codec = LINE_IDS if attr == "line_id" else STR
                lines.append(
                    f"dialplan.{section}.{attr}.{slot} = {_value(getattr(rule, attr), codec)}"
                )
    return lines


__all__ = ["LINE_IDS", "DialKey", "dialplan_key", "export_dialplan"]
