"""BLF subscriptions: one pjsua buddy with a dialog-event subscription (RFC 4235) per watched
(account, number), through pjsua's C API (docs/pjsua2.md §13).

Why the C API and not pjsua2's Buddy: 2.15.1's BuddyConfig cannot ask for a dialog-event
subscription (docs/pjsua2.md §10), so ctypes is needed anyway, and a buddy made in C has no
SWIG object whose lifetime must end before libDestroy() (§2). A buddy added with
`pjsua_buddy_add(subscribe_dlg_event=1)` is pjsua's own: pjsua sends the SUBSCRIBE through the
account (its route set and credentials), refreshes it before it expires, answers the NOTIFYs,
and after a failure tries again by itself (every PJSUA_PRES_TIMER, 300 s).

This class adds what pjsua does not: subscriptions are made once the account is registered
and made again after each new registration (a registrar that came back, an engine restart);
a changed key list removes and adds exactly the subscriptions that changed; the state of each
subscription is read every POLL_S so a refusal (403, 404, 489, a NOTIFY that terminates it)
darkens its keys with the reason in the log; the bodies the dialog watch kept
(app/sip/dialog_watch.py) go to the phone's BLF board (app/phone/blf.py) at most every TAKE_S.
SIP thread only.
"""

from __future__ import annotations

import ctypes
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from app.phone.blf import WatchKey
from app.sip.dialog_watch import DialogWatch, presentity_of
from app.sip.flood_guard import _PjStr, pjsua_library

log = logging.getLogger("deskphone.sip")

POLL_S = 1.0  # subscription states are read this often
TAKE_S = 0.05  # NOTIFY bodies are handed on at most this often (a flood is coalesced)
INFO_BUF = 1024  # PJSUA_BUDDY_DLG_EVENT_INFO_BUF_SIZE (pjsua.h, 2.15.1)
_TERMINATED = 5  # PJSIP_EVSUB_STATE_TERMINATED
_ACTIVE_STATES = (2, 3, 4)  # ACCEPTED, PENDING, ACTIVE
_USER = re.compile(r"^[A-Za-z0-9*#+_.!~\-]{1,64}$")


class _BuddyConfig(ctypes.Structure):
    # pjsua_buddy_config (pjsua.h, 2.15.1)
    _fields_ = [
        ("uri", _PjStr),
        ("subscribe", ctypes.c_int),
        ("subscribe_dlg_event", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
    ]


class _DlgEventInfo(ctypes.Structure):
    # pjsua_buddy_dlg_event_info (pjsua.h, 2.15.1): id, uri, 15 dialog strings, then the
    # subscription's state, its name, the termination code and reason, and the buffer.
    _fields_ = [
        ("id", ctypes.c_int),
        ("uri", _PjStr),
        ("strings", _PjStr * 15),
        ("sub_state", ctypes.c_int),
        ("sub_state_name", ctypes.c_char_p),
        ("sub_term_code", ctypes.c_uint),
        ("sub_term_reason", _PjStr),
        ("buf", ctypes.c_char * INFO_BUF),
    ]


def _text(s: _PjStr) -> str:
    if not s.ptr or s.slen <= 0:
        return ""
    return ctypes.string_at(s.ptr, min(s.slen, INFO_BUF)).decode("utf-8", "replace")


class BlfSink(Protocol):
    """Where the lamps are kept (app/phone/blf.py BlfBoard)."""

    def notify(self, key: WatchKey, body: bytes) -> bool: ...

    def failed(self, key: WatchKey, reason: str) -> bool: ...

    def restart(self, key: WatchKey) -> None: ...


@dataclass
class _Buddy:
    key: WatchKey
    uri: str
    id: int = -1
    failed: str = ""  # the reason reported, "" while fine


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
        self._last_poll = 0.0
        self._last_take = 0.0

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
            lib.pjsua_buddy_get_dlg_event_info.argtypes = [
                ctypes.c_int,
                ctypes.POINTER(_DlgEventInfo),
            ]
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
        """Registration gone: its subscriptions are made again when it comes back."""
        self._registered.discard(account)

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
        cfg.uri = _PjStr(raw, len(raw))
        cfg.subscribe = 0
        cfg.subscribe_dlg_event = 1
        buddy_id = ctypes.c_int(-1)
        status = lib.pjsua_buddy_add(ctypes.byref(cfg), ctypes.byref(buddy_id))
        buddy = _Buddy(key, uri, int(buddy_id.value) if status == 0 else -1)
        self._buddies[key] = buddy
        self._sink.restart(key)
        if status != 0:
            self._fail(buddy, f"cannot subscribe to {uri} (pjsua status {status})")
        else:
            log.info("BLF: subscribed to %s for key %s (buddy %d)", uri, key, buddy.id)

    def _remove(self, key: WatchKey) -> None:
        buddy = self._buddies.pop(key)
        if buddy.id >= 0 and self._c().pjsua_buddy_is_valid(buddy.id):
            self._c().pjsua_buddy_del(buddy.id)  # sends the un-SUBSCRIBE (Expires: 0)
            log.info("BLF: subscription to %s removed", buddy.uri)

    # ---- each loop turn ------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        return self._last_take + TAKE_S if self._watch.waiting else None

    def drain(self, now: float) -> bool:
        """Hand accepted NOTIFYs to the board and read the subscriptions' states; True when a
        lamp may have changed."""
        changed = False
        if self._watch.waiting and now - self._last_take >= TAKE_S:
            self._last_take = now
            changed = self._hand_on()
        if self._buddies and now - self._last_poll >= POLL_S:
            self._last_poll = now
            changed = self._poll() or changed
        return changed

    def _hand_on(self) -> bool:
        changed = False
        by_uri: dict[tuple[str, str], list[WatchKey]] = {}
        for key, buddy in self._buddies.items():
            by_uri.setdefault(presentity_of(buddy.uri), []).append(key)
        for notify in self._watch.take():
            for key in by_uri.get(notify.presentity, []):
                try:
                    changed = self._sink.notify(key, notify.body) or changed
                except Exception:  # a bug in reading one body must not stop the engine
                    log.exception("BLF: NOTIFY body for %s", key)
        return changed

    def _poll(self) -> bool:
        changed = False
        lib = self._c()
        info = _DlgEventInfo()
        for buddy in self._buddies.values():
            if buddy.id < 0:
                continue
            if lib.pjsua_buddy_get_dlg_event_info(buddy.id, ctypes.byref(info)) != 0:
                continue
            if info.id != buddy.id or _text(info.uri) != buddy.uri:
                continue  # not the layout this code was written for: read nothing
            if info.sub_state in _ACTIVE_STATES:
                if buddy.failed:
                    log.info("BLF: subscription to %s is active again", buddy.uri)
                    buddy.failed = ""
                    self._sink.restart(buddy.key)
                    changed = True
            elif info.sub_state in (0, _TERMINATED) and info.sub_term_code:
                code = int(info.sub_term_code)
                reason = _text(info.sub_term_reason)[:80]
                why = f"{code} {reason}".strip() if code != 200 else f"ended ({reason})"
                changed = self._fail(buddy, why) or changed
        return changed

    def _fail(self, buddy: _Buddy, why: str) -> bool:
        if buddy.failed == why:
            return False
        buddy.failed = why
        log.warning("BLF: subscription to %s failed: %s; its keys stay dark", buddy.uri, why)
        return self._sink.failed(buddy.key, why)
