"""Pieces of the call screens: which screen and words a state shows, who is on the line, timers."""

from __future__ import annotations

from app.phone.accounts import LOCAL_ACCOUNT
from app.phone.handset import screens as S
from app.phone.model import AccountView, CallState, CallView, RegState, failure_text
from app.phone.texts import T, tr

SCREEN_OF: dict[CallState, str] = {
    CallState.DIALING: S.CALLING,
    CallState.CONNECTING: S.CALLING,
    CallState.RINGBACK: S.RINGBACK,
    CallState.CALLIN: S.INCOMING,
    CallState.TALKING: S.TALKING,
    CallState.HOLD: S.HOLD,
    CallState.HELD: S.HELD,
    CallState.FAILED: S.FAILED,
    CallState.FINISHED: S.FINISHED,
}

REG_WORDS: dict[RegState, str] = {
    RegState.NO_SERVICE: T.NO_SERVICE,
    RegState.REGISTERING: T.REGISTERING,
    RegState.REGISTERED: T.REGISTERED,
    RegState.FAILED: T.REGISTER_FAILED,
    RegState.UNREGISTERED: T.UNREGISTERED,
    RegState.LOCAL: T.REGISTERED,
}

CALL_WORDS: dict[CallState, str] = {
    CallState.DIALING: T.DIAL,
    CallState.CONNECTING: T.CONNECTING,
    CallState.RINGBACK: T.RINGING,
    CallState.CALLIN: T.INCOMING_CALL,
    CallState.TALKING: T.TALKING,
    CallState.HOLD: T.HOLD,
    CallState.HELD: T.HELD,
    CallState.FAILED: T.CALL_FAILED,
    CallState.FINISHED: T.CALL_FINISH,
}


def strip_uri(uri: str) -> str:
    """'"Bob" <sip:1002@host;transport=udp>' -> '1002@host'."""
    u = uri.strip()
    if "<" in u and ">" in u:
        u = u[u.index("<") + 1 : u.index(">")]
    for scheme in ("sips:", "sip:", "tel:"):
        if u.lower().startswith(scheme):
            u = u[len(scheme) :]
            break
    return u.split(";", 1)[0].split("?", 1)[0]


def account_name(account: AccountView) -> str:
    """An account as the handset names it. The built-in local account (direct IP calls when
    none is configured) has no name: a phone with no account shows none (docs/yealink.md §2)."""
    if account.index == LOCAL_ACCOUNT:
        return ""
    return account.label or strip_uri(account.uri)


def party(call: CallView) -> tuple[str, str]:
    """(who, address) as the call screen shows them: name big, number/URI under it."""
    addr = strip_uri(call.remote_uri)
    user = addr.split("@", 1)[0] if "@" in addr else addr
    who = call.remote_name.strip() or user or addr
    return who, (addr if addr != who else "")


def timer_text(seconds: float) -> str:
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


_TIMED = (CallState.TALKING, CallState.HOLD, CallState.HELD)


def call_timer(call: CallView, now: float) -> str:
    if call.state == CallState.FINISHED and call.answered:
        return timer_text((call.ended or now) - call.answered)
    if call.answered and call.state in _TIMED:
        return timer_text(now - call.answered)
    return ""


def next_timer_change(calls: list[CallView], now: float) -> float | None:
    """When the first of these calls' running timers (call_timer) shows its next second; None
    if any of them shows none running (ringing, dialling: other things change by time)."""
    if not calls or any(not (c.answered and c.state in _TIMED) for c in calls):
        return None
    return min(c.answered + int(now - c.answered) + 1 for c in calls)


def body_lines(call: CallView) -> list[str]:
    who, addr = party(call)
    lines = [who] + ([addr] if addr else [])
    diverted = call.extra.get("diverted_by", "")
    if diverted:
        lines.append(f"{tr(T.FROM_FWD)} {strip_uri(diverted)}")
    return lines


def detail_text(call: CallView) -> str:
    if call.state == CallState.FINISHED:
        # the title already says "Call Finish" (the core's text): the duration goes there
        return ""
    if call.state == CallState.FAILED:
        return call.text or failure_text(call.code, call.reason)
    return call.text
