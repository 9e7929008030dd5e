"""One line key as configured: Yealink's linekey.X.type / line / value / label / extension,
and the phone-wide settings the keys act on.

The type numbers are Yealink's own (docs/yealink.md §13 lists the known ones with their
sources); linekeys/table.py says which of them this phone knows and what each does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.phone.model import AccountView

NA = 0  # N/A: an empty key
FORWARD = 2
DND = 5
DIRECTED_PICKUP = 9
CALL_PARK = 10
VOICE_MAIL = 12
SPEED_DIAL = 13
INTERCOM = 14
LINE = 15  # Line: the key of an account (a T46G's default for keys 1-16)
BLF = 16
GROUP_PICKUP = 23
RETRIEVE_PARK = 56

# transfer.dsskey_deal_type: what a Speed Dial, Intercom or BLF key does during a call
NEW_CALL = "new_call"
ATTENDED = "attended"
BLIND = "blind"


@dataclass(frozen=True)
class LineKey:
    """One configured line key (Yealink's linekey.X.*), as the handset uses it."""

    type: int = NA
    line: int = 0  # the account (AccountView.index; linekey.X.line, 1 = the first account)
    value: str = ""  # what the type acts on: a number to call or monitor, ...
    label: str = ""  # shown on the display; "" lets the type choose (an account's label)
    extension: str = ""  # a second value some types take (BLF: the pickup code)


@dataclass(frozen=True)
class KeyFeatures:
    """The phone-wide settings that decide what a key press does (docs/yealink.md §13)."""

    transfer_mode: str = BLIND  # NEW_CALL | ATTENDED | BLIND
    directed_pickup_code: str = ""  # dialled before the number (a BLF key's own code first)
    group_pickup_code: str = ""
    park_code: str = ""  # a Call Park key without a value transfers the call to this
    retrieve_code: str = ""  # dialled before a park key's value to take the call back
    # account index -> its Voice Mail number (voice_mail.number.X), what a Voice Mail key calls
    voice_mail: Mapping[int, str] = field(default_factory=dict)


def default_line_keys(accounts: Sequence[AccountView]) -> tuple[LineKey, ...]:
    """With no line key configuration: key n is a Line key of the n-th account shown."""
    return tuple(LineKey(LINE, a.index) for a in accounts)


def line_key_list(
    configured: Mapping[int, LineKey], accounts: Sequence[AccountView]
) -> tuple[LineKey, ...] | None:
    """The keys 1..n from the configured ones (linekey.X, X from 1); a key not configured
    keeps its default (Line of the X-th account, else N/A), as on the phone. None when
    nothing is configured: the default list."""
    if not configured:
        return None
    defaults = default_line_keys(accounts)
    last = max(max(configured), len(defaults))
    keys = [
        configured.get(n) or (defaults[n - 1] if n <= len(defaults) else LineKey())
        for n in range(1, last + 1)
    ]
    while keys and keys[-1].type == NA:
        keys.pop()
    return tuple(keys)
