"""The bridge's device thread: which streams are open, and when they open and close.

Streams open only while something needs them: a call or the dial screen (`held`), a tone or
key tone, the ringer; each closes `linger` seconds after its last use, so an idle phone has no
stream open and wakes no thread (with nothing open the thread sleeps until woken). The thread
does every open and close (off the SIP thread), checks open streams' health, and retries
failed or missing devices with a backoff while they are wanted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from app.audio.bridge_config import BridgeConfig, Mode
from app.audio.devices import rescan
from app.audio.streams import ROLES, StreamSet

OK_TEXT = "Audio OK"
NO_DEVICE_TEXT = "No sound device: calls continue without audio"
IDLE_PULL = 0.1  # s without a pull of the microphone before the device thread drains it


class Demand(Protocol):
    """What the bridge needs sound for right now (read on the device thread)."""

    @property
    def held(self) -> bool: ...  # a call or the dial screen

    @property
    def tone_wanted(self) -> bool: ...

    @property
    def ringing(self) -> bool: ...

    @property
    def mode(self) -> Mode: ...

    def opening(self, roles: list[str]) -> None: ...  # streams of these roles open now


class StreamKeeper:
    def __init__(
        self,
        sd: Any,
        streams: StreamSet,
        config: BridgeConfig,
        demand: Demand,
        status: Callable[[str], None],
    ) -> None:
        self._sd = sd
        self._streams = streams
        self._config = config
        self._demand = demand
        self._status = status
        self.lock = threading.RLock()  # held around every stream change
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._unwanted_since: dict[str, float] = {}
        self._retry_at = 0.0
        self._failed = 0
        self._rescan_next = False
        self._fallback = False  # a chosen device was missing and another one was opened
        self.opens = 0  # streams opened over the bridge's life (tests: idle opens nothing)

    # ---- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Look the devices up (nothing is opened) and start the device thread."""
        with self.lock:
            self.probe()
        if self._worker is None:
            self._stop.clear()
            self._worker = threading.Thread(target=self._run, name="audio-devices", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._worker is not None:
            self._worker.join(3.0)
            self._worker = None

    def wake(self) -> None:
        self._wake.set()

    def probe(self) -> None:
        sd, mode = self._sd, self._demand.mode
        found = [self._streams.find(sd, role, mode) for role in ("play", "rec")]
        notes = [f.note for f in found if f.note]
        if all(f.index is None for f in found):
            notes = [NO_DEVICE_TEXT]
        self._status("; ".join(notes) if notes else OK_TEXT)

    def want(self) -> dict[str, bool]:
        d = self._demand
        ringing = d.ringing
        shared = self._streams.ring_in_playback
        play = d.held or d.tone_wanted or (ringing and shared)
        return {"play": play, "rec": d.held, "ring": ringing and not shared}

    def recover(self) -> None:
        """Close everything, rescan devices and reopen what is wanted."""
        with self.lock:
            self._streams.close_all()
            self._rescan_next = True
            self._retry_at = 0.0
            self.reconcile(time.monotonic())

    def reroute(self, old: Mode, new: Mode) -> None:
        """HEADSET/SPEAKER: close the streams whose device differs in the new mode; the
        reconcile reopens them there."""
        with self.lock:
            sd = self._sd
            for role in ("play", "rec"):
                moved = (
                    self._streams.find(sd, role, old).index
                    != self._streams.find(sd, role, new).index
                )
                if moved and self._streams.is_open(role):
                    self._streams.close(role)
            self.reconcile(time.monotonic())

    # ---- the device thread ------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._next_wake())
            self._wake.clear()
            if self._stop.is_set():
                return
            with self.lock:
                self.reconcile(time.monotonic())

    def _next_wake(self) -> float | None:
        """None (sleep until woken) when nothing is open and nothing waits for a retry."""
        if self._streams.any_open:
            return self._config.monitor_interval
        if any(self.want().values()):
            return max(0.05, self._retry_at - time.monotonic())
        return None

    def reconcile(self, now: float) -> None:
        """Open what is wanted, close what lingered long enough, notice dead streams."""
        sd, c, streams = self._sd, self._config, self._streams
        if streams.pulled_since(now) > IDLE_PULL:
            streams.pull(now)  # no tick pulls the microphone now (no call yet, no speaker)
        lost = streams.check(now, c.stall_timeout)
        if lost:
            self._status("; ".join(lost) + "; calls continue without audio")
            streams.close_all()
            self._fail(now)
        want = self.want()
        if want["ring"] or (self._demand.ringing and not streams.is_open("ring")):
            streams.ring_in_playback = streams.ringer_shares_playback(sd, self._demand.mode)
            want = self.want()
        if (
            self._fallback
            and now >= self._retry_at
            and c.auto_recover
            and any(streams.is_open(r) for r in ROLES if want[r])
        ):
            # A chosen device was missing and another one plays: look for it again (a sound
            # server back after a crash lists its devices again, a headset plugged back in).
            for role in ROLES:
                streams.close(role)
            self._rescan_next = True
        missing = [r for r in ROLES if want[r] and not streams.is_open(r)]
        if missing and now >= self._retry_at and (c.auto_recover or self._failed == 0):
            self._open(missing, now)
        for role in ROLES:
            if want[role] or not streams.is_open(role):
                self._unwanted_since.pop(role, None)
            elif now - self._unwanted_since.setdefault(role, now) >= c.linger:
                streams.close(role)
                self._unwanted_since.pop(role, None)

    def _open(self, roles: list[str], now: float) -> None:
        sd, streams, mode = self._sd, self._streams, self._demand.mode
        fresh = not streams.any_open
        # A device plugged in while idle: PortAudio lists devices once per initialisation.
        # The system default needs no rescan (the sound server routes it), so rescan only
        # when a chosen device is missing, after a failure, or when settings changed.
        named_missing = any("not found" in streams.find(sd, r, mode).note for r in roles)
        if fresh and (self._rescan_next or self._failed or named_missing) and not streams.abandoned:
            try:
                rescan(sd)
            except Exception as exc:
                self._status(f"Sound system restart failed ({exc})")
                self._fail(now)
                return
            self._rescan_next = False
        self._demand.opening(roles)
        notes: list[str] = []
        for role in roles:
            notes += streams.open(sd, role, mode)
            self.opens += 1
        if "ring" in roles and not streams.is_open("ring"):
            streams.ring_in_playback = True  # no ringer device: ring on the speaker
            notes.append("Ringer: playing the ringtone on the speaker device instead")
            self._wake.set()
        if all(streams.find(sd, r, mode).index is None for r in roles):
            notes = [NO_DEVICE_TEXT]
        broken = any(r != "ring" and not streams.is_open(r) for r in roles)
        self._fallback = any("not found" in note for note in notes)
        if broken or self._fallback:
            self._fail(now)
        else:
            self._failed = 0
        self._status("; ".join(notes) if notes else OK_TEXT)

    def _fail(self, now: float) -> None:
        c = self._config
        wait = min(c.recover_interval * 2 ** min(self._failed, 10), c.recover_max_interval)
        self._failed += 1
        self._retry_at = now + max(c.recover_interval, wait)
