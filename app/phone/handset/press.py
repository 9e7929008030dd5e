"""What a key does on the screen shown: key presses in, intents for the phone core out.

Keys that act alike on every screen are handled here; the dial screen's keys are in
dialling.py, the call screens' in call_keys.py, menus and lists in navigation.py and the line
keys by their type (linekeys/).
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.call_keys import call_key, call_soft
from app.phone.handset.compose import compose, line_keys
from app.phone.handset.conference import conference_key, conference_soft, in_conference
from app.phone.handset.dialling import blind_transfer, cancel_dialing, dialing_key, send
from app.phone.handset.flags import PLACED
from app.phone.handset.keys import DIAL_KEYS
from app.phone.handset.linekeys import layout
from app.phone.handset.navigation import menu_soft, nav, open_list, send_row
from app.phone.handset.softkeys import SoftKeys
from app.phone.handset.state import HISTORY_TABS, HandsetState
from app.phone.handset.voicemail_keys import open_message_menu
from app.phone.intents import (
    Intent,
    Mute,
    OffHook,
    OpenSettings,
    Redial,
    SelectAudioMode,
    SetDnd,
    VolumeStep,
)
from app.phone.texts import T


def soft(st: HandsetState, label: str) -> list[Intent]:
    call = st.focused()
    members = in_conference(st) if st.popup() is None else []
    if members and (done := conference_soft(st, label, members)) is not None:
        return done
    if label == T.HISTORY:
        open_list(st, S.HISTORY)
    elif label == T.DIRECTORY:
        open_list(st, S.DIRECTORY)
    elif label == T.DND:
        return [SetDnd(not st.flags.dnd)]
    elif label == T.MENU:
        st.view = S.MENU
    elif label == T.ACCOUNTS:
        return [OpenSettings("accounts")]
    elif label == T.SEND:
        return send_row(st) if st.view in (S.HISTORY, S.DIRECTORY) else send(st)
    elif label == T.IME:
        st.dial.next_ime()
    elif label == T.DELETE:
        if st.view == S.FORM and st.form:
            st.form.delete()
        else:
            st.dial.backspace()
    elif label == T.CANCEL:
        if st.view == S.DIALING:
            return cancel_dialing(st)
        st.finished = None
    elif label == T.B_TRANSFER:
        return blind_transfer(st)
    elif label in (T.BACK, T.EXIT, T.OK, T.VIEW, T.ENTER, T.SAVE, T.SWITCH, T.CONNECT):
        return menu_soft(st, label)
    elif call is not None:
        return call_soft(st, label, call)
    return []


def line_key(st: HandsetState, key: str) -> list[Intent]:
    """L1-L10: what the key's type does (linekeys/table.py), or the page key."""
    out, page = layout.press(line_keys(st), key, st)
    if page is not None:
        st.page = page
    return out


def global_key(st: HandsetState, key: str) -> list[Intent] | None:
    """Keys that act the same on every screen; None: not one of them."""
    if key in ("VOL-", "VOL+"):
        return [VolumeStep(1 if key == "VOL+" else -1)]
    if key == "MUTE":
        return [Mute(not st.flags.muted)] if st.live() else []
    if key == "MESSAGE":
        if st.focused() is None:
            open_message_menu(st)
        return []
    if key == "REDIAL" and st.focused() is None:
        placed = [h for h in st.flags.history if h.kind == PLACED]
        if st.view == S.HISTORY and HISTORY_TABS[st.tab][1] == PLACED:
            return send_row(st)
        if not placed:
            return [Redial()]
        st.view, st.tab, st.row, st.back_to = S.HISTORY, 2, 0, S.IDLE
        return []
    if key.startswith("L") and key[1:].isdigit():
        return line_key(st, key)
    return None


def softkey_label(st: HandsetState, key: str) -> str:
    keys: SoftKeys = compose(st)[1]
    return keys[int(key[1]) - 1]


def press(st: HandsetState, key: str) -> list[Intent]:
    popup = st.popup()
    if key in ("F1", "F2", "F3", "F4"):
        label = softkey_label(st, key)
        return soft(st, label) if label else []
    if popup is not None:
        st.ack_popup(popup)
        if key in ("X", "OK"):
            return []
    done = global_key(st, key)
    if done is not None:
        return done
    sm, _ = compose(st)
    call = st.focused()
    if sm.name == S.DIALING:
        return dialing_key(st, key)
    if sm.name == S.FINISHED:
        st.finished = None
        if key not in DIAL_KEYS:
            return []
    elif call is not None:
        members = in_conference(st)
        if members and (done := conference_key(st, key, members)) is not None:
            return done
        return call_key(st, key, call)
    if st.view == S.IDLE or sm.name == S.FINISHED:
        return idle_key(st, key)
    return nav(st, key)


def idle_key(st: HandsetState, key: str) -> list[Intent]:
    if key in DIAL_KEYS:
        st.open_dialing()
        st.dial.key(key, st.now)
        return [OffHook()]
    if key == "SPEAKER":
        st.open_dialing()
        return [SelectAudioMode("speaker"), OffHook()]
    if key == "HEADSET":
        return [SelectAudioMode("headset")]
    if key == "OK":
        st.back_to, st.view = S.IDLE, S.STATUS
    return []
