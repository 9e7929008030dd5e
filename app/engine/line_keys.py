"""The line keys in the engine: the configured key list, and the BLF subscriptions and lamps.

Settings give the keys (linekey.X.*) and what presses do; the keys that watch a number (BLF,
park) become one subscription each (app/sip/blf.py) once their account is registered, again
after every new registration; NOTIFYs and refusals light the lamps on the board
(app/phone/blf.py), which the display reads through `flags()`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from app.phone.blf import BlfBoard, Watch, WatchKey
from app.phone.handset.linekeys.config import KeyFeatures, LineKey, line_key_list
from app.phone.handset.linekeys.table import watched
from app.phone.model import AccountView, RegState
from app.phone.settings import Settings
from app.sip.blf import BlfSubscriptions, buddy_uri
from app.sip.dialog_watch import DialogWatch

log = logging.getLogger("deskphone.engine")


def configured_keys(settings: Settings) -> dict[int, LineKey]:
    return {
        n: LineKey(k.type, k.line, k.value.strip(), k.label, k.extension.strip())
        for n, k in settings.line_keys.items()
    }


def key_features(settings: Settings) -> KeyFeatures:
    keys = settings.keys
    return KeyFeatures(
        transfer_mode=keys.dsskey_transfer,
        directed_pickup_code=keys.direct_pickup_code.strip(),
        group_pickup_code=keys.group_pickup_code.strip(),
        park_code=keys.park_code.strip(),
        retrieve_code=keys.park_retrieve_code.strip(),
        voice_mail=voice_mail_numbers(settings),
    )


def voice_mail_numbers(settings: Settings) -> dict[int, str]:
    """Each account's Voice Mail number (Yealink's voice_mail.number.X, declared as
    AccountSettings.voice_mail), by account index; accounts without one are left out."""
    numbers = {i: a.voice_mail.strip() for i, a in enumerate(settings.accounts, 1)}
    return {i: n for i, n in numbers.items() if n}


class EngineLineKeys:
    def __init__(self, dialogs: DialogWatch, settings: Settings) -> None:
        self.dialogs = dialogs
        self.board = BlfBoard()
        self.subscriptions = BlfSubscriptions(dialogs, self.board)
        self._keys: dict[int, LineKey] = {}
        self._features = KeyFeatures()
        self._registered: set[int] = set()
        self.apply(settings)

    def apply(self, settings: Settings) -> None:
        """The settings in use changed (or were loaded): keys, features, subscriptions."""
        self._keys = configured_keys(settings)
        self._features = key_features(settings)
        keys = watched(self._keys.values())
        self.board.watch(keys)
        wanted: dict[WatchKey, str] = {}
        for account, number in keys:
            acc = settings.accounts[account - 1] if account <= len(settings.accounts) else None
            uri = buddy_uri(number, acc.domain, acc.transport) if acc and acc.server else None
            if uri is None:
                why = "no such account" if acc is None else f"'{number[:40]}' cannot be watched"
                self.board.failed((account, number), why)
                log.warning("BLF key %s on account %d: %s", number[:40], account, why)
            else:
                wanted[(account, number)] = uri
        self.subscriptions.set_wanted(wanted)

    def turn(self, now: float, accounts: Mapping[int, AccountView]) -> None:
        """Each loop turn: new registrations (re)subscribe; NOTIFYs and states are read."""
        for index, view in accounts.items():
            up = view.state == RegState.REGISTERED
            if up and index not in self._registered:
                self._registered.add(index)
                self.subscriptions.account_registered(index)
            elif not up and index in self._registered:
                self._registered.discard(index)
                self.subscriptions.account_lost(index)
        self.subscriptions.drain(now)

    def next_deadline(self) -> float | None:
        return self.subscriptions.next_deadline()

    def reset(self) -> None:
        """Accounts are re-created or the engine stops: every subscription ends now."""
        self.subscriptions.clear()
        self._registered.clear()

    def key_list(self, accounts: Sequence[AccountView]) -> tuple[LineKey, ...] | None:
        return line_key_list(self._keys, accounts)

    @property
    def features(self) -> KeyFeatures:
        return self._features

    def watches(self) -> dict[WatchKey, Watch]:
        return self.board.views()

    def status(self) -> dict[str, Any]:
        return {
            "subscriptions": self.subscriptions.count,
            "notifies": self.dialogs.seen,
            "accepted": self.dialogs.accepted,
            "refused": self.board.refused,
            "lamps": {f"{a}:{n}": w.lamp.value for (a, n), w in self.board.views().items()},
        }
