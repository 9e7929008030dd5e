"""BLF subscriptions: one pjsua buddy with a dialog-event subscription (RFC 4235) per watched
(account, number), through pjsua's C API (docs/pjsua2.md §13).

Why the C API and not pjsua2's Buddy: 2.15.1's BuddyConfig cannot ask for a dialog-event
subscription (docs/pjsua2.md §10), so ctypes is needed anyway, and a buddy made in C has no
SWIG object whose lifetime must end before libDestroy() (§2). A buddy added with
`pjsua_buddy_add(subscribe_dlg_event=1)` is pjsua's own: pjsua sends the SUBSCRIBE through the
account (its route set and credentials), refreshes it before it expires, answers the NOTIFYs,
and after a failure tries again by itself (every PJSUA_PRES_TIMER, 300 s). Its state is never
read back with `pjsua_buddy_get_dlg_event_info()`: that crashes (docs/pjsua2.md §9, row 10).

This class adds what pjsua does not: subscriptions are made once the account is registered
and made again after each new registration (a registrar that came back, an engine restart);
a changed key list removes and adds exactly the subscriptions that changed; what the dialog
watch saw (app/sip/dialog_watch.py) decides the lamps: accepted NOTIFY bodies go to the
phone's BLF board (app/phone/blf.py) at most every TAKE_S, a refusal of the SUBSCRIBE (403,
404, 489, ...) or a NOTIFY that ends the subscription darkens the keys with the reason in the
log, and so does silence: no answer within GRACE_S of when one was due. SIP thread only.
"""

from __future__ import annotations

import ctypes
import logging
import re
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from app.phone.blf import WatchKey
from app.sip.dialog_msgs import Notify, SubscribeAnswer, presentity_of
from app.sip.dialog_watch import DialogWatch
from app.sip.pj_module import PjStr, pjsua_library

log = logging.getLogger("deskphone.sip")

TAKE_S = 0.05  # NOTIFY bodies are handed on at most this often (a flood is coalesced)
GRACE_S = 40.0  # an answer (to SUBSCRIBE or its refresh) later than this: "no answer"
DEFAULT_EXPIRES = 600  # PJSIP_DLG_EVENT_DEFAULT_EXPIRES: what pjsua asks for
_USER = re.compile(r"^[A-Za-z0-9*#+_.!~\-]{1,64}$")


class _BuddyConfig(ctypes.Structure):
    # pjsua_buddy_config (pjsua.h, 2.15.1)
    _fields_ = [
        ("uri", PjStr),
        ("subscribe", ctypes.c_int),
        ("subscribe_dlg_event", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
    ]


class BlfSink(Protocol):
    """Where the lamps are kept (app/phone/blf.py BlfBoard)."""

    refused: int  # bodies refused so far
    why_refused: str  # the last refusal's reason

    def notify(self, key: WatchKey, body: bytes) -> bool: ...

    def failed(self, key: WatchKey, reason: str) -> bool: ...

    def restart(self, key: WatchKey) -> None: ...


@dataclass
class _Buddy:
    """One BLF subscription: the key it lights and when its answer is due."""

    key: WatchKey
    uri: str
    due: float  # an answer (to SUBSCRIBE or its refresh) is due before this
    id: int = -1
    failed: str = ""  # the reason reported, "" while fine
    call_ids: set[str] = field(default_factory=set)  # its subscription dialogs seen so far


def buddy_uri(number: str, domain: str, transport: str = "udp") -> str | None:
    """The URI a key's number is monitored at: the number at the account's server; None when
    the number cannot be a SIP user part (a key cannot point the phone at another server)."""
    user = number.strip()
    if user.lower().startswith(("sip:", "sips:")):
        user = user.split(":", 1)[1]
    user = user.split("@", 1)[0]
    if not _USER.match(user) or not domain:
        return None
    scheme = "sips" if transport == "tls" else "sip"
    params = "" if transport == "udp" else f";transport={transport}"
    return f"{scheme}:{user}@{domain}{params}"


class BlfSubscriptions:
    def __init__(self, watch: DialogWatch, sink: BlfSink) -> None:
        self._watch = watch
        self._sink = sink
        self._lib: ctypes.CDLL | None = None
        self._buddies: dict[WatchKey, _Buddy] = {}
        self._wanted: dict[WatchKey, str] = {}
        self._registered: set[int] = set()
        self._last_take = 0.0
        # dialogs of removed subscriptions: the answer to their un-SUBSCRIBE (a 481 from a
        # server that restarted) must not reach the new subscription to the same URI
        self._retired: deque[str] = deque(maxlen=256)

    def _c(self) -> ctypes.CDLL:
        if self._lib is None:
            lib = pjsua_library()
            lib.pjsua_buddy_config_default.argtypes = [ctypes.POINTER(_BuddyConfig)]
            lib.pjsua_buddy_add.argtypes = [
                ctypes.POINTER(_BuddyConfig),
                ctypes.POINTER(ctypes.c_int),
            ]
            lib.pjsua_buddy_del.argtypes = [ctypes.c_int]
            lib.pjsua_buddy_is_valid.argtypes = [ctypes.c_int]
            self._lib = lib
        return self._lib

    # ---- what to watch -----------------------------------------------------------------

    def set_wanted(self, wanted: Mapping[WatchKey, str]) -> None:
        """The subscriptions the keys need: (account, number) -> URI. Changed ones go."""
        self._wanted = dict(wanted)
        for key, buddy in list(self._buddies.items()):
            if self._wanted.get(key) != buddy.uri:
                self._remove(key)
        for key in self._wanted:
            if key[0] in self._registered and key not in self._buddies:
                self._add(key)

    def account_registered(self, account: int) -> None:
        """A new registration (not a refresh): the account's subscriptions start over."""
        self._registered.add(account)
        for key in [k for k in self._buddies if k[0] == account]:
            self._remove(key)
        for key in [k for k in self._wanted if k[0] == account]:
            self._add(key)

    def account_lost(self, account: int) -> None:
        """Registration gone: its keys go dark until it comes back and they subscribe again
        (what they showed is no longer known)."""
        self._registered.discard(account)
        for key, buddy in self._buddies.items():
            if key[0] == account:
                self._fail(buddy, "account not registered")

    def clear(self) -> None:
        """Every subscription ends (accounts re-created, engine stopping)."""
        for key in list(self._buddies):
            self._remove(key)
        self._registered.clear()

    @property
    def count(self) -> int:
        return len(self._buddies)

    def _add(self, key: WatchKey) -> None:
        uri = self._wanted[key]
        lib = self._c()
        cfg = _BuddyConfig()
        lib.pjsua_buddy_config_default(ctypes.byref(cfg))
        raw = uri.encode()
        cfg.uri = PjStr(raw, len(raw))
        cfg.subscribe = 0
        cfg.subscribe_dlg_event = 1
        buddy_id = ctypes.c_int(-1)
        status = lib.pjsua_buddy_add(ctypes.byref(cfg), ctypes.byref(buddy_id))
        due = time.monotonic() + GRACE_S
        buddy = _Buddy(key, uri, due, int(buddy_id.value) if status == 0 else -1)
        self._buddies[key] = buddy
        self._sink.restart(key)
        if status != 0:
            self._fail(buddy, f"cannot subscribe to {uri} (pjsua status {status})")
        else:
            log.info("BLF: subscribed to %s for key %s (buddy %d)", uri, key, buddy.id)

    def _remove(self, key: WatchKey) -> None:
        buddy = self._buddies.pop(key)
        self._retired.extend(buddy.call_ids)
        if buddy.id >= 0 and self._c().pjsua_buddy_is_valid(buddy.id):
            self._c().pjsua_buddy_del(buddy.id)  # sends the un-SUBSCRIBE (Expires: 0)
            log.info("BLF: subscription to %s removed", buddy.uri)

    # ---- each loop turn ------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        return self._last_take + TAKE_S if self._watch.waiting else None

    def drain(self, now: float) -> bool:
        """Hand on what the dialog watch saw; True when a lamp may have changed."""
        changed = False
        for answer in self._watch.answers():
            for buddy in self._of(answer.presentity, answer.call_id):
                changed = self._answered(buddy, answer, now) or changed
        if self._watch.waiting and now - self._last_take >= TAKE_S:
            self._last_take = now
            for notify in self._watch.take():
                for buddy in self._of(notify.presentity, notify.call_id):
                    changed = self._notified(buddy, notify, now) or changed
        for buddy in self._buddies.values():
            if now > buddy.due and buddy.id >= 0:
                changed = self._fail(buddy, "no answer from the server") or changed
        return changed

    def _of(self, presentity: tuple[str, str], call_id: str) -> list[_Buddy]:
        """The subscriptions a message is about; none when its dialog is a retired one."""
        if call_id in self._retired:
            return []
        found = [b for b in self._buddies.values() if presentity_of(b.uri) == presentity]
        for buddy in found:
            if len(buddy.call_ids) < 16:
                buddy.call_ids.add(call_id)
        return found

    def _answered(self, buddy: _Buddy, answer: SubscribeAnswer, now: float) -> bool:
        if answer.code >= 300:
            buddy.due = float("inf")  # pjsua tries again by itself; its answer clears this
            return self._fail(buddy, f"{answer.code} {answer.reason}".strip())
        if answer.expires == 0:
            return False  # the answer to an un-SUBSCRIBE
        buddy.due = now + (answer.expires or DEFAULT_EXPIRES) + GRACE_S
        return self._recovered(buddy)

    def _notified(self, buddy: _Buddy, notify: Notify, now: float) -> bool:
        if notify.state == "terminated":
            buddy.due = float("inf")
            changed = self._sink.notify(buddy.key, notify.body) if notify.body.strip() else False
            return self._fail(buddy, f"ended ({notify.reason or 'no reason given'})") or changed
        if notify.expires:
            buddy.due = now + notify.expires + GRACE_S
        changed = self._recovered(buddy)
        if notify.state == "pending":
            return changed  # not authorised yet: nothing to show
        refused = self._sink.refused
        try:
            changed = self._sink.notify(buddy.key, notify.body) or changed
        except Exception:  # a bug in reading one body must not stop the engine
            log.exception("BLF: NOTIFY body for %s", buddy.key)
        if self._sink.refused != refused:
            log.warning("BLF: NOTIFY for %s refused: %s", buddy.uri, self._sink.why_refused)
        return changed

    def _recovered(self, buddy: _Buddy) -> bool:
        if not buddy.failed:
            return False
        log.info("BLF: subscription to %s is active again", buddy.uri)
        buddy.failed = ""
        self._sink.restart(buddy.key)
        return True

    def _fail(self, buddy: _Buddy, why: str) -> bool:
        if buddy.failed == why:
            return False
        buddy.failed = why
        log.warning("BLF: subscription to %s failed: %s; its keys stay dark", buddy.uri, why)
        return self._sink.failed(buddy.key, why)
