"""Keys and soft keys on the call screens: answer, reject, hold, transfer, conference, end."""

from __future__ import annotations

from app.phone.handset.keys import DIAL_KEYS
from app.phone.handset.state import HandsetState
from app.phone.intents import (
    Conference,
    Hold,
    Intent,
    NewCall,
    Reject,
    Resume,
    SelectAudioMode,
    SendDtmf,
    Silence,
    Transfer,
)
from app.phone.messages import Answer, Hangup
from app.phone.model import CallState, CallView
from app.phone.texts import T


def end(st: HandsetState, call: CallView) -> list[Intent]:
    st.dismissed.add(call.id)
    st.hung_up.add(call.id)
    if st.focus == call.id:
        st.focus = st.pick_focus()
    return [Hangup(call.id)]


def _start_consult(st: HandsetState, purpose: str, call: CallView) -> list[Intent]:
    held = call.state in (CallState.TALKING, CallState.HELD)
    out: list[Intent] = [Hold(call.id)] if held else []
    st.open_dialing(purpose, call.id)
    return out


def call_soft(st: HandsetState, label: str, call: CallView) -> list[Intent]:
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
        return end(st, call)
    elif label == T.NEW_CALL:
        st.open_dialing()
        return [NewCall()]
    return []


def call_key(st: HandsetState, key: str, call: CallView) -> list[Intent]:
    ringing = call.state == CallState.CALLIN
    if ringing and key in ("OK", "SPEAKER", "HEADSET"):
        out: list[Intent] = [Answer(call.id)]
        if key != "OK":
            out.insert(0, SelectAudioMode(key.lower()))
        return out
    if ringing and key == "X":
        return call_soft(st, T.REJECT, call)
    if key in ("X", "CALLEND"):
        return end(st, call)
    if key in DIAL_KEYS and call.state == CallState.TALKING:
        return [SendDtmf(key, call.id)]
    if key == "HOLD" and call.state in (CallState.TALKING, CallState.HELD, CallState.HOLD):
        return [Resume(call.id) if call.state == CallState.HOLD else Hold(call.id)]
    if key == "TRAN" and call.state in (CallState.TALKING, CallState.HOLD, CallState.RINGBACK):
        return call_soft(st, T.TRANSFER, call)
    if key in ("UP", "DOWN") and len(st.live()) > 1:
        ids = [c.id for c in st.live()]
        st.focus = ids[(ids.index(call.id) + (1 if key == "DOWN" else -1)) % len(ids)]
    elif key in ("SPEAKER", "HEADSET"):
        return [SelectAudioMode(key.lower())]
    return []
