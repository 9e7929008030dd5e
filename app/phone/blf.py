"""What a monitored extension is doing, from the dialog-info NOTIFYs of its BLF subscription.

`Monitor` keeps one subscription's dialogs (RFC 4235 full and partial notifications, by
version) and sums them up as a `Watch`: a lamp state, who is calling the colleague, and the
dialog identifiers a directed pickup with Replaces needs. `BlfBoard` holds a Monitor per watched
(account, number) for the engine and hands the handset a plain mapping of Watches; how a lamp is
lit is the key type's business (app/phone/handset/linekeys/blf.py, docs/yealink.md §5).
Pure code: the SIP side feeds it NOTIFY bodies and subscription failures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.phone.dialog_info import BadDialogInfo, Dialog, DialogInfo, parse_dialog_info

MAX_KEPT_DIALOGS = 32  # of one monitored extension; partial NOTIFYs cannot grow it further
# what may go into a Replaces header and a Request-URI from a NOTIFY: one token, no quoting
_TOKEN = re.compile(r"^[\x21-\x7e]{1,256}$")
_UNSAFE = set('<>"\\;,')


class Lamp(StrEnum):
    UNKNOWN = "unknown"  # no NOTIFY yet (subscribing)
    IDLE = "idle"  # no dialog: the colleague is free
    RINGING = "ringing"  # a call rings at the colleague's phone (early, direction recipient)
    CALLING = "calling"  # the colleague is calling out (early, initiator)
    TALKING = "talking"  # in conversation (confirmed)
    HELD = "held"  # in a call that is not rendered (+sip.rendering=no): on hold
    FAILED = "failed"  # the subscription was refused or ended: nothing is known


WatchKey = tuple[int, str]  # (account index, monitored number as configured)


@dataclass(frozen=True)
class PickupTarget:
    """Where an INVITE with Replaces picks up the call ringing at the monitored phone.

    RFC 3891 §3: the recipient matches to-tag against its local tag and from-tag against its
    remote one, and may only replace an early dialog it initiated itself: so the INVITE goes to
    the caller (the dialog's remote target), and the tags are the caller's view: its local tag
    is the monitored dialog's remote-tag. Without a remote target, the monitored number is used
    (a B2BUA PBX accepts it there).
    """

    uri: str  # the caller's target (or identity); "" when the NOTIFY named none
    call_id: str
    to_tag: str  # the caller's local tag = the dialog's remote-tag
    from_tag: str  # the caller's remote tag = the dialog's local-tag

    def replaces(self) -> str:
        return f"{self.call_id};to-tag={self.to_tag};from-tag={self.from_tag};early-only"


@dataclass(frozen=True)
class Watch:
    """What the BLF key of one monitored colleague shows, from the last NOTIFY."""

    lamp: Lamp = Lamp.UNKNOWN
    caller: str = ""  # who rings the colleague (display name, else number), while RINGING
    pickup: PickupTarget | None = None  # the ringing call's ids, when the NOTIFY gave them
    reason: str = ""  # why it is FAILED, for the log and the key's tooltip


def _user(uri: str) -> str:
    text = uri.strip().strip("<>")
    for scheme in ("sips:", "sip:", "tel:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    return text.split("@", 1)[0].split(";", 1)[0]


def _safe_uri(uri: str) -> bool:
    """A sip:/sips: URI of one token without URI headers (a `?Route=` would re-route the
    INVITE), or none: the key's number is called instead."""
    if not uri:
        return True
    return (
        bool(_TOKEN.match(uri))
        and uri.lower().startswith(("sip:", "sips:"))
        and not (set('<>"\\,?') & set(uri))
    )


def _rank(d: Dialog) -> int:
    """Which dialog the lamp shows: a ringing call first, then conversation, then the rest."""
    if d.state in ("trying", "proceeding", "early"):
        return 0 if d.direction == "recipient" else 2
    if d.state == "confirmed":
        return 3 if d.local.rendering == "no" else 1
    return 9


def summarize(dialogs: Mapping[str, Dialog]) -> Watch:
    live = [d for d in dialogs.values() if d.state not in ("terminated", "")]
    if not live:
        return Watch(Lamp.IDLE)
    top = min(live, key=_rank)
    rank = _rank(top)
    if rank == 0:
        caller = top.remote.display or _user(top.remote.identity)
        pickup = None
        uri = top.remote.target or top.remote.identity
        parts = (top.call_id, top.local_tag, top.remote_tag)
        if all(_TOKEN.match(p) and not _UNSAFE & set(p) for p in parts) and _safe_uri(uri):
            pickup = PickupTarget(uri, top.call_id, top.remote_tag, top.local_tag)
        return Watch(Lamp.RINGING, caller, pickup)
    return Watch({1: Lamp.TALKING, 2: Lamp.CALLING}.get(rank, Lamp.HELD))


class Monitor:
    """One subscription's view of the monitored extension."""

    def __init__(self) -> None:
        self.version = -1  # last version applied; -1: nothing since the (re)subscription
        self.dialogs: dict[str, Dialog] = {}
        self.watch = Watch()

    def apply(self, info: DialogInfo) -> bool:
        """Apply a notification; False when it is older than one already applied."""
        if self.version >= 0 and info.version < self.version:
            return False
        if info.full or self.version < 0:
            self.dialogs = {}
        for i, dialog in enumerate(info.dialogs):
            key = dialog.id or f"#{i}"
            if dialog.state == "terminated":
                self.dialogs.pop(key, None)
            elif key in self.dialogs or len(self.dialogs) < MAX_KEPT_DIALOGS:
                self.dialogs[key] = dialog
        self.version = info.version
        self.watch = summarize(self.dialogs)
        return True

    def fail(self, reason: str) -> None:
        self.version = -1
        self.dialogs = {}
        self.watch = Watch(Lamp.FAILED, reason=reason)

    def restart(self) -> None:
        """A new subscription: versions start over, the lamp waits for its first NOTIFY."""
        self.version = -1
        self.dialogs = {}
        self.watch = Watch()


class BlfBoard:
    """Every watched extension's state, fed by the SIP side, read by the display."""

    def __init__(self) -> None:
        self._monitors: dict[WatchKey, Monitor] = {}
        self.refused = 0  # NOTIFY bodies refused (malformed, too big, XML bombs)
        self.why_refused = ""  # the last refusal's reason, for the SIP side's log
        self.stale = 0  # notifications older than one already applied, ignored

    def watch(self, keys: set[WatchKey]) -> None:
        """The keys configured now: new ones start UNKNOWN, removed ones are forgotten."""
        for gone in set(self._monitors) - keys:
            del self._monitors[gone]
        for key in keys - set(self._monitors):
            self._monitors[key] = Monitor()

    def notify(self, key: WatchKey, body: bytes) -> bool:
        """A NOTIFY body for `key`; True when the lamp state changed. An empty body says the
        server knows no dialog of the extension (Kamailio's presence_dialoginfo sends one
        when there is nothing to aggregate): idle."""
        monitor = self._monitors.get(key)
        if monitor is None:
            return False
        before = monitor.watch
        if not body.strip():
            monitor.dialogs = {}
            monitor.watch = Watch(Lamp.IDLE)
            return monitor.watch != before
        try:
            info = parse_dialog_info(body)
        except BadDialogInfo as exc:
            self.refused += 1
            self.why_refused = str(exc)
            return False
        if not monitor.apply(info):
            self.stale += 1
        return monitor.watch != before

    def failed(self, key: WatchKey, reason: str) -> bool:
        monitor = self._monitors.get(key)
        if monitor is None or monitor.watch == Watch(Lamp.FAILED, reason=reason):
            return False
        monitor.fail(reason)
        return True

    def restart(self, key: WatchKey) -> None:
        monitor = self._monitors.get(key)
        if monitor is not None and monitor.watch.lamp == Lamp.FAILED:
            monitor.restart()
        elif monitor is not None:
            monitor.version = -1  # keep the lamp until the new subscription's first NOTIFY

    def views(self) -> dict[WatchKey, Watch]:
        return {key: m.watch for key, m in self._monitors.items()}

    def view(self, key: WatchKey) -> Watch:
        monitor = self._monitors.get(key)
        return monitor.watch if monitor is not None else Watch()
