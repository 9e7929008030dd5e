"""The handset: key presses in, intents for the phone core out, and what the display shows.

Pure (no Qt, no pjsua2): it runs in the engine process, which calls `update()` whenever the
core's accounts/calls/flags change, `press()` for keys from the window or Action URI, `tick()`
every few hundred ms, and publishes `screen().to_dict()` to the UI when it changes. What it
needs besides accounts and calls (feature state, lists, the line key configuration) comes in
`HandsetFlags`; what it asks for is an `Intent` (app/phone/intents.py).
"""

from __future__ import annotations

from dataclasses import replace

import app.phone.handset.dialling as dialling
import app.phone.handset.screens as S
from app.phone.handset.compose import compose
from app.phone.handset.flags import HandsetFlags
from app.phone.handset.keys import DIAL_KEYS, key_name
from app.phone.handset.press import idle_key
from app.phone.handset.press import press as dispatch
from app.phone.handset.screens import ScreenModel
from app.phone.handset.state import FINISH_SECONDS, SENT_SECONDS, HandsetState
from app.phone.handset.voicemail import seen_up_to
from app.phone.intents import Intent, SendDtmf
from app.phone.model import AccountView, CallState, CallView, Direction, RegState


class Handset:
    def __init__(self) -> None:
        self._st = HandsetState()

    # ---- inputs ---------------------------------------------------------------------------

    def update(
        self,
        accounts: list[AccountView],
        calls: list[CallView],
        flags: HandsetFlags,
        now: float,
    ) -> None:
        """The core's view changed: follow new calls, notice ended ones."""
        st = self._st
        st.now, st.accounts, st.flags = now, list(accounts), flags
        ids = {c.id for c in calls}
        for cid, old in st.known.items():
            gone = cid not in ids and old.state != CallState.FINISHED
            if gone and cid == st.focus:
                self._finish(replace(old, state=CallState.FINISHED, ended=old.ended or now))
        for call in calls:
            old_call = st.known.get(call.id)
            if old_call is None:
                self._new_call(call)
            elif (
                call.state == CallState.FINISHED
                and old_call.state != CallState.FINISHED
                and call.id == st.focus
            ):
                self._finish(call)
        st.known = {c.id: c for c in calls}
        st.count_forwarded(calls)
        st.calls = list(calls)
        live_ids = {c.id for c in st.live()}
        if st.focus not in live_ids:
            st.focus = st.pick_focus()
        st.silenced &= live_ids
        st.dismissed &= ids
        if st.consult and st.consult[1] not in live_ids:
            st.consult = None
        if st.purpose_call and st.purpose_call not in live_ids and st.view == S.DIALING:
            st.leave_to_idle()
        st.ack_missed = min(st.ack_missed, flags.missed_count)
        st.ack_voice_mail = seen_up_to(flags, st.ack_voice_mail)
        if st.view == S.MANAGE and not st.conference_calls():
            st.view = S.IDLE  # the conference ended under the Manage list

    def press(self, key: str, now: float) -> list[Intent]:
        """One key of the faceplate (or Action URI); unknown keys are ignored."""
        name = key_name(key)
        if name is None:
            return []
        st = self._st
        st.now = now
        out = dispatch(st, name)
        dialing = st.view == S.DIALING and st.sent_at < 0 and st.dial.text
        if dialing and st.purpose != "forward" and self._dial_now_due():
            out += dialling.send(st)  # a dial-now delay of 0: at once, no tick needed
        return out

    def type_text(self, text: str, now: float) -> list[Intent]:
        """Typed or pasted text: a number or SIP URI for the dial screen (or a form field)."""
        st = self._st
        st.now = now
        text = "".join(c for c in text if c.isprintable()).strip()
        if not text:
            return []
        call = st.focused()
        if st.view == S.FORM and st.form is not None:
            st.form.type(text)
            return []
        if st.view != S.DIALING and call is not None:
            if call.state == CallState.TALKING:
                return [SendDtmf(c, call.id) for c in text if c in DIAL_KEYS]
            return []
        out: list[Intent] = []
        if st.view != S.DIALING:
            out = idle_key(st, "SPEAKER")[1:]  # opens the dial screen (OffHook)
            st.finished = None
        st.dial.insert(text)
        st.last_key_at = now
        st.match_sel = -1
        return out

    def resting(self) -> bool:
        """Nothing on the display changes by time alone but the clock (no dial screen, no
        "Call Finish" waiting to clear): the engine may then wake less often."""
        return self._st.view != S.DIALING and self._st.finished is None

    def tick(self, now: float) -> list[Intent]:
        """Time passed: auto-dial after the inter-digit timeout, end "Call Finish"."""
        st = self._st
        st.now = now
        if st.finished is not None and now >= st.finished_until:
            st.finished = None
        if st.view == S.DIALING and st.sent_at >= 0 and now - st.sent_at > SENT_SECONDS:
            st.leave_to_idle()
        ready = st.view == S.DIALING and st.sent_at < 0 and st.dial.text
        if not ready or st.purpose == "forward":
            return []
        wait = st.flags.inter_digit_seconds
        if self._dial_now_due() or (wait > 0 and now - st.last_key_at >= wait):
            return dialling.send(st)
        return []

    def _dial_now_due(self) -> bool:
        """The digits typed match a dial-now rule and its delay has passed since the last key.

        The rules of the account the call would go out on count (the line key's, else the
        first registered one, as the core picks); not while a suggestion is selected.
        """
        st = self._st
        plan = st.flags.dial_plan
        if (
            plan is None
            or not plan.dialnow
            or st.match_sel >= 0
            or st.now - st.last_key_at < plan.delay
        ):
            return False
        registered = [a.index for a in st.accounts if a.state == RegState.REGISTERED]
        account = (
            st.dial_account or next(iter(registered), 0) or next((a.index for a in st.accounts), 0)
        )
        return plan.dial_now(st.dial.text.strip(), account)

    # ---- output ---------------------------------------------------------------------------

    def screen(self) -> ScreenModel:
        return compose(self._st)[0]

    # ---- helpers --------------------------------------------------------------------------

    def _new_call(self, call: CallView) -> None:
        st = self._st
        if call.state == CallState.FINISHED:
            return
        st.finished = None
        if call.direction == Direction.OUTGOING:
            st.focus = call.id
            if st.pending_consult is not None:
                # the consultation call of a transfer, dialled here or by a line key
                st.consult, st.pending_consult = st.pending_consult, None
            if st.view == S.DIALING:
                st.leave_to_idle()
        elif call.state == CallState.CALLIN:
            st.focus = call.id

    def _finish(self, call: CallView) -> None:
        st = self._st
        if call.answered and call.id not in st.hung_up:
            st.finished = call
            st.finished_until = st.now + FINISH_SECONDS
        st.hung_up.discard(call.id)
