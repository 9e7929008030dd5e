"""What a key that calls a number does while the user is in a call.

Yealink's transfer.dsskey_deal_type (docs/yealink.md §13) decides it for Speed Dial, Intercom
and BLF keys: transfer the call blind (the default), start an attended transfer (the call is
held and the number dialled as its consultation; TRAN or the Transfer soft key completes it),
or simply hold it and place a new call.
"""

from __future__ import annotations

from app.phone.handset.linekeys.base import KeyHost
from app.phone.handset.linekeys.config import ATTENDED, BLIND
from app.phone.intents import Intent, NewCall, Transfer
from app.phone.messages import Dial
from app.phone.model import CallState, CallView

IN_CONVERSATION = (CallState.TALKING, CallState.HOLD, CallState.HELD)


def call_in_progress(host: KeyHost) -> CallView | None:
    """The call the screen shows, if it is in conversation (ours or held)."""
    return next((c for c in host.live() if c.id == host.focus and c.state in IN_CONVERSATION), None)


def during_call(number: str, account: int | None, host: KeyHost) -> list[Intent] | None:
    """What pressing a key for `number` does in a call; None when there is no call."""
    call = call_in_progress(host)
    if call is None or not number:
        return None
    mode = host.features.transfer_mode
    if mode == BLIND:
        return [Transfer(call.id, number, attended=False)]
    if mode == ATTENDED:
        host.consult_for(call.id)
    return [NewCall(), Dial(number, account)]
