"""Who clocks pjmedia's conference bridge: the playback device, else a thread of ours.

pjsua runs with no sound device, so the conference moves only when its master port is ticked
(app/sip/master_port.py). While a call exists (`want(True)`), the playback stream's callback
ticks it once per 20 ms block: the microphone frame goes in and what the call plays comes out
straight into the device's buffer, so the two share one clock and nothing waits in between.
When no playback device runs (none present, being opened, lost, or a post-xrun burst refused),
a fallback thread ticks it against wall time, so calls still send and receive RTP, and ports
added or removed by pjsua are still handled (they wait for a tick: docs/pjsua2.md §2). With no
call (`want(False)`) nothing ticks and the thread sleeps until woken: idle costs nothing.

No numpy here: the clock exists from the engine's start; sound libraries load only when sound
is first needed (app/engine/sound_loader.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("deskphone.audio")

FRAME_SAMPLES = 320
FRAME_BYTES = 2 * FRAME_SAMPLES
FRAME_SECONDS = 0.02
# s without a device tick before the fallback thread ticks: longer than any device period and
# than a stream's opening (3-75 ms measured), short enough that RTP is not held up noticeably.
DEVICE_GAP = 0.1
MAX_CATCH_UP = 0.1  # s of missed ticks the fallback thread still makes up at once


class Conference(Protocol):
    """pjmedia's conference master port (app/sip/master_port.MasterPort)."""

    def register_thread(self) -> None: ...

    def tick(self, mic: int, out: int) -> bool: ...


class ConferenceClock:
    def __init__(self, conference: Conference | None) -> None:
        self._conf = conference
        self._lock = threading.Lock()  # one tick at a time, and none after close()
        self._wanted = False
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._last_device = 0.0
        self._mic = ctypes.create_string_buffer(FRAME_BYTES)
        self._out = ctypes.create_string_buffer(FRAME_BYTES)
        self._mic_addr = ctypes.addressof(self._mic)
        self._out_addr = ctypes.addressof(self._out)
        # The bridge's microphone, for ticks of the fallback thread: fills 640 bytes at the
        # address given (silence when unset).
        self.mic_source: Callable[[int], None] | None = None
        self.device_ticks = 0
        self.own_ticks = 0

    @property
    def available(self) -> bool:
        return self._conf is not None

    @property
    def wanted(self) -> bool:
        return self._wanted

    def want(self, on: bool) -> None:
        """Clock the conference (a call exists) or stop clocking it. Any thread."""
        if on == self._wanted or self._conf is None:
            return
        self._wanted = on
        if on and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audio-clock", daemon=True)
            self._thread.start()
        self._wake.set()

    def device_tick(self, mic: int, out: int) -> bool | None:
        """From the playback callback: one frame, `mic` in and `out` filled (addresses of 640
        bytes). None when the conference is not clocked now (`out` untouched); else whether
        `out` holds audio."""
        if not self._wanted or self._conf is None:
            return None
        with self._lock:
            conf = self._conf
            if conf is None:
                return None
            conf.register_thread()
            got = conf.tick(mic, out)
        self._last_device = time.monotonic()
        self.device_ticks += 1
        return got

    @property
    def device_driven(self) -> bool:
        """The playback device ticked the conference within the last DEVICE_GAP."""
        return time.monotonic() - self._last_device < DEVICE_GAP

    def _run(self) -> None:
        next_at: float | None = None
        while not self._stop:
            if not self._wanted:
                next_at = None
                self._wake.wait()
                self._wake.clear()
                continue
            now = time.monotonic()
            idle_for = now - self._last_device
            if idle_for < DEVICE_GAP:
                next_at = None
                self._wake.wait(DEVICE_GAP - idle_for + 0.001)
                self._wake.clear()
                continue
            if next_at is None or now - next_at > MAX_CATCH_UP:
                next_at = now
            if now < next_at:
                time.sleep(next_at - now)
            self._own_tick()
            next_at += FRAME_SECONDS

    def _own_tick(self) -> None:
        source = self.mic_source
        with self._lock:
            conf = self._conf
            if conf is None or not self._wanted:
                return
            ctypes.memset(self._mic_addr, 0, FRAME_BYTES)
            if source is not None:
                try:
                    source(self._mic_addr)
                except Exception:  # the clock must go on: a call without it sends nothing
                    log.exception("microphone source failed")
            conf.register_thread()
            conf.tick(self._mic_addr, self._out_addr)  # no device plays it: dropped
        self.own_ticks += 1

    def close(self, timeout: float = 2.0) -> bool:
        """No tick from now on (before pjsua is destroyed). False when a tick hung."""
        self._stop = True
        self._wanted = False
        self._wake.set()
        got = self._lock.acquire(timeout=timeout)
        self._conf = None
        if got:
            self._lock.release()
        if self._thread is not None:
            with contextlib.suppress(RuntimeError):
                self._thread.join(timeout)
            self._thread = None
        return got
