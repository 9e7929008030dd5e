"""Yealink's dial plan: replace rules, dial-now, area code and block out (T4x/T5x "Dial Plan").

The patterns are app/phone/dialplan_pattern.py's. Every rule must match the WHOLE number
typed: the guide's dial-now "1xxx" dials "any entered four-digit string beginning with 1", and
its replace rule "2xx" -> "12345" turns "234" into "12345" (nothing left over). Lower slot
numbers are tried first and the first matching rule wins. `DialPlan` skips rules that do not
compile (and lists them in `errors`), so dialling never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.phone.dialing import DialError, plain_number
from app.phone.dialplan_pattern import (
    Pattern,
    PatternError,
    compile_pattern,
    expand,
    pattern_error,
    replacement_error,
)
from app.phone.numbers import NO_COUNTRY, Numbering, number_of, spellings
from app.phone.settings import DialPlanSettings
from app.phone.texts import T, tr

__all__ = [
    "DialPlan",
    "DialPlanResult",
    "NumberBlocked",
    "Pattern",
    "PatternError",
    "applies",
    "compile_pattern",
    "expand",
    "pattern_error",
    "plan_for",
    "planned_target",
    "replacement_error",
]


class NumberBlocked(DialError):
    """A block-out rule refuses the number; shown on screen as the phone does."""


def applies(line_id: list[int], account: int) -> bool:
    """line_id empty (or holding 0) means every account; else the 1-based account numbers."""
    return not line_id or 0 in line_id or account in line_id


@dataclass(frozen=True)
class DialPlanResult:
    """What the dial plan made of a typed number: the number to dial, or blocked."""

    number: str  # what to dial
    original: str  # what was typed
    blocked: bool = False
    rule: str = ""  # which rule decided, e.g. "replace 3", "area code", "block out 1"

    @property
    def changed(self) -> bool:
        return self.number != self.original


@dataclass(frozen=True)
class _Rule:
    """A replace rule compiled: its pattern and the accounts it applies to."""

    slot: int
    pattern: Pattern
    line_id: tuple[int, ...]
    replace: str = ""


@dataclass
class DialPlan:
    """The dial plan compiled once; rules that do not compile are skipped and listed."""

    replace: list[_Rule] = field(default_factory=list)
    dialnow: list[_Rule] = field(default_factory=list)
    block_out: list[_Rule] = field(default_factory=list)
    area_code: str = ""
    area_min: int = 1
    area_max: int = 15
    area_lines: tuple[int, ...] = ()
    delay: float = 1.0
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, s: DialPlanSettings) -> DialPlan:
        plan = cls(delay=float(s.dialnow_delay))
        sections = (
            ("replace", s.replace, "prefix", plan.replace),
            ("dialnow", s.dialnow, "rule", plan.dialnow),
            ("block_out", s.block_out, "number", plan.block_out),
        )
        for name, rules, attr, out in sections:
            for slot in sorted(rules):
                rule = rules[slot]
                text = str(getattr(rule, attr))
                if not text:
                    continue
                try:
                    pattern = compile_pattern(text)
                    replace = str(getattr(rule, "replace", ""))
                    if name == "replace" and (why := replacement_error(replace, pattern.groups)):
                        raise PatternError(why)
                except PatternError as exc:
                    plan.errors[f"dialplan.{name}.{slot}"] = str(exc)
                    continue
                lines = tuple(rule.line_id)
                out.append(_Rule(slot, pattern, lines, str(getattr(rule, "replace", ""))))
        area = s.area_code
        plan.area_code, plan.area_min, plan.area_max = area.code, area.min_len, area.max_len
        plan.area_lines = tuple(area.line_id)
        return plan

    def blocked(self, number: str, account: int, numbering: Numbering = NO_COUNTRY) -> _Rule | None:
        """The block-out rule that stops `number` in any of its spellings (+/00/national)."""
        forms = spellings(number, numbering)
        return next(
            (
                r
                for r in self.block_out
                if applies(list(r.line_id), account)
                and any(r.pattern.match(form) is not None for form in forms)
            ),
            None,
        )

    def apply(self, number: str, account: int, numbering: Numbering = NO_COUNTRY) -> DialPlanResult:
        """What to dial for `number` typed on 1-based `account` (0: the local account).

        Block out is checked on the typed number and on the result, so a replace rule can
        neither dial a blocked number nor hide one, each in every spelling of the number.
        Replace rules come first; the area code is added only when no replace rule matched
        (a replacement is what the admin wants dialled).
        """
        hit = self.blocked(number, account, numbering)
        if hit is not None:
            return DialPlanResult(number, number, True, f"block out {hit.slot}")
        result = DialPlanResult(number, number)
        for rule in self.replace:
            if not applies(list(rule.line_id), account):
                continue
            groups = rule.pattern.match(number)
            if groups is not None:
                result = DialPlanResult(
                    expand(rule.replace, groups), number, rule=f"replace {rule.slot}"
                )
                break
        else:
            if (
                self.area_code
                and applies(list(self.area_lines), account)
                and self.area_min <= len(number) <= self.area_max
            ):
                result = DialPlanResult(self.area_code + number, number, rule="area code")
        hit = self.blocked(result.number, account, numbering) if result.changed else None
        if hit is not None:
            return DialPlanResult(result.number, number, True, f"block out {hit.slot}")
        return result

    def dial_now(self, number: str, account: int) -> bool:
        """True when the digits typed so far match a dial-now rule completely."""
        return any(
            applies(list(r.line_id), account) and r.pattern.match(number) is not None
            for r in self.dialnow
        )


_cache: tuple[str, DialPlan] | None = None


def plan_for(settings: DialPlanSettings) -> DialPlan:
    """The compiled plan of these settings, compiled again only when they changed."""
    global _cache
    key = repr(settings)
    if _cache is None or _cache[0] != key:
        _cache = (key, DialPlan.from_settings(settings))
    return _cache[1]


def planned_target(
    plan: DialPlan, target: str, account: int, numbering: Numbering = NO_COUNTRY
) -> str:
    """The dial plan applied to a typed target. Replace rules and the area code apply to
    typed numbers only (as on the handset); block out applies to every form of a number:
    tel:, sip:/sips: and user@host whose user part is a number, +/00/national alike.

    Raises NumberBlocked (a DialError) with the phone's "Forbidden number!" text.
    """
    number = plain_number(target)
    if number is None:
        other = number_of(target)
        if other is not None and plan.blocked(other, account, numbering) is not None:
            raise NumberBlocked(tr(T.FORBIDDEN_NUMBER))
        return target
    result = plan.apply(number, account, numbering)
    if result.blocked:
        raise NumberBlocked(tr(T.FORBIDDEN_NUMBER))
    return result.number
