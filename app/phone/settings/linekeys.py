"""Line keys (Yealink's linekey.X.*) and the phone-wide settings their presses follow.

Which types exist and what each does is app/phone/handset/linekeys/ (table.py); here is only
what a .cfg file, the dialog and settings.json hold. Keys are numbered 1-27 as on a T46G
(docs/yealink.md §13); a key not configured keeps the default (Line n for the n-th account).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.phone.settings.declare import Choice, setting

MAX_LINE_KEYS = 27  # SIP-T46G: 27 line keys with page switching
MAX_TEXT = 99
KNOWN_TYPES: dict[int, str] = {  # the types DeskPhone supports (linekeys/table.py has each)
    0: "N/A",
    2: "Forward",
    5: "DND",
    9: "Directed Pickup",
    10: "Call Park",
    12: "Voice Mail",
    13: "Speed Dial",
    14: "Intercom",
    15: "Line",
    16: "BLF",
    23: "Group Pickup",
    56: "Retrieve Park",
}


def _text(value: str) -> str:
    if len(value) > MAX_TEXT:
        return f"at most {MAX_TEXT} characters"
    if any(not c.isprintable() for c in value):
        return "control characters are not allowed"
    return ""


def _type_warning(value: int) -> str:
    if value in KNOWN_TYPES:
        return ""
    return f"line key type {value} is not supported by DeskPhone; the key is shown empty"


# fmt: off
@dataclass
class LineKeySettings:
    """One line key (Yealink's linekey.X.*)."""

    type: int = setting(
        0, "Type", "type", lo=0, hi=999, warn=_type_warning,
        help="Yealink's key type number: 15 Line, 16 BLF, 13 Speed Dial, 14 Intercom, "
        "9 Directed Pickup, 23 Group Pickup, 10 Call Park, 56 Retrieve Park, 5 DND, "
        "2 Forward, 12 Voice Mail, 0 N/A. Other numbers are kept and shown as empty keys.",
    )
    line: int = setting(
        1, "Account", "line", lo=0, hi=16,
        help="The account the key works on (1 = the first).",
    )
    value: str = setting(
        "", "Value", "value", check=_text,
        help="The number the key calls or monitors (BLF), the park orbit, the forward target; "
        "Voice Mail: blank calls the account's Voice Mail number.",
    )
    label: str = setting(
        "", "Label", "label", check=_text, help="Shown beside the key; blank: the value.",
    )
    extension: str = setting(
        "", "Extension", "extension", check=_text,
        help="BLF: the pickup code dialled before the number to pick up a ringing call.",
    )


@dataclass
class KeyBehaviour:
    """What BLF, Speed Dial, Intercom, pickup and park keys do when pressed."""

    dsskey_transfer: str = setting(
        "blind", "During a call, a DSS key", "transfer.dsskey_deal_type",
        choices=(
            Choice("new_call", "New Call", "0"),
            Choice("attended", "Attended Transfer", "1"),
            Choice("blind", "Blind Transfer", "2"),
        ),
        help="What pressing a BLF, Speed Dial or Intercom key does in a call.",
    )
    direct_pickup_code: str = setting(
        "", "Directed pickup code", "features.pickup.direct_pickup_code", check=_text,
        help="Dialled before a number to pick up a call ringing there (BLF and Directed "
        "Pickup keys). Blank: a BLF key picks up with an INVITE carrying Replaces.",
    )
    group_pickup_code: str = setting(
        "", "Group pickup code", "features.pickup.group_pickup_code", check=_text,
        help="Dialled by a Group Pickup key without a value of its own.",
    )
    park_code: str = setting(
        "", "Call park code", "features.call_park.park_code", check=_text,
        help="Where a Call Park key without a value transfers the call.",
    )
    park_retrieve_code: str = setting(
        "", "Park retrieve code", "features.call_park.park_retrieve_code", check=_text,
        help="Dialled before a park key's value to take a parked call back.",
    )
# fmt: on
