"""pjmedia's RTP/RTCP sockets polled only while calls exist (docs/pjsua2.md §2).

pjsua gives the media endpoint its own ioqueue and one worker thread ("media") that polls it
with a fixed 10 ms timeout, forever: with no socket in it, it sleeps 10 ms and loops. That was
100 wake-ups a second in an idle engine, most of its idle CPU (0.35 % of a core measured,
against 0.06 % for the SIP thread's own loop). pjsua forces that thread on whenever media has
its own ioqueue (`pjsua_media_subsys_init`), and sharing the SIP ioqueue instead
(`medConfig.hasIoqueue = False`) would halve the 64 socket slots the flood guard's budget
counts on (app/sip/admission.py). So the engine stops pjmedia's thread after `libInit()`
(`pjmedia_endpt_stop_threads`, exported) and polls the same ioqueue from a thread of its own,
which is parked on an Event (no wake-ups at all) while there is no call and polls exactly as
pjmedia did (10 ms timeout) while there is one, and for `LINGER_S` after the last, so sockets
being closed are still serviced.

The poll is a plain C call that releases the GIL for its whole wait; the thread takes the GIL
only between two polls. It is registered with pjlib once (pjsua2 keeps a descriptor per
registered thread, so one thread for the process's life, not one per call).

While the conference is ticked (by the playback device, or the audio clock's own thread), each
tick polls the sockets first, without waiting (`poll_ready`, from app/sip/master_port.py), and
the thread sleeps: a packet that arrives between two ticks waited in pjmedia's jitter buffer
for the next tick's `get_frame` anyway, and now waits in the socket for that same tick. The
thread's 100 wake-ups a second (a packet every 20 ms, a 10 ms timeout between) were 0.6 % of a
core in a call, most of it Python taking the GIL to go round its loop (docs/audio.md §8).
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from typing import Any

from app.sip.pj_module import pjsua_library

log = logging.getLogger("deskphone.sip")

POLL_MS = 10  # pjmedia's own worker_proc timeout
LINGER_S = 2.0  # keep polling after the last call: closing sockets, late RTCP
# s after the last tick's poll before the thread polls again: the ticks stopped (no call audio
# clocked, a device lost before the audio clock's fallback ticks). Also its sleep meanwhile.
TICK_GAP = 0.1


class _TimeVal(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("msec", ctypes.c_long)]


class MediaPoller:
    """Create, `take_over()`, `want()` and `close()` on the SIP thread."""

    def __init__(self) -> None:
        self._lib: ctypes.CDLL | None = None
        self._count: Any = None  # pjsua_call_get_count, through a PyDLL (keeps the GIL)
        self._ioqueue = 0
        self._wanted = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None
        self._last_call = 0.0
        self._ticked = 0.0  # monotonic time of the last poll_ready() that polled
        self._no_wait = ctypes.byref(_TimeVal(0, 0))
        self.polls = 0  # poll calls made (for tests: none while idle)

    @property
    def active(self) -> bool:
        return self._thread is not None

    @property
    def polling(self) -> bool:
        return self._wanted.is_set()

    def take_over(self, register_thread: Any) -> bool:
        """Stop pjmedia's own worker and start ours (parked). `register_thread` is
        `Endpoint.libRegisterThread`. False (pjmedia's thread left running) if a symbol is
        missing."""
        try:
            lib = pjsua_library(keep_gil=False)  # the poll blocks
            quick = pjsua_library()
            lib.pjsua_get_pjmedia_endpt.restype = ctypes.c_void_p
            lib.pjmedia_endpt_get_ioqueue.restype = ctypes.c_void_p
            lib.pjmedia_endpt_get_ioqueue.argtypes = [ctypes.c_void_p]
            lib.pjmedia_endpt_stop_threads.argtypes = [ctypes.c_void_p]
            lib.pj_ioqueue_poll.argtypes = [ctypes.c_void_p, ctypes.POINTER(_TimeVal)]
            lib.pj_ioqueue_poll.restype = ctypes.c_int
            quick.pjsua_call_get_count.restype = ctypes.c_uint
            endpt = lib.pjsua_get_pjmedia_endpt()
            ioqueue = lib.pjmedia_endpt_get_ioqueue(endpt) if endpt else None
        except (OSError, AttributeError) as exc:
            log.warning("media ioqueue left to pjmedia's own thread: %s", exc)
            return False
        if not ioqueue:
            return False
        lib.pjmedia_endpt_stop_threads(endpt)
        self._lib, self._count, self._ioqueue = lib, quick.pjsua_call_get_count, ioqueue
        self._thread = threading.Thread(
            target=self._run, args=(register_thread,), name="media-poll", daemon=True
        )
        self._thread.start()
        return True

    def want(self, now: float) -> None:
        """After each libHandleEvents(): poll while pjsua has calls, and LINGER_S after."""
        if self._count is None:
            return
        if self._count() > 0:
            self._last_call = now
            if not self._wanted.is_set():
                self._wanted.set()
        elif self._wanted.is_set() and now - self._last_call > LINGER_S:
            self._wanted.clear()

    def poll_ready(self) -> None:
        """From a conference tick (a thread registered with pjlib, the GIL held): handle the
        packets that have arrived, without waiting, and keep the thread asleep meanwhile."""
        lib = self._lib
        if lib is None or self._closing or not self._wanted.is_set():
            return
        self._ticked = time.monotonic()
        self.polls += 1
        lib.pj_ioqueue_poll(self._ioqueue, self._no_wait)

    def close(self) -> None:
        """Before libDestroy(): the ioqueue goes with the media endpoint."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._closing = True
        self._wanted.set()
        thread.join(2.0)
        self._count = None

    def _run(self, register_thread: Any) -> None:
        register_thread("media-poll")
        assert self._lib is not None
        poll, ioqueue = self._lib.pj_ioqueue_poll, ctypes.c_void_p(self._ioqueue)
        timeout = _TimeVal(0, POLL_MS)
        while True:
            self._wanted.wait()  # parked while idle
            if self._closing:
                return
            if time.monotonic() - self._ticked < TICK_GAP:
                time.sleep(TICK_GAP)  # the ticks poll (poll_ready)
                continue
            self.polls += 1
            if poll(ioqueue, ctypes.byref(timeout)) < 0:
                self._closing_wait()

    def _closing_wait(self) -> None:
        # A select() error (EINTR, or a socket closed under it): do not spin on it.
        threading.Event().wait(POLL_MS / 1000)
