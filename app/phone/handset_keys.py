"""What each key does on each screen: key presses in, intents for the phone core out."""

from __future__ import annotations

from app.phone import screens as S
from app.phone.handset_calls import slot_calls
from app.phone.handset_dial import matches
from app.phone.handset_flags import PLACED
from app.phone.handset_nav import menu_soft, nav, open_list, send_row
from app.phone.handset_screen import compose
from app.phone.handset_state import HISTORY_TABS, HandsetState
from app.phone.intents import (
    Conference,
    ForwardCall,
    Hold,
    Mute,
    NewCall,
    OffHook,
    OnHook,
    Redial,
    Reject,
    Resume,
    SelectAudioMode,
    SendDtmf,
    SetDnd,
    Silence,
    Swap,
    Transfer,
    VolumeStep,
)
from app.phone.messages import Answer, Dial, Hangup
from app.phone.model import CallState, CallView
from app.phone.softkeys import SoftKeys
from app.phone.texts import T

DIAL_KEYS = frozenset("0123456789*#")
Out = list[object]


def _end(st: HandsetState, call: CallView) -> Out:
    st.dismissed.add(call.id)
    st.hung_up.add(call.id)
    if st.focus == call.id:
        st.focus = st.pick_focus()
    return [Hangup(call.id)]


def send(st: HandsetState) -> Out:
    """Send on the dial screen: call, consult for a transfer/conference, or divert."""
    found = matches(st.dial.text, st.flags.history, st.flags.directory)
    target = found[st.match_sel][1] if 0 <= st.match_sel < len(found) else st.dial.text.strip()
    if not target or st.sent_at >= 0:
        return []
    if st.purpose == "forward":
        call = st.purpose_call
        st.leave_to_idle()
        return [ForwardCall(call, target)]
    if st.purpose in ("transfer", "conference") and st.purpose_call:
        st.pending_consult = (st.purpose, st.purpose_call)
    st.sent_at = st.now
    return [Dial(target, st.dial_account)]


def _cancel_dialing(st: HandsetState) -> Out:
    purpose, call = st.purpose, st.purpose_call
    st.leave_to_idle()
    if purpose in ("transfer", "conference") and call:
        return [Resume(call)]
    return [] if st.live() else [OnHook()]


def _start_consult(st: HandsetState, purpose: str, call: CallView) -> Out:
    out: Out = [Hold(call.id)] if call.state in (CallState.TALKING, CallState.HELD) else []
    st.open_dialing(purpose, call.id)
    return out


def soft(st: HandsetState, label: str) -> Out:
    call = st.focused()
    if label == T.HISTORY:
        open_list(st, S.HISTORY)
    elif label == T.DIRECTORY:
        open_list(st, S.DIRECTORY)
    elif label == T.DND:
        return [SetDnd(not st.flags.dnd)]
    elif label == T.MENU:
        st.view = S.MENU
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
            return _cancel_dialing(st)
        st.finished = None
    elif label == T.B_TRANSFER:
        target, call_id = st.dial.text.strip(), st.purpose_call
        if target and call_id:
            st.leave_to_idle()
            return [Transfer(call_id, target, attended=False)]
    elif label in (T.BACK, T.EXIT, T.OK, T.VIEW, T.ENTER, T.SAVE, T.SWITCH):
        return menu_soft(st, label)
    elif call is not None:
        return _call_soft(st, label, call)
    return []


def _call_soft(st: HandsetState, label: str, call: CallView) -> Out:
    if label == T.ANSWER:
        return [Answer(call.id)]
    if label == T.FORWARD:
        st.open_dialing("forward", call.id)
    elif label == T.SILENCE:
        st.silenced.add(call.id)
        return [Silence(call.id)]
    elif label == T.REJECT:
        st.dismissed.add(call.id)
        return [Reject(call.id)]
    elif label == T.TRANSFER:
        if st.consult and st.consult[1] != call.id and st.call(st.consult[1]):
            original = st.consult[1]
            st.consult = None
            return [Transfer(original, call.id, attended=True)]
        return _start_consult(st, "transfer", call)
    elif label == T.HOLD:
        return [Hold(call.id)]
    elif label == T.RESUME:
        return [Resume(call.id)]
    elif label == T.CONFERENCE:
        others = st.others()
        if others:
            st.consult = None
            return [Conference((others[0].id, call.id))]
        return _start_consult(st, "conference", call)
    elif label == T.END_CALL:
        return _end(st, call)
    elif label == T.SWAP and st.others():
        other = st.others()[0]
        st.focus = other.id
        return [Swap(other.id)]
    elif label == T.NEW_CALL:
        st.open_dialing()
        return [NewCall()]
    return []


def dialing_key(st: HandsetState, key: str) -> Out:
    st.last_key_at = st.now
    if key in DIAL_KEYS:
        if key == "#" and st.dial.text and st.dial.mode == "123":
            return send(st)  # "#" is the phone's default Key As Send
        st.dial.key(key, st.now)
        st.match_sel = -1
    elif key in ("DELETE",):
        st.dial.backspace()
    elif key in ("LEFT", "RIGHT"):
        st.dial.move(-1 if key == "LEFT" else 1)
    elif key in ("UP", "DOWN"):
        n = len(matches(st.dial.text, st.flags.history, st.flags.directory))
        if n:
            st.match_sel = max(-1, min(n - 1, st.match_sel + (1 if key == "DOWN" else -1)))
    elif key == "OK":
        return send(st)
    elif key in ("X", "CALLEND") or (key == "SPEAKER" and not st.live()):
        return _cancel_dialing(st)  # SPEAKER again puts the phone back on hook
    elif key == "TRAN" and st.purpose == "transfer":
        return soft(st, T.B_TRANSFER)
    return []


def call_key(st: HandsetState, key: str, call: CallView) -> Out:
    ringing = call.state == CallState.CALLIN
    if ringing and key in ("OK", "SPEAKER", "HEADSET"):
        out: Out = [Answer(call.id)]
        if key != "OK":
            out.insert(0, SelectAudioMode(key.lower()))
        return out
    if ringing and key == "X":
        return _call_soft(st, T.REJECT, call)
    if key in ("X", "CALLEND"):
        return _end(st, call)
    if key in DIAL_KEYS and call.state == CallState.TALKING:
        return [SendDtmf(key, call.id)]
    if key == "HOLD" and call.state in (CallState.TALKING, CallState.HELD, CallState.HOLD):
        return [Resume(call.id) if call.state == CallState.HOLD else Hold(call.id)]
    if key == "TRAN" and call.state in (CallState.TALKING, CallState.HOLD, CallState.RINGBACK):
        return _call_soft(st, T.TRANSFER, call)
    if key in ("UP", "DOWN") and len(st.live()) > 1:
        ids = [c.id for c in st.live()]
        st.focus = ids[(ids.index(call.id) + (1 if key == "DOWN" else -1)) % len(ids)]
    elif key in ("SPEAKER", "HEADSET"):
        return [SelectAudioMode(key.lower())]
    return []


def line_key(st: HandsetState, key: str) -> Out:
    sm, _ = compose(st)
    if sm.line_pages > 1 and key == "L10":
        st.page = (st.page + 1) % sm.line_pages
        return []
    call_id = slot_calls(st.accounts, st.live(), st.page).get(key)
    call = st.call(call_id)
    if call is not None:
        if call.state == CallState.CALLIN:
            return [Answer(call.id)]
        if call.id != st.focus and call.state == CallState.HOLD:
            st.focus = call.id
            return [Swap(call.id)]
        st.focus = call.id
        return [Resume(call.id)] if call.state == CallState.HOLD else []
    label_index = int(key[1:]) - 1
    account = st.accounts[label_index] if label_index < len(st.accounts) else None
    if st.view == S.DIALING or account is None:
        return []
    in_call = bool(st.live())
    st.open_dialing()
    st.dial_account = account.index
    return [NewCall()] if in_call else [OffHook(account.index)]


def global_key(st: HandsetState, key: str) -> Out | None:
    """Keys that act the same on every screen; None: not one of them."""
    if key in ("VOL-", "VOL+"):
        return [VolumeStep(1 if key == "VOL+" else -1)]
    if key == "MUTE":
        return [Mute(not st.flags.muted)] if st.live() else []
    if key == "MESSAGE":
        if st.flags.message:
            st.ack_message = min(st.ack_message, st.flags.message_id - 1)
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


def press(st: HandsetState, key: str) -> Out:
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
        return call_key(st, key, call)
    if st.view == S.IDLE or sm.name == S.FINISHED:
        return idle_key(st, key)
    return nav(st, key)


def idle_key(st: HandsetState, key: str) -> Out:
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
