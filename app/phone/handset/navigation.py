"""Keys on the non-call screens: menus, History, Directory, forms and Status."""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.flags import FORWARDED
from app.phone.handset.forms import ForwardRuleView, dnd_form, forward_form
from app.phone.handset.keys import DIAL_KEYS
from app.phone.handset.menus import settings_intent
from app.phone.handset.state import HISTORY_TABS, HandsetState
from app.phone.handset.voicemail_keys import (
    back_from_form,
    connect,
    open_voice_mail,
    save,
    voice_mail_key,
)
from app.phone.intents import ClearMissed, Intent
from app.phone.messages import Dial
from app.phone.texts import T

_FORWARDED_TAB = [kind for _, kind in HISTORY_TABS].index(FORWARDED)


def open_list(st: HandsetState, view: str, tab: int = 0) -> None:
    st.back_to = S.MENU if st.view == S.MENU else S.IDLE
    st.view, st.tab, st.row = view, tab, 0


def back(st: HandsetState) -> None:
    if back_from_form(st):
        return
    if st.view == S.MENU:
        if not st.menu.back():
            st.leave_to_idle()
    elif st.view == S.FORM or st.back_to == S.MENU:
        st.view, st.form = S.MENU, None
    else:
        st.leave_to_idle()


def menu_soft(st: HandsetState, label: str) -> list[Intent]:
    popup = st.popup()
    if popup is not None and label in (T.EXIT, T.OK, T.VIEW):
        st.ack_popup(popup)
        if label == T.VIEW and popup.kind == "voice_mail":
            st.leave_to_idle()
            open_voice_mail(st)
        elif label == T.VIEW and popup.kind == "forwarded":
            open_list(st, S.HISTORY, tab=_FORWARDED_TAB)
        elif label == T.VIEW:
            open_list(st, S.HISTORY, tab=1)
            return [ClearMissed()]
    elif label == T.BACK:
        back(st)
    elif label == T.ENTER:
        return _menu_enter(st)
    elif label == T.SWITCH and st.form:
        st.form.toggle()
    elif label == T.CONNECT and st.view == S.VOICE_MAIL:
        return connect(st)
    elif label == T.SAVE and st.form and (saved := save(st)) is not None:
        return saved
    elif label == T.SAVE and st.form:
        intent = st.form.intent()
        back(st)
        return [intent]
    return []


def _menu_enter(st: HandsetState) -> list[Intent]:
    item = st.menu.enter()
    if item is None:
        return []
    if item.action == "voice_mail":
        open_voice_mail(st)
    elif item.action in ("history", "directory", "status", "messages"):
        if item.action in ("status", "messages"):
            st.back_to, st.view = S.MENU, item.action
        else:
            open_list(st, item.action)
    elif item.action == "form:dnd":
        st.form, st.view = dnd_form(st.flags.dnd), S.FORM
    elif item.action.startswith("form:"):
        kind = item.action[5:]
        rule = st.flags.forward.get(kind, ForwardRuleView())
        st.form = forward_form(kind, rule, st.flags.no_answer_seconds)
        st.view = S.FORM
    elif (intent := settings_intent(item.action)) is not None:
        return [intent]
    return []


def send_row(st: HandsetState) -> list[Intent]:
    rows = st.history_rows() if st.view == S.HISTORY else st.flags.directory
    if not 0 <= st.row < len(rows):
        return []
    number = rows[st.row][1]
    st.open_dialing()
    st.dial.insert(number)
    st.sent_at = st.now
    return [Dial(number)]


def _rows(st: HandsetState) -> int:
    if st.view == S.HISTORY:
        return len(st.history_rows())
    if st.view == S.DIRECTORY:
        return len(st.flags.directory)
    return 0


def nav(st: HandsetState, key: str) -> list[Intent]:
    """UP/DOWN/LEFT/RIGHT/OK/X on the non-call screens."""
    step = {"UP": -1, "DOWN": 1}.get(key, 0)
    if st.view == S.MENU:
        if step:
            st.menu.move(step)
        elif key in ("OK", "RIGHT"):
            return _menu_enter(st)
        elif key in ("X", "LEFT"):
            back(st)
        elif key.isdigit() and key != "0":
            st.menu.select(int(key) - 1)
            return _menu_enter(st)
    elif st.view in (S.HISTORY, S.DIRECTORY):
        n = _rows(st)
        if step and n:
            st.row = (st.row + step) % n
        elif key in ("LEFT", "RIGHT") and st.view == S.HISTORY:
            st.tab = (st.tab + (1 if key == "RIGHT" else -1)) % len(HISTORY_TABS)
            st.row = 0
        elif key == "OK":
            return send_row(st)
        elif key == "X":
            back(st)
    elif st.view == S.FORM and st.form:
        if step:
            st.form.move(step)
        elif key in ("LEFT", "RIGHT"):
            st.form.toggle(1 if key == "RIGHT" else -1)
        elif key == "OK":
            return menu_soft(st, T.SAVE)
        elif key == "X":
            back(st)
        elif key == "DELETE":
            st.form.delete()
        elif key in DIAL_KEYS:
            st.form.type(key)
    elif st.view == S.VOICE_MAIL:
        return voice_mail_key(st, key)
    elif st.view == S.MESSAGES and key == "OK" and st.flags.message:
        st.ack_message = min(st.ack_message, st.flags.message_id - 1)  # the pop-up again
    elif st.view in (S.STATUS, S.MESSAGES) and key in ("OK", "X", "LEFT"):
        back(st)
    return []
