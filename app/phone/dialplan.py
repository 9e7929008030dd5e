"""Yealink's dial plan: replace rules, dial-now, area code and block out (T4x/T5x "Dial Plan").

Pattern syntax, as the admin guide lists it ("Basic Regular Expression Syntax for Four
Patterns"): `.` one or more characters ("a placeholder or multiple placeholders": "12." matches
"123", "1234"...), `x` one character, `[5-7]` / `[2,5,8]` / `[135]` one of a set, `( )` a
group, and `$N` in a replacement is the text group N matched. Every rule must match the WHOLE
number typed: the guide's dial-now "1xxx" dials "any entered four-digit string beginning with
1", and its replace rule "2xx" -> "12345" turns "234" into "12345" (nothing left over). Lower
slot numbers are tried first and the first matching rule wins.

Patterns are compiled to a token list and matched by a memoised backtracking matcher rather
than by `re`: a rule like "(.)(.)(.)(.)...1" would make `re` backtrack exponentially on a long
number, while this matcher stays O(tokens x length^2). Malformed patterns raise PatternError
when compiled; `DialPlan` skips such rules (and lists them in `errors`), so dialling never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.phone.dialing import DialError, plain_number
from app.phone.numbers import NO_COUNTRY, Numbering, number_of, spellings
from app.phone.settings import DialPlanSettings
from app.phone.texts import T, tr

MAX_PATTERN = 32  # "String within 32 characters" for every dial plan string
MAX_NUMBER = 128  # longer input is never a phone number: no rule applies
MAX_LINE = 16  # accounts 1-16
SLOTS = {"replace": 100, "dialnow": 100, "block_out": 10}
AREA_CODE_MAX = 16
DIALNOW_DELAY_MAX = 14

LIT, ONE, MANY, SET, OPEN, CLOSE = range(6)
Token = tuple[int, str | int]


class PatternError(ValueError):
    """A dial plan pattern or replacement the phone cannot use; the text says why."""


class NumberBlocked(DialError):
    """A block-out rule refuses the number; shown on screen as the phone does."""


@dataclass(frozen=True)
class Pattern:
    text: str
    tokens: tuple[Token, ...]
    groups: int

    def match(self, number: str) -> tuple[str, ...] | None:
        """The groups' texts if the whole number matches, else None."""
        if len(number) > MAX_NUMBER:
            return None
        toks, n = self.tokens, len(number)
        starts, ends = [0] * (self.groups + 1), [0] * (self.groups + 1)
        failed: set[tuple[int, int]] = set()

        def go(ti: int, pos: int) -> bool:
            if (ti, pos) in failed:
                return False
            if ti == len(toks):
                ok = pos == n
            else:
                kind, arg = toks[ti]
                if kind == LIT:
                    ok = pos < n and number[pos] == arg and go(ti + 1, pos + 1)
                elif kind == ONE:
                    ok = pos < n and go(ti + 1, pos + 1)
                elif kind == SET:
                    ok = pos < n and number[pos] in str(arg) and go(ti + 1, pos + 1)
                elif kind == MANY:  # greedy, like a regex ".+"
                    ok = any(go(ti + 1, end) for end in range(n, pos, -1))
                else:
                    (starts if kind == OPEN else ends)[int(arg)] = pos
                    ok = go(ti + 1, pos)
            if not ok:
                failed.add((ti, pos))
            return ok

        if not go(0, 0):
            return None
        return tuple(number[starts[g] : ends[g]] for g in range(1, self.groups + 1))


def _set_chars(body: str, where: int) -> str:
    if not body:
        raise PatternError(f"empty [] at position {where + 1}")
    chars = ""
    for item in body.split(","):
        if len(item) == 1:
            chars += item
        elif len(item) == 3 and item[1] == "-":
            lo, hi = item[0], item[2]
            if not (lo.isdigit() and hi.isdigit()) or lo > hi:
                raise PatternError(f"[{body}]: a range is digit-digit, low first, like [5-7]")
            chars += "".join(chr(c) for c in range(ord(lo), ord(hi) + 1))
        elif item and all(c != "-" for c in item):
            chars += item  # [135]: several single characters without commas
        else:
            raise PatternError(f"[{body}] is not a set like [5-7], [2,5,8] or [135]")
    return chars


def compile_pattern(text: str) -> Pattern:
    """Compile a dial plan pattern; PatternError names the problem."""
    if not text:
        raise PatternError("the pattern is empty")
    if len(text) > MAX_PATTERN:
        raise PatternError(f"longer than {MAX_PATTERN} characters")
    tokens: list[Token] = []
    stack: list[int] = []
    groups = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace() or not c.isprintable():
            raise PatternError(f"space or control character at position {i + 1}")
        if c == ".":
            tokens.append((MANY, ""))
        elif c in "xX":
            tokens.append((ONE, ""))
        elif c == "[":
            end = text.find("]", i)
            if end < 0:
                raise PatternError(f"'[' at position {i + 1} is not closed")
            body = text[i + 1 : end]
            if any(b in body for b in "[()$"):
                raise PatternError(f"'{body}' cannot be inside []")
            tokens.append((SET, _set_chars(body, i)))
            i = end
        elif c == "(":
            groups += 1
            stack.append(groups)
            tokens.append((OPEN, groups))
        elif c == ")":
            if not stack:
                raise PatternError(f"')' at position {i + 1} has no '('")
            tokens.append((CLOSE, stack.pop()))
        elif c in "]$":
            raise PatternError(f"'{c}' at position {i + 1} is out of place")
        else:
            tokens.append((LIT, c))
        i += 1
    if stack:
        raise PatternError("a '(' is not closed")
    return Pattern(text, tuple(tokens), groups)


def pattern_error(text: str) -> str:
    """'' when the pattern compiles, else the reason."""
    try:
        compile_pattern(text)
    except PatternError as exc:
        return str(exc)
    return ""


def replacement_error(template: str, groups: int) -> str:
    """'' when `template` is a usable replacement for a pattern with `groups` groups."""
    if not template:
        return "the replacement is empty"
    if len(template) > MAX_PATTERN:
        return f"longer than {MAX_PATTERN} characters"
    if any(c.isspace() or not c.isprintable() for c in template):
        return "contains a space or control character"
    for i, c in enumerate(template):
        if c != "$":
            continue
        ref = template[i + 1 : i + 2]
        if not ref.isdigit() or ref == "0":
            return f"'$' at position {i + 1} must be followed by a group number 1-9"
        if int(ref) > groups:
            return f"${ref} but the pattern has {groups} group{'' if groups == 1 else 's'}"
    return ""


def expand(template: str, groups: tuple[str, ...]) -> str:
    """The replacement with each $N put in; $N without such a group stands for nothing."""
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        ref = template[i + 1 : i + 2]
        if c == "$" and ref.isdigit():
            n = int(ref)
            out.append(groups[n - 1] if 1 <= n <= len(groups) else "")
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def applies(line_id: list[int], account: int) -> bool:
    """line_id empty (or holding 0) means every account; else the 1-based account numbers."""
    return not line_id or 0 in line_id or account in line_id


@dataclass(frozen=True)
class DialPlanResult:
    number: str  # what to dial
    original: str  # what was typed
    blocked: bool = False
    rule: str = ""  # which rule decided, e.g. "replace 3", "area code", "block out 1"

    @property
    def changed(self) -> bool:
        return self.number != self.original


@dataclass(frozen=True)
class _Rule:
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

    Raises NumberBlocked (a DialError) with the phone's "Forbidden Number" text.
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
