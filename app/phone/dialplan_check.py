"""Checks of the dial plan settings: key path -> message, as app/store/validate.py reports.

Values of the wrong type are left to validate.py's type walk; here only their meaning is
checked (patterns compile, $N names a group, slots and accounts in range, lengths).
"""

from __future__ import annotations

import re
from typing import Any

from app.phone.dialplan import (
    AREA_CODE_MAX,
    DIALNOW_DELAY_MAX,
    MAX_LINE,
    SLOTS,
    PatternError,
    compile_pattern,
    replacement_error,
)
from app.phone.settings import DialPlanSettings

_AREA_CODE = re.compile(r"^[0-9*#+]*$")
_PATTERN_FIELD = {"replace": "prefix", "dialnow": "rule", "block_out": "number"}


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _line_errors(path: str, line_id: Any, out: dict[str, str]) -> None:
    if not isinstance(line_id, list):
        return
    for i, n in enumerate(line_id):
        if _int(n) and not 0 <= n <= MAX_LINE:
            out[f"{path}.line_id.{i}"] = (
                f"{path}.line_id.{i}: account {n} is out of range 1-{MAX_LINE} (0: all)"
            )


def _rule_errors(name: str, slot: Any, rule: Any, out: dict[str, str]) -> None:
    path = f"dialplan.{name}.{slot}"
    if _int(slot) and not 1 <= slot <= SLOTS[name]:
        out[path] = f"{path}: rule number {slot} is out of range 1-{SLOTS[name]}"
        return
    attr = _PATTERN_FIELD[name]
    text = getattr(rule, attr, "")
    groups = -1
    if isinstance(text, str) and text:
        try:
            groups = compile_pattern(text).groups
        except PatternError as exc:
            out[f"{path}.{attr}"] = f"{path}.{attr}: {exc}"
    replace = getattr(rule, "replace", None)
    if name == "replace" and isinstance(replace, str) and groups >= 0:
        why = replacement_error(replace, groups)
        if why:
            out[f"{path}.replace"] = f"{path}.replace: {why}"
    _line_errors(path, getattr(rule, "line_id", None), out)


def dialplan_errors(plan: DialPlanSettings) -> dict[str, str]:
    """Every problem of the dial plan settings, by key path (`dialplan.replace.3.prefix`)."""
    out: dict[str, str] = {}
    if not isinstance(plan, DialPlanSettings):
        return out
    for name in SLOTS:
        rules = getattr(plan, name)
        if isinstance(rules, dict):
            for slot, rule in rules.items():
                _rule_errors(name, slot, rule, out)
    area = plan.area_code
    code = getattr(area, "code", "")
    if isinstance(code, str) and (len(code) > AREA_CODE_MAX or not _AREA_CODE.match(code)):
        out["dialplan.area_code.code"] = (
            f"dialplan.area_code.code: '{code}' is not an area code "
            f"(digits, *, #, +; at most {AREA_CODE_MAX})"
        )
    lo, hi = getattr(area, "min_len", 1), getattr(area, "max_len", 15)
    for key, value in (("min_len", lo), ("max_len", hi)):
        if _int(value) and not 1 <= value <= 15:
            out[f"dialplan.area_code.{key}"] = (
                f"dialplan.area_code.{key}: {value} is out of range 1-15"
            )
    if _int(lo) and _int(hi) and "dialplan.area_code.max_len" not in out and lo > hi:
        out["dialplan.area_code.max_len"] = (
            f"dialplan.area_code.max_len: {hi} is below the minimum length {lo}"
        )
    _line_errors("dialplan.area_code", getattr(area, "line_id", None), out)
    delay = plan.dialnow_delay
    if _int(delay) and not 0 <= delay <= DIALNOW_DELAY_MAX:
        out["dialplan.dialnow_delay"] = (
            f"dialplan.dialnow_delay: {delay} is out of range 0-{DIALNOW_DELAY_MAX}"
        )
    return out
