"""Pieces of the call screens: who is on the line, timers, and the line keys with their LEDs."""

from __future__ import annotations

from app.phone import screens as S
from app.phone.model import AccountView, CallState, CallView, RegState
from app.phone.screens import LineKeyView
from app.phone.texts import T, tr

LINE_KEYS_PER_PAGE = 10
MAX_LINE_KEYS = 27  # SIP-T46G: 27 line keys with page switching

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

# Line LED per call state (docs/yealink.md §5): solid green seized/talking, fast green
# incoming, slow green held. Held by the far end is shown like our own hold (unconfirmed).
LED_OF: dict[CallState, tuple[str, str]] = {
    CallState.DIALING: (S.GREEN, S.SOLID),
    CallState.CONNECTING: (S.GREEN, S.SOLID),
    CallState.RINGBACK: (S.GREEN, S.SOLID),
    CallState.CALLIN: (S.GREEN, S.FAST),
    CallState.TALKING: (S.GREEN, S.SOLID),
    CallState.HOLD: (S.GREEN, S.SLOW),
    CallState.HELD: (S.GREEN, S.SLOW),
    CallState.FAILED: (S.GREEN, S.SOLID),
    CallState.FINISHED: (S.LED_OFF, S.LED_OFF),
}

_ICON_OF_CALL: dict[CallState, str] = {
    CallState.CALLIN: "ringing",
    CallState.HOLD: "hold",
    CallState.HELD: "hold",
}

_ICON_OF_REG: dict[RegState, str] = {
    RegState.REGISTERED: "registered",
    RegState.LOCAL: "registered",
    RegState.REGISTERING: "registering",
    RegState.FAILED: "failed",
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


def call_timer(call: CallView, now: float) -> str:
    if call.state == CallState.FINISHED and call.answered:
        return timer_text((call.ended or now) - call.answered)
    if call.answered and call.state in (CallState.TALKING, CallState.HOLD, CallState.HELD):
        return timer_text(now - call.answered)
    return ""


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
        from app.phone.model import failure_text

        return call.text or failure_text(call.code, call.reason)
    return call.text


def _account_label(account: AccountView | None, index: int) -> str:
    if account is None:
        return ""
    return account.label or strip_uri(account.uri) or f"{tr(T.LINE)} {index + 1}"


def line_keys(
    accounts: list[AccountView], calls: list[CallView], focus: str | None, page: int
) -> tuple[list[LineKeyView], int]:
    """The line keys of page `page` (0-based) and the number of pages.

    Key n shows account n; a call sits on its account's key, or on the next free key when that
    one is taken (the T46G way of giving one account several lines).
    """
    slots: list[tuple[AccountView | None, CallView | None]] = [(a, None) for a in accounts]
    by_index = {a.index: i for i, a in enumerate(accounts)}
    for call in calls:
        if call.state == CallState.FINISHED:
            continue
        home = by_index.get(call.account, 0)
        account = accounts[home] if accounts else None
        if home < len(slots) and slots[home][1] is None:
            slots[home] = (slots[home][0], call)
            continue
        free = next((i for i, s in enumerate(slots) if s == (None, None)), None)
        if free is None:
            slots.append((account, call))
        else:
            slots[free] = (account, call)
    slots = slots[:MAX_LINE_KEYS]
    per_page = LINE_KEYS_PER_PAGE if len(slots) <= LINE_KEYS_PER_PAGE else LINE_KEYS_PER_PAGE - 1
    pages = max(1, -(-len(slots) // per_page))
    page = min(max(page, 0), pages - 1)
    shown = slots[page * per_page : (page + 1) * per_page]
    keys: list[LineKeyView] = []
    for n, (acc, on_key) in enumerate(shown):
        key = LineKeyView(key=f"L{n + 1}", label=_account_label(acc, n))
        if on_key is not None:
            key.led_colour, key.led_mode = LED_OF[on_key.state]
            key.icon = _ICON_OF_CALL.get(on_key.state, "talking")
            key.focused = on_key.id == focus
        elif acc is not None:
            key.icon = _ICON_OF_REG.get(acc.state, "")
        keys.append(key)
    while len(keys) < per_page:
        keys.append(LineKeyView(key=f"L{len(keys) + 1}"))
    if pages > 1:
        # The 10th key turns into the page key; it flashes when a call rings on another page.
        ringing_elsewhere = any(
            c is not None and c.state == CallState.CALLIN
            for i, (_, c) in enumerate(slots)
            if i // per_page != page
        )
        keys.append(
            LineKeyView(
                key=f"L{LINE_KEYS_PER_PAGE}",
                label=tr(T.PAGE, page=page + 1, pages=pages),
                icon="page",
                led_colour=S.GREEN if ringing_elsewhere else S.LED_OFF,
                led_mode=S.FAST if ringing_elsewhere else S.LED_OFF,
            )
        )
    return keys, pages


def slot_calls(accounts: list[AccountView], calls: list[CallView], page: int) -> dict[str, str]:
    """Physical key ("L1") -> id of the call shown on it on page `page`."""
    out: dict[str, str] = {}
    for call in calls:
        if call.state == CallState.FINISHED:
            continue
        # focusing one call at a time marks its key: one layout function stays the only truth
        probe, _ = line_keys(accounts, calls, call.id, page)
        out.update({k.key: call.id for k in probe if k.focused})
    return out
