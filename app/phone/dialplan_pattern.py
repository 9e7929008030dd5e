"""Dial plan patterns (Yealink T4x/T5x "Dial Plan"): compiling, matching and replacing.

Pattern syntax, as the admin guide lists it ("Basic Regular Expression Syntax for Four
Patterns"): `.` one or more characters ("a placeholder or multiple placeholders": "12." matches
"123", "1234"...), `x` one character, `[5-7]` / `[2,5,8]` / `[135]` one of a set, `( )` a
group, and `$N` in a replacement is the text group N matched. Every rule must match the WHOLE
number typed.

Patterns are compiled to a token list and matched by a memoised backtracking matcher rather
than by `re`: a rule like "(.)(.)(.)(.)...1" would make `re` backtrack exponentially on a long
number, while this matcher stays O(tokens x length^2). Malformed patterns raise PatternError.
Nothing here knows the settings, so the settings' own checks (app/phone/settings/dialplan.py)
can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PATTERN = 32  # "String within 32 characters" for every dial plan string
MAX_NUMBER = 128  # longer input is never a phone number: no rule applies

LIT, ONE, MANY, SET, OPEN, CLOSE = range(6)
Token = tuple[int, str | int]


class PatternError(ValueError):
    """A dial plan pattern or replacement the phone cannot use; the text says why."""


@dataclass(frozen=True)
class Pattern:
    """A Yealink dial plan pattern (x, ., [1-5], groups) compiled to tokens."""

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
