"""Build the ScreenModel the display shows from the handset state."""

from __future__ import annotations

from datetime import datetime

from app.phone.handset import screens as S
from app.phone.handset import softkeys as K
from app.phone.handset import voicemail as V
from app.phone.handset.call_text import (
    CALL_WORDS,
    REG_WORDS,
    SCREEN_OF,
    account_name,
    body_lines,
    call_timer,
    detail_text,
    party,
)
from app.phone.handset.conference import compose_conference, in_conference
from app.phone.handset.dial_buffer import matches
from app.phone.handset.linekeys.layout import Layout, layout, lit_types
from app.phone.handset.power_led import power_led
from app.phone.handset.screens import ScreenModel, StatusBar
from app.phone.handset.state import HISTORY_TABS, HandsetState
from app.phone.model import CallState, CallView, RegState
from app.phone.texts import T, tr

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def status_bar(st: HandsetState) -> StatusBar:
    f = st.flags
    clock = f.clock or datetime.now()
    if f.clock_24h:
        time_text = f"{clock.hour:02d}:{clock.minute:02d}"
    else:
        hour = clock.hour % 12 or 12
        time_text = f"{hour}:{clock.minute:02d} {'AM' if clock.hour < 12 else 'PM'}"
    date_text = f"{_DAYS[clock.weekday()]} {_MONTHS[clock.month - 1]} {clock.day}"
    bar = StatusBar(time=time_text, date=date_text, missed=f.missed_count)
    if st.accounts:
        acc = st.accounts[0]
        bar.account = account_name(acc)
        bar.registration = tr(REG_WORDS[acc.state])
        bar.reg_state = acc.state.value
    else:
        bar.registration = tr(T.NO_SERVICE)
        bar.reg_state = RegState.NO_SERVICE.value
    bar.voice_mail = V.badge(f)
    for name, on in (
        ("dnd", f.dnd),
        ("forward", f.forward_on),
        ("missed", f.missed_count > 0),
        ("voice_mail", bool(V.waiting(f))),
        ("mute", f.muted),
        ("auto_answer", f.auto_answer),
    ):
        if on:
            bar.icons.append(name)
    return bar


def _call_softkeys(st: HandsetState, call: CallView) -> K.SoftKeys:
    consulting = st.consult is not None and call.id != st.consult[1]
    match call.state:
        case CallState.CALLIN:
            return K.INCOMING_SILENCED if call.id in st.silenced else K.INCOMING
        case CallState.RINGBACK:
            return K.RINGBACK_CONSULT if consulting else K.RINGBACK
        case CallState.TALKING:
            return K.TALKING
        case CallState.HOLD:
            return K.HOLD
        case CallState.HELD:
            return K.HELD
        case CallState.FAILED:
            return K.FAILED
        case CallState.FINISHED:
            return K.FINISHED
    return K.CALLING


def _call_screen(st: HandsetState, sm: ScreenModel, call: CallView) -> K.SoftKeys:
    if members := in_conference(st):
        return compose_conference(st, sm, members)
    sm.name = SCREEN_OF[call.state]
    sm.title = tr(CALL_WORDS[call.state])
    sm.detail = detail_text(call)
    sm.lines = body_lines(call)
    if st.flags.audio_warning:
        sm.lines = [*sm.lines, st.flags.audio_warning]
    sm.timer = call_timer(call, st.now)
    sm.encrypted = call.encrypted
    live = st.live()
    if len(live) > 1 and call.state != CallState.FINISHED:
        ids = [c.id for c in live]
        sm.call_index = f"{ids.index(call.id) + 1}/{len(ids)}"
        sm.items = [f"{party(c)[0]}  {tr(CALL_WORDS[c.state])}" for c in live]
        sm.selected = ids.index(call.id)
    return _call_softkeys(st, call)


def _dialing(st: HandsetState, sm: ScreenModel) -> K.SoftKeys:
    sm.name = S.DIALING
    titles = {"transfer": T.TRANSFER, "conference": T.CONFERENCE, "forward": T.FORWARD_TO}
    sm.title = tr(titles.get(st.purpose, T.DIAL))
    account = next((a for a in st.accounts if a.index == st.dial_account), None)
    if account is None and st.accounts:
        account = st.accounts[0]
    sm.detail = account_name(account) if account else ""
    if st.purpose == "forward" and (call := st.call(st.purpose_call)):
        sm.lines = body_lines(call)
    sm.input, sm.cursor, sm.ime = st.dial.text, st.dial.cursor, st.dial.mode
    found = matches(st.dial.text, st.flags.history, st.flags.directory)
    sm.items = [name for name, _ in found]
    sm.values = [number for _, number in found]
    sm.selected = st.match_sel
    return K.TRANSFER_DIALING if st.purpose == "transfer" else K.DIALING


def _lists(st: HandsetState, sm: ScreenModel) -> K.SoftKeys:
    if st.view == S.MENU:
        sm.title = tr(st.menu.title)
        sm.items = [tr(i.text) for i in st.menu.menu.children]
        sm.selected = st.menu.selected
        return K.MENU
    if st.view == S.HISTORY:
        sm.title = tr(T.HISTORY)
        sm.tabs = [tr(t) for t, _ in HISTORY_TABS]
        sm.tab = st.tab
        rows = st.history_rows()
        sm.items = [name for name, _ in rows] or [tr(T.NO_RECORDS)]
        sm.values = st.history_when() if rows else [""]
        sm.rows = st.history_ids() if rows else []
        sm.selected = st.row if rows else -1
        return K.LIST
    if st.view == S.DIRECTORY:
        sm.title = tr(T.LOCAL_DIRECTORY)
        rows = st.flags.directory
        sm.items = [name for name, _ in rows] or [tr(T.NO_RECORDS)]
        sm.values = [number for _, number in rows] or [""]
        sm.selected = st.row if rows else -1
        return K.LIST
    if st.view == S.FORM and st.form is not None:
        sm.title = tr(st.form.title)
        sm.items = [tr(f.label) for f in st.form.fields]
        sm.values = [f.shown() for f in st.form.fields]
        sm.switches = [i for i, f in enumerate(st.form.fields) if f.switches]
        sm.selected = st.form.selected
        return K.FORM_SWITCH if st.form.current.switches else K.FORM_TEXT
    if st.view == S.VOICE_MAIL:
        sm.title = tr(T.VOICE_MAIL)
        sm.items, sm.values = V.rows(st.flags)
        sm.selected = st.row if sm.items else -1
        return K.VOICE_MAIL if sm.items else K.STATUS
    if st.view == S.MESSAGES:
        # the newest text message (the only one kept): OK shows it whole
        sm.title = tr(T.TEXT_MESSAGE)
        f = st.flags
        sm.items = [f.message_from or f.message] if f.message else [tr(T.NO_RECORDS)]
        sm.values = [f.message if f.message_from else ""] if f.message else [""]
        sm.selected = 0 if f.message else -1
        return K.STATUS
    # status
    sm.title = tr(T.STATUS)
    shown = [a for a in st.accounts if account_name(a)]
    sm.items = [account_name(a) for a in shown]
    sm.values = [tr(REG_WORDS[a.state]) for a in shown]
    if st.flags.sip_port_note:
        sm.items.append(tr(T.SIP_PORT))
        sm.values.append(st.flags.sip_port_note)
    return K.STATUS


def _idle_note(st: HandsetState) -> str:
    """The idle screen's note line: why an account failed to register (the registrar's own
    status, e.g. "Register failed! 403 Forbidden"), the SIP port note, and with no account
    how to add one (the status bar keeps Yealink's "No Service")."""
    notes: list[str] = []
    failed = next((a for a in st.accounts if a.state == RegState.FAILED), None)
    if failed is not None:
        why = f"{failed.code or ''} {failed.reason}".strip()
        whose = "" if failed is st.accounts[0] else f"{failed.label}: "
        notes.append(f"{whose}{tr(T.REGISTER_FAILED)} {why}".strip())
    if st.flags.sip_port_note:
        notes.append(st.flags.sip_port_note)
    if st.no_account():
        notes.append(tr(T.ADD_ACCOUNT))
    return " · ".join(notes)


def line_keys(st: HandsetState) -> Layout:
    """The line keys as the display shows them now (their page, LEDs, calls on them)."""
    return layout(
        st.line_key_config(),
        st.accounts,
        st.live(),
        st.focus,
        st.page,
        st.seizing(),
        watches=st.flags.watches,
        lit=lit_types(st.flags.dnd, st.forward_always[0]),
        dnd=st.flags.dnd_accounts,
    )


def compose(st: HandsetState) -> tuple[ScreenModel, K.SoftKeys]:
    """The screen and its soft keys as catalog ids (F1-F4 are dispatched on the ids)."""
    sm = ScreenModel(status=status_bar(st))
    keys_shown = line_keys(st)
    sm.line_keys, sm.line_pages = keys_shown.keys, keys_shown.pages
    sm.line_page = keys_shown.page + 1
    focus = st.focused()
    keys: K.SoftKeys
    ringing = focus is not None and focus.state == CallState.CALLIN
    if st.view == S.DIALING and (not ringing or st.purpose == "forward"):
        keys = _dialing(st, sm)
    elif focus is not None:
        keys = _call_screen(st, sm, focus)
    elif st.finished is not None:
        keys = _call_screen(st, sm, st.finished)
    elif st.view in (S.MENU, S.HISTORY, S.DIRECTORY, S.FORM, S.STATUS, S.MESSAGES, S.VOICE_MAIL):
        sm.name = st.view
        keys = _lists(st, sm)
    else:
        sm.name = S.IDLE
        sm.note = _idle_note(st)
        keys = K.IDLE_NO_ACCOUNT if st.no_account() else K.IDLE
    texts = st.unread_texts() if st.flags.mail_power_led else 0
    sm.power_led_colour, sm.power_led_mode = power_led(st.live(), V.lamp_count(st.flags), texts)
    popup = st.popup()
    if popup is not None:
        sm.popup = popup
        keys = K.POPUP_VIEW if popup.kind in ("missed", "forwarded", "voice_mail") else K.POPUP
    sm.softkeys = [tr(k) if k else "" for k in keys]
    return sm, keys
