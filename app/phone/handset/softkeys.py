"""The four soft key labels per state, as on a SIP-T46G with the default layout.

Entries are catalog source texts (texts.T): the handset dispatches F1-F4 on them and translates
them only when it builds the screen. "" is a blank key.
Sets marked "unconfirmed" follow docs/yealink.md §3 where the guides did not settle the order.
"""

from __future__ import annotations

from app.phone.texts import T

SoftKeys = tuple[str, str, str, str]

IDLE: SoftKeys = (T.HISTORY, T.DIRECTORY, T.DND, T.MENU)
# DeskPhone's own: with no account set up, DND (which only refuses direct calls then) gives its
# place to the handset menu's own word for where accounts are set up (Advanced > Accounts), so
# a new user finds it; it opens the settings dialog's Accounts tab.
IDLE_NO_ACCOUNT: SoftKeys = (T.HISTORY, T.DIRECTORY, T.ACCOUNTS, T.MENU)
# unconfirmed order; the strings exist in Yealink's language file
DIALING: SoftKeys = (T.SEND, T.IME, T.DELETE, T.CANCEL)
TRANSFER_DIALING: SoftKeys = (T.B_TRANSFER, T.IME, T.DELETE, T.CANCEL)
CALLING: SoftKeys = ("", "", "", T.END_CALL)
RINGBACK: SoftKeys = ("", "", "", T.END_CALL)
RINGBACK_CONSULT: SoftKeys = (T.TRANSFER, "", "", T.END_CALL)  # semi-attended transfer
INCOMING: SoftKeys = (T.ANSWER, T.FORWARD, T.SILENCE, T.REJECT)
INCOMING_SILENCED: SoftKeys = (T.ANSWER, T.FORWARD, "", T.REJECT)
TALKING: SoftKeys = (T.TRANSFER, T.HOLD, T.CONFERENCE, T.END_CALL)
TALKING_TWO: SoftKeys = (T.TRANSFER, T.SWAP, T.CONFERENCE, T.END_CALL)
HOLD: SoftKeys = (T.TRANSFER, T.RESUME, T.NEW_CALL, T.END_CALL)
HOLD_TWO: SoftKeys = (T.SWAP, T.NEW_CALL, T.RESUME, T.END_CALL)
HELD: SoftKeys = (T.TRANSFER, T.HOLD, "", T.END_CALL)
FAILED: SoftKeys = ("", "", "", T.END_CALL)
FINISHED: SoftKeys = ("", "", "", T.CANCEL)
MENU: SoftKeys = (T.BACK, "", "", T.ENTER)
LIST: SoftKeys = (T.SEND, "", "", T.BACK)
FORM: SoftKeys = (T.BACK, T.DELETE, T.SWITCH, T.SAVE)
STATUS: SoftKeys = (T.BACK, "", "", "")
POPUP_MISSED: SoftKeys = ("", "", T.VIEW, T.EXIT)
POPUP: SoftKeys = ("", "", "", T.OK)


def talking(calls: int, consulting: bool) -> SoftKeys:
    """Talking with one call, or with others on hold (a consultation shows Conference)."""
    return TALKING if calls <= 1 or consulting else TALKING_TWO


def hold(calls: int) -> SoftKeys:
    return HOLD if calls <= 1 else HOLD_TWO
