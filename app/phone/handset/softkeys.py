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
# With a second call on hold the keys stay the same: the user picks a call with Up/Down and
# presses Resume, which holds the other one (the T4x guides' "Multiple Calls on Hold"; no
# guide read shows a Swap soft key on a T46G, docs/yealink.md §3).
TALKING: SoftKeys = (T.TRANSFER, T.HOLD, T.CONFERENCE, T.END_CALL)
HOLD: SoftKeys = (T.TRANSFER, T.RESUME, T.NEW_CALL, T.END_CALL)
HELD: SoftKeys = (T.TRANSFER, T.HOLD, "", T.END_CALL)
FAILED: SoftKeys = ("", "", "", T.END_CALL)
FINISHED: SoftKeys = ("", "", "", T.CANCEL)
# The Conference screen's keys (docs/yealink.md §14); held, Resume takes Hold's place
# (unconfirmed). Manage: Far Mute and Remove on the party selected; the guide's Far Hold is
# not offered (a held leg would leave the bridge's links to re-make). Order unconfirmed.
CONFERENCE: SoftKeys = (T.HOLD, T.MANAGE, T.SPLIT, T.END_CALL)
CONFERENCE_HELD: SoftKeys = (T.RESUME, T.MANAGE, T.SPLIT, T.END_CALL)
MANAGE: SoftKeys = (T.FAR_MUTE, T.REMOVE, "", T.BACK)
MENU: SoftKeys = (T.BACK, "", "", T.ENTER)
LIST: SoftKeys = (T.SEND, "", "", T.BACK)
# A form's keys follow the row selected: Switch on an Enabled/Disabled or list row ("Press
# Left or Right, or the Switch soft key"), Delete on a row that is typed into.
FORM_SWITCH: SoftKeys = (T.BACK, "", T.SWITCH, T.SAVE)
FORM_TEXT: SoftKeys = (T.BACK, "", T.DELETE, T.SAVE)
STATUS: SoftKeys = (T.BACK, "", "", "")
VOICE_MAIL: SoftKeys = (T.BACK, "", "", T.CONNECT)  # Message -> Voice Mail
POPUP_VIEW: SoftKeys = ("", "", T.VIEW, T.EXIT)  # missed and forwarded calls, voice mail
POPUP: SoftKeys = ("", "", "", T.OK)
