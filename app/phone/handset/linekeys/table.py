"""The line key types this phone knows, by Yealink's linekey.X.type number.

Adding a type: one module with a KeyType object (linekeys/base.py) and one row here
(docs/extending.md, "Adding a line key type").
"""

from __future__ import annotations

from collections.abc import Iterable

from app.phone.blf import WatchKey
from app.phone.handset.linekeys import config as C
from app.phone.handset.linekeys.base import KeyType
from app.phone.handset.linekeys.blf import BLF_KEY
from app.phone.handset.linekeys.empty import EMPTY_KEY
from app.phone.handset.linekeys.features import DND_KEY, FORWARD_KEY
from app.phone.handset.linekeys.intercom import INTERCOM_KEY
from app.phone.handset.linekeys.line import LINE_KEY
from app.phone.handset.linekeys.park import CALL_PARK_KEY, RETRIEVE_PARK_KEY
from app.phone.handset.linekeys.pickup import DIRECTED_PICKUP_KEY, GROUP_PICKUP_KEY
from app.phone.handset.linekeys.speed_dial import SPEED_DIAL_KEY
from app.phone.handset.linekeys.voice_mail import VOICE_MAIL_KEY

TYPES: dict[int, KeyType] = {
    C.NA: EMPTY_KEY,
    C.FORWARD: FORWARD_KEY,
    C.DND: DND_KEY,
    C.DIRECTED_PICKUP: DIRECTED_PICKUP_KEY,
    C.CALL_PARK: CALL_PARK_KEY,
    C.VOICE_MAIL: VOICE_MAIL_KEY,
    C.SPEED_DIAL: SPEED_DIAL_KEY,
    C.INTERCOM: INTERCOM_KEY,
    C.LINE: LINE_KEY,
    C.BLF: BLF_KEY,
    C.GROUP_PICKUP: GROUP_PICKUP_KEY,
    C.RETRIEVE_PARK: RETRIEVE_PARK_KEY,
}


def type_of(number: int) -> KeyType:
    """The type of a key; a number not (yet) in the table is an empty key, as N/A."""
    return TYPES.get(number, EMPTY_KEY)


def watch_key(key: C.LineKey) -> WatchKey | None:
    """What a key watches: (account, number); None for types that watch nothing. A key
    without a line watches on the first account, as Yealink's default line is account 1."""
    value = key.value.strip()
    if not value or not type_of(key.type).watches:
        return None
    return (key.line or 1, value)


def watched(keys: Iterable[C.LineKey]) -> set[WatchKey]:
    """Every (account, number) the configured keys subscribe to (one subscription each)."""
    return {w for k in keys if (w := watch_key(k)) is not None}
