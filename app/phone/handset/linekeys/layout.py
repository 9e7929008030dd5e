"""The line keys on the display: configured keys, the calls placed on them, and pages.

A call sits on the first free key of its account (of a type that holds calls), or on a key
added after the configured ones when all of them are taken (the T46G way of giving one
account several lines). More keys than fit on the ten physical ones make pages: the 10th key
turns into the page key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.phone.blf import Watch, WatchKey
from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.linekeys.config import DND, FORWARD, LINE, LineKey
from app.phone.handset.linekeys.table import type_of, watch_key
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent
from app.phone.model import AccountView, CallState, CallView
from app.phone.texts import T, tr

LINE_KEYS_PER_PAGE = 10
MAX_LINE_KEYS = 27  # SIP-T46G: 27 line keys with page switching
PAGE_KEY = f"L{LINE_KEYS_PER_PAGE}"


@dataclass
class Layout:
    """The line keys of the page shown and which configured key each one is."""

    keys: list[LineKeyView]  # the physical keys L1-L10 of the page shown
    slots: dict[str, Slot] = field(default_factory=dict)  # physical key -> key on the page
    page: int = 0  # the page shown, 0-based
    pages: int = 1


def lit_types(dnd: bool, forward_always: bool) -> frozenset[int]:
    """The feature key types whose feature is on (their LED is lit)."""
    return frozenset(t for t, on in ((DND, dnd), (FORWARD, forward_always)) if on)


def _slot(
    key: LineKey,
    account: AccountView | None,
    watches: Mapping[WatchKey, Watch],
    lit: frozenset[int],
    dnd: frozenset[int],
) -> Slot:
    watched = watch_key(key)
    watch = watches.get(watched) if watched is not None else None
    return Slot(key, account, watch=watch, feature_on=key.type in lit, dnd=key.line in dnd)


def _slots(
    config: Sequence[LineKey],
    accounts: Sequence[AccountView],
    calls: Sequence[CallView],
    seize: int | None,
    watches: Mapping[WatchKey, Watch],
    lit: frozenset[int],
    dnd: frozenset[int] = frozenset(),
) -> list[Slot]:
    by_index = {a.index: a for a in accounts}
    slots = [_slot(key, by_index.get(key.line), watches, lit, dnd) for key in config]
    holders = [i for i, s in enumerate(slots) if type_of(s.key.type).holds_calls]

    def own_keys(account: int) -> list[int]:
        # an account without a key of its own uses the first one (the core's default account)
        return [i for i in holders if slots[i].key.line == account] or holders[:1]

    for call in calls:
        if call.state == CallState.FINISHED:
            continue
        own = own_keys(call.account)
        free = next((i for i in own if slots[i].call is None), None)
        if free is not None:
            slots[free].call = call
        elif own:
            home = slots[own[0]]
            slots.append(Slot(home.key, home.account, call))
        else:
            slots.append(Slot(LineKey(LINE, call.account), None, call))
    if seize is not None and (own := own_keys(seize)):
        slots[own[0]].seized = True
    return slots[:MAX_LINE_KEYS]


def layout(
    config: Sequence[LineKey],
    accounts: Sequence[AccountView],
    calls: Sequence[CallView],
    focus: str | None,
    page: int,
    seize: int | None = None,
    watches: Mapping[WatchKey, Watch] | None = None,
    lit: frozenset[int] = frozenset(),
    dnd: frozenset[int] = frozenset(),
) -> Layout:
    """The keys of page `page` (0-based); `calls` are the live ones; `seize`: the account
    being dialled on, off hook with no call yet; `watches`: what the BLF and park keys see;
    `lit`: the feature key types whose feature is on; `dnd`: the accounts in DND."""
    slots = _slots(config, accounts, calls, seize, watches or {}, lit, dnd)
    per_page = LINE_KEYS_PER_PAGE if len(slots) <= LINE_KEYS_PER_PAGE else LINE_KEYS_PER_PAGE - 1
    pages = max(1, -(-len(slots) // per_page))
    page = min(max(page, 0), pages - 1)
    out = Layout([], page=page, pages=pages)
    for n, slot in enumerate(slots[page * per_page : (page + 1) * per_page]):
        kind = type_of(slot.key.type)
        view = kind.draw(slot, n + 1, focus)
        view.key = f"L{n + 1}"
        view.led_colour, view.led_mode = kind.light(slot)
        out.keys.append(view)
        out.slots[view.key] = slot
    while len(out.keys) < per_page:
        out.keys.append(LineKeyView(key=f"L{len(out.keys) + 1}"))
    if pages > 1:
        colour, mode = _page_led([s for i, s in enumerate(slots) if i // per_page != page])
        out.keys.append(
            LineKeyView(
                key=PAGE_KEY,
                label=tr(T.PAGE, page=page + 1, pages=pages),
                icon="page",
                led_colour=colour,
                led_mode=mode,
            )
        )
    return out


def _page_led(elsewhere: Sequence[Slot]) -> tuple[str, str]:
    """The page key's LED tells what happens on the other pages (docs/yealink.md §5): fast
    green for a ringing line, fast red for a ringing BLF, solid red for a parked call."""
    leds = {type_of(s.key.type).light(s) for s in elsewhere}
    for wanted, shown in (
        ((S.GREEN, S.FAST), (S.GREEN, S.FAST)),
        ((S.RED, S.FAST), (S.RED, S.FAST)),
        ((S.RED, S.SLOW), (S.RED, S.SOLID)),
    ):
        if wanted in leds:
            return shown
    return S.LED_OFF, S.LED_OFF


def press(shown: Layout, key: str, host: KeyHost) -> tuple[list[Intent], int | None]:
    """A line key pressed on the page shown: (what the handset asks for, the page to show
    next or None to stay)."""
    if shown.pages > 1 and key == PAGE_KEY:
        return [], (shown.page + 1) % shown.pages
    slot = shown.slots.get(key)
    if slot is None:
        return [], None
    return type_of(slot.key.type).press(slot, host), None
