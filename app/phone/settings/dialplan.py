"""Yealink's dial plan settings (app/phone/dialplan.py applies them).

Rules are kept under their Yealink slot X (replace and dial-now 1-100, block out 1-10), so a
.cfg that sets slot 7 edits slot 7; lower slots are tried first. The checks that need the
pattern compiler (a pattern compiles, $N names a group) are declared here with the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from app.phone.dialplan_pattern import PatternError, compile_pattern, pattern_error
from app.phone.dialplan_pattern import replacement_error as _replacement_error
from app.phone.settings.accounts import MAX_ACCOUNTS
from app.phone.settings.declare import Codec, GroupCheck, Table, group, setting, table

AREA_CODE_MAX = 16
_AREA_CODE = re.compile(r"^[0-9*#+]*$")
SYNTAX_HELP = (
    "Patterns match the whole number: . one or more characters, x one character, "
    "[5-7] or [2,5,8] one of a set, ( ) a group; $1..$9 in Replace is a group's text. "
    "Accounts: blank for all, or e.g. 1,2."
)


def _lines_decode(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"'{text}' is not a list of account numbers like 1,2,3 (0: all)")
    numbers = sorted({int(p) for p in parts})
    return [] if 0 in numbers else numbers


def _lines_encode(value: list[int]) -> str:
    return ",".join(str(n) for n in value) if value else "0"


# A comma list of account numbers; blank or 0 means every account, kept as [].
LINE_IDS = Codec(
    "comma-separated, 0: every account", _lines_decode, _lines_encode, null_when_empty=False
)


def _line_error(n: int) -> str:
    ok = 0 <= n <= MAX_ACCOUNTS
    return "" if ok else f"account {n} is out of range 1-{MAX_ACCOUNTS} (0: all)"


def _pattern(text: str) -> str:
    return pattern_error(text) if text else ""


def _line_id() -> Any:
    return setting(
        list, "Accounts", "line_id", codec=LINE_IDS, check=_line_error,
        hint="blank: all accounts",
        help="The account numbers the rule is for, e.g. 1,2; empty (or 0): every account.",
    )  # fmt: skip


def _rules(label: str, name: str, count: int, help: str) -> Any:
    return table(
        dict, label, f"dialplan.{name}.{{key}}.{{n}}",
        Table(count, "rule", f"X of {name} rules ranges from 1 to {{count}}", skip_empty=True),
        help=help,
    )  # fmt: skip


def _replacement(rule: ReplaceRule) -> dict[str, str]:
    if not isinstance(rule.prefix, str) or not rule.prefix or not isinstance(rule.replace, str):
        return {}
    try:
        groups = compile_pattern(rule.prefix).groups
    except PatternError:
        return {}
    why = _replacement_error(rule.replace, groups)
    return {"replace": why} if why else {}


def _lengths(area: AreaCode) -> dict[str, str]:
    lo, hi = area.min_len, area.max_len
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi))
    return {"max_len": f"{hi} is below the minimum length {lo}"} if ints and lo > hi else {}


def _area_code(code: str) -> str:
    if len(code) <= AREA_CODE_MAX and _AREA_CODE.match(code):
        return ""
    return f"'{code}' is not an area code (digits, *, #, +; at most {AREA_CODE_MAX})"


# fmt: off
@dataclass
class ReplaceRule:
    """A dial plan replace rule: a typed prefix dialled as another."""

    CHECKS: ClassVar[tuple[GroupCheck, ...]] = (_replacement,)

    prefix: str = setting(
        "", "Prefix", "prefix", check=_pattern,
        help="The pattern the whole number typed must match.",
    )
    replace: str = setting(
        "", "Replace", "replace", help="What is dialled instead; $N is group N's text.",
    )
    line_id: list[int] = _line_id()


@dataclass
class DialNowRule:
    """A dial-now rule: a matching number is dialled without Send."""

    rule: str = setting(
        "", "Rule", "rule", check=_pattern,
        help="A number matching this pattern is dialled at once, without Send.",
    )
    line_id: list[int] = _line_id()


@dataclass
class BlockOutRule:
    """A block-out rule: matching numbers cannot be dialled."""

    number: str = setting(
        "", "BlockOut Number", "number", check=_pattern,
        help="Numbers matching this pattern cannot be dialled, nor reached by a redirect, "
        "however they are written: +/00, national or international (the tone country's), "
        "tel:, sip: or user@host (a pattern, like the others).",
    )
    line_id: list[int] = _line_id()


@dataclass
class AreaCode:
    """The area code added to numbers of the given lengths."""

    CHECKS: ClassVar[tuple[GroupCheck, ...]] = (_lengths,)

    code: str = setting(
        "", "Code", "code", check=_area_code,
        hint=f"e.g. 011 (digits, at most {AREA_CODE_MAX})",
        help="Put in front of numbers of min_len to max_len characters; empty: off.",
    )
    min_len: int = setting(1, "Min length", "min_len", lo=1, hi=15, help="Shortest number.")
    max_len: int = setting(15, "Max length", "max_len", lo=1, hi=15, help="Longest number.")
    line_id: list[int] = _line_id()


@dataclass
class DialPlanSettings:
    """The dial plan: replace, dial-now, area code and block-out rules."""

    replace: dict[int, ReplaceRule] = _rules(
        "Replace Rules", "replace", 100, "A typed number matching Prefix is dialled as Replace.",
    )
    dialnow: dict[int, DialNowRule] = _rules(
        "Dial-now", "dialnow", 100, "Numbers dialled as soon as they match.",
    )
    block_out: dict[int, BlockOutRule] = _rules(
        "Block Out", "block_out", 10, "Numbers that cannot be dialled.",
    )
    area_code: AreaCode = group(
        AreaCode, "Area Code", "dialplan.area_code",
        help="An area code added to short numbers when no replace rule matched.",
    )
    dialnow_delay: int = setting(
        1, "Time-out for dial-now rule", "phone_setting.dialnow_delay", lo=0, hi=14,
        help="Seconds after a dial-now match before the number is dialled.",
    )
# fmt: on
