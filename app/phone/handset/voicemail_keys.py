"""Keys of the voice mail screens: MESSAGE opens the Message menu, the Voice Mail list's Connect
dials the account's Voice Mail number, asking for it first when none is set (docs/yealink.md §16).
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset import voicemail as V
from app.phone.handset.keys import DIAL_KEYS
from app.phone.handset.menus import MESSAGE_MENU, MenuNav
from app.phone.handset.state import HandsetState
from app.phone.intents import Intent, SetVoiceMail
from app.phone.messages import Dial
from app.phone.settings.checks import dial_target


def open_message_menu(st: HandsetState) -> None:
    """The MESSAGE key: the Message menu (Voice Mail, Text Message) from wherever the user is,
    when no call is on the screen."""
    st.leave_to_idle()
    st.menu = MenuNav(MESSAGE_MENU)
    st.view = S.MENU


def open_voice_mail(st: HandsetState) -> None:
    st.back_to = S.MENU if st.view == S.MENU else S.IDLE
    st.view, st.row, st.form = S.VOICE_MAIL, 0, None
    # the account with new voice mail first in view, as the pop-up's View leads here
    boxes = st.flags.voice_mail
    st.row = next((i for i, b in enumerate(boxes) if b.waiting), 0)


def connect(st: HandsetState) -> list[Intent]:
    """Dial the selected account's Voice Mail number on that account, or ask for it."""
    boxes = st.flags.voice_mail
    if not 0 <= st.row < len(boxes):
        return []
    box = boxes[st.row]
    if not box.number:
        st.form, st.view = V.voice_mail_form(box), S.FORM
        return []
    return _dial(st, box.account, box.number)


def _dial(st: HandsetState, account: int, number: str) -> list[Intent]:
    st.open_dialing()
    st.dial_account = account
    st.dial.insert(number)
    st.sent_at = st.now
    return [Dial(number, account)]


def save(st: HandsetState) -> list[Intent] | None:
    """Save on a Set Voice Mail form: store the number and connect; None for other forms. A
    number that cannot be dialled keeps the form open."""
    account = V.form_account(st.form)
    if account is None or st.form is None:
        return None
    number = st.form.fields[0].value.strip()
    if not number or dial_target(number):
        return []
    return [SetVoiceMail(account, number), *_dial(st, account, number)]


def back_from_form(st: HandsetState) -> bool:
    """Back on a Set Voice Mail form returns to the Voice Mail list."""
    if V.form_account(st.form) is None:
        return False
    st.view, st.form = S.VOICE_MAIL, None
    return True


def voice_mail_key(st: HandsetState, key: str) -> list[Intent]:
    """UP/DOWN pick an account, OK (or a digit: the account of that number) connects,
    X/LEFT go back."""
    n = len(st.flags.voice_mail)
    step = {"UP": -1, "DOWN": 1}.get(key, 0)
    if step and n:
        st.row = (st.row + step) % n
    elif key in ("OK", "RIGHT"):
        return connect(st)
    elif key in DIAL_KEYS and key.isdigit() and 0 < int(key) <= n:
        st.row = int(key) - 1
        return connect(st)
    elif key in ("X", "LEFT"):
        if st.back_to == S.MENU:
            st.view = S.MENU
        else:
            st.leave_to_idle()
    return []
