"""Call forward settings: Always / Busy / No Answer, phone-wide or per account (Custom mode).

Yealink spells the same rule `forward.always.*` phone-wide and `account.X.always_fwd.*` per
account: `cfg_account` holds the second spelling (declare.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import app.phone.settings.checks as checks
from app.phone.settings.accounts import MAX_ACCOUNTS
from app.phone.settings.declare import Choice, GroupCheck, Joint, Table, group, setting, table

TARGET_MAX = 32  # characters the handset accepts for a target or a code
MAX_RINGS = 20


def stored_target_error(v: str) -> str:
    """Any target the handset could hold. The dialog asks more of a forward it switches on (a
    number or SIP URI: app/phone/forward.py target_error), as only those can be used; a file
    may still carry other text: the phone skips such a rule as it does any unusable target."""
    if len(v) > TARGET_MAX:
        return f"is longer than {TARGET_MAX} characters"
    return "contains spaces" if re.search(r"\s", v) else ""


def _target_needed(rule: ForwardRule) -> dict[str, str]:
    if rule.enabled and not rule.target:
        return {"target": "a target is needed while this forward is on"}
    return {}


# fmt: off
@dataclass
class ForwardRule:
    """One forward rule: on or off, and the target."""

    CHECKS: ClassVar[tuple[GroupCheck, ...]] = (_target_needed,)

    enabled: bool = setting(False, "On", "enable", help="Calls of this kind are forwarded.")
    target: str = setting(
        "", "Forward to", "target", check=stored_target_error, hint="number or sip:user@host",
        help=f"Number or SIP URI calls go to, at most {TARGET_MAX} characters.",
    )
    on_code: str = setting(
        "", "On code", "on_code", hint="e.g. *72",
        help="Feature code sent to the server, followed by the target, when the forward is "
        "switched on.",
    )
    off_code: str = setting(
        "", "Off code", "off_code", hint="e.g. *73",
        help="Feature code sent to the server when the forward is switched off.",
    )


@dataclass
class ForwardSet:
    """The three forward rules: always, busy, no answer."""

    always: ForwardRule = group(
        ForwardRule, "Always Forward", "forward.always", cfg_account="always_fwd",
        help="Every call is forwarded at once.",
    )
    busy: ForwardRule = group(
        ForwardRule, "Busy Forward", "forward.busy", cfg_account="busy_fwd",
        help="Calls that come while the phone is busy (in a call, or DND) are forwarded at once.",
    )
    no_answer: ForwardRule = group(
        ForwardRule, "No Answer Forward", "forward.no_answer", cfg_account="timeout_fwd",
        help="Calls not answered within the ring time are forwarded.",
    )
    no_answer_rings: int = setting(
        2, "After ring time", "forward.no_answer.timeout", cfg_account="timeout_fwd.timeout",
        lo=0, hi=MAX_RINGS, hint="{lo}-{hi}", help="Rings of 6 s before the call is forwarded",
    )


_ENABLE = "features.forward.emergency.enable"
_NUMBERS = "features.forward.emergency.authorized_number"


def _emergency_split(numbers: list[str]) -> tuple[Any, ...]:
    return bool(numbers), numbers


def _emergency_join(current: list[str], given: dict[str, Any], keys: dict[str, str]) -> Any:
    numbers = current
    if _NUMBERS in given:
        numbers = given[_NUMBERS] or []
    if _ENABLE in given and not given[_ENABLE]:
        numbers = []
    return numbers


# Yealink keeps a switch and the list; here an empty list is off.
EMERGENCY = Joint(((_ENABLE, bool), (_NUMBERS, list)), _emergency_split, _emergency_join)


@dataclass
class ForwardSettings:
    """Call forward: the phone's rules or each account's, and what may be forwarded."""

    allowed: bool = setting(
        True, "Call forward allowed", "features.fwd.allow",
        help="Off: call forward cannot be used on this phone.",
    )
    per_account: bool = setting(
        False, "Mode", "features.fwd_mode",
        choices=(Choice(False, "Phone"), Choice(True, "Custom (per account)")),
        help="Phone: one set of forwards for every account; Custom: each account has its own.",
    )
    phone: ForwardSet = group(
        ForwardSet, "Call forward (Phone mode)", block=True,
        help="The forwards used in Phone mode.",
    )
    accounts: dict[int, ForwardSet] = table(
        dict, "Call forward per account (Custom mode)", "account.{n}.{key}",
        Table(MAX_ACCOUNTS, "account", "DeskPhone has accounts 1-{count}",
              section="Call forward of account {n}", per_account=True),
        help="The forwards used in Custom mode, by account number.",
    )
    international: bool = setting(
        True, "Forward international (targets starting with 00 or +)",
        "forward.international.enable",
        help="Off: forwards to targets starting with 00 or + are not used.",
    )
    never_forward: list[str] = setting(
        list, "Never forward calls from (emergency / authorized, one a line)", joint=EMERGENCY,
        check=checks.number, block=True, hint="112\n911",
        help="Calls from these numbers are never forwarded (Yealink's emergency / authorized "
        "numbers: features.forward.emergency.enable and authorized_number).",
    )
    show_diversion: bool = setting(
        True, "Show diversion", "features.fwd_diversion_enable",
        help="Show who forwarded a call that was forwarded to this phone (Diversion header).",
    )
# fmt: on
