"""The local conference on the handset: the Conference screen and its Manage list.

While two or more calls are joined (HandsetFlags.conference), the call screen is the
Conference screen: the parties, with Hold, Manage, Split and End Call. Manage lists the
parties; Far Mute stops passing the selected party's audio to anyone (it still hears
everyone), Remove hangs up that party's call. Split leaves each call on hold on its own; End
Call ends them all ("When you end the conference call, the other parties drop the call").
Source: docs/yealink.md §14.
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset import softkeys as K
from app.phone.handset.call_keys import end
from app.phone.handset.call_text import call_timer, party
from app.phone.handset.screens import ScreenModel
from app.phone.handset.state import HandsetState
from app.phone.intents import FarMute, Hold, Intent, Resume, SplitConference
from app.phone.model import CallState, CallView
from app.phone.texts import T, tr


def in_conference(st: HandsetState) -> list[CallView]:
    """The conference's calls when the call shown is one of them, else []."""
    members = st.conference_calls()
    return members if any(c.id == st.focus for c in members) else []


def _held(members: list[CallView]) -> bool:
    return all(c.state == CallState.HOLD for c in members)


def compose_conference(st: HandsetState, sm: ScreenModel, members: list[CallView]) -> K.SoftKeys:
    managing = st.view == S.MANAGE
    sm.name = S.MANAGE if managing else S.CONFERENCE
    sm.title = tr(T.CONFERENCE)
    sm.detail = tr(T.HOLD) if _held(members) else ""
    sm.items = [party(c)[0] for c in members]
    # a far-muted party is marked with the key's own word
    sm.values = [tr(T.FAR_MUTE) if c.id in st.flags.far_muted else "" for c in members]
    answered = [c for c in members if c.answered]
    first = min(answered, key=lambda c: c.answered) if answered else members[0]
    sm.timer = call_timer(first, st.now)
    if managing:
        st.row = min(max(st.row, 0), len(members) - 1)
        sm.selected = st.row
        return K.MANAGE
    return K.CONFERENCE_HELD if _held(members) else K.CONFERENCE


def _end_all(st: HandsetState, members: list[CallView]) -> list[Intent]:
    out: list[Intent] = []
    for call in members:
        out += end(st, call)
    st.view = S.IDLE
    return out


def conference_soft(st: HandsetState, label: str, members: list[CallView]) -> list[Intent] | None:
    """A soft key on the Conference or Manage screen; None: not one of theirs."""
    if st.view == S.MANAGE:
        chosen = members[min(max(st.row, 0), len(members) - 1)]
        if label == T.FAR_MUTE:
            return [FarMute(chosen.id, chosen.id not in st.flags.far_muted)]
        if label == T.REMOVE:
            return end(st, chosen)
        if label == T.BACK:
            st.view = S.IDLE
            return []
        return None
    if label == T.HOLD:
        return [Hold(c.id) for c in members if c.state in (CallState.TALKING, CallState.HELD)]
    if label == T.RESUME:
        return [Resume(c.id) for c in members if c.state == CallState.HOLD]
    if label == T.MANAGE:
        st.view, st.row = S.MANAGE, 0
        return []
    if label == T.SPLIT:
        return [SplitConference()]
    if label == T.END_CALL:
        return _end_all(st, members)
    return None


def conference_key(st: HandsetState, key: str, members: list[CallView]) -> list[Intent] | None:
    """A hard key on the Conference or Manage screen; None: the call screen's own handling."""
    if st.view == S.MANAGE:
        if key in ("UP", "DOWN"):
            st.row = (st.row + (1 if key == "DOWN" else -1)) % len(members)
            return []
        if key in ("X", "LEFT"):
            st.view = S.IDLE
            return []
        return None
    if key == "HOLD":
        return conference_soft(st, T.RESUME if _held(members) else T.HOLD, members)
    if key in ("X", "CALLEND"):
        return _end_all(st, members)
    if key in ("UP", "DOWN"):
        return []  # one screen for the whole conference: nothing to scroll to
    return None
