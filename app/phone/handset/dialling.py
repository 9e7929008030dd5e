"""Keys on the dial screen: digits and editing, Send (call, consult or divert) and Cancel."""

from __future__ import annotations

from app.phone.handset.dial_buffer import matches
from app.phone.handset.keys import DIAL_KEYS
from app.phone.handset.state import HandsetState
from app.phone.intents import ForwardCall, Intent, OnHook, Resume, Transfer
from app.phone.messages import Dial


def send(st: HandsetState) -> list[Intent]:
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


def cancel_dialing(st: HandsetState) -> list[Intent]:
    purpose, call = st.purpose, st.purpose_call
    st.leave_to_idle()
    if purpose in ("transfer", "conference") and call:
        return [Resume(call)]
    return [] if st.live() else [OnHook()]


def blind_transfer(st: HandsetState) -> list[Intent]:
    """B Transfer: transfer the held call to the number typed, without consulting first."""
    target, call_id = st.dial.text.strip(), st.purpose_call
    if target and call_id:
        st.leave_to_idle()
        return [Transfer(call_id, target, attended=False)]
    return []


def dialing_key(st: HandsetState, key: str) -> list[Intent]:
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
        return cancel_dialing(st)  # SPEAKER again puts the phone back on hook
    elif key == "TRAN" and st.purpose == "transfer":
        return blind_transfer(st)
    return []
