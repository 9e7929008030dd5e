"""pjmedia's conference master port (slot 0), clocked by the sound device's callback.

pjsua runs with no sound device (`setNoDev()`, which returns this port): nothing ticks the
conference bridge by itself. Whoever calls `tick()` is its clock: the playback device's
PortAudio callback while a device plays, else a small thread of the engine's
(app/audio/conference_clock.py). So there is one clock, no buffer between pjmedia and the
sound card, and no Python call from a pjmedia thread (docs/pjsua2.md §6, docs/audio.md §4).

A tick is what pjmedia's own sound port does on each device period (pjproject
`pjmedia/src/pjmedia/master_port.c` `clock_callback`, and `sound_port.c`): `put_frame` hands
slot 0 the microphone frame, then `get_frame` runs the whole conference once (the queued
connects and removals, every call's decoder and encoder) and returns what slot 0 plays.

Crash safety (each of these would abort or corrupt the process):
- The conference asserts the exact frame size (`pj_assert(frame->size == ...)` in
  `conference.c` `get_frame`): the port's own format is checked once, at start, and ticks
  always hand it 320 samples of 16 bit.
- pjlib functions assert on a thread it does not know: every thread that ticks registers itself
  first (`pj_thread_register`, with a descriptor kept alive while the thread lives).
- Two threads must never tick at once (the mixing buffers are unlocked): ConferenceClock's lock.
- The port dies with `libDestroy()`: ConferenceClock.close() stops every tick before that.
- The frame calls release the GIL (a CDLL): pjsip's SIP thread logs into Python while holding
  the conference mutex, so waiting for that mutex with the GIL held would deadlock.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from app.sip.pj_module import pjsua_library

log = logging.getLogger("deskphone.sip")

RATE = 16000
FRAME_SAMPLES = 320  # 20 ms: the conference's frame (pjsua's default clock rate and ptime)
FRAME_BYTES = 2 * FRAME_SAMPLES
_TYPE_AUDIO = 1  # PJMEDIA_FRAME_TYPE_AUDIO (pjmedia/frame.h)
# PJMEDIA_SIG_PORT_CONF: the conference's master port (pjmedia/signatures.h), 'P' 'A' 'C' 'F'
_SIG_CONF = int.from_bytes(b"PACF", "big")
_DESC_BYTES = 64 * ctypes.sizeof(ctypes.c_long)  # pj_thread_desc (pj/os.h)


class _Frame(ctypes.Structure):
    """struct pjmedia_frame (pjmedia/frame.h, 2.15.1)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("buf", ctypes.c_void_p),
        ("size", ctypes.c_size_t),
        ("timestamp", ctypes.c_uint64),
        ("bit_info", ctypes.c_uint32),
    ]


def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    """The wheel's library twice: frame calls release the GIL, the short bookkeeping calls keep
    it (no GIL round trip for a thread check in every device callback)."""
    frames, short = pjsua_library(keep_gil=False), pjsua_library()
    for name in ("pjmedia_port_get_frame", "pjmedia_port_put_frame"):
        fn = getattr(frames, name)
        fn.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Frame)]
        fn.restype = ctypes.c_int
    short.pj_thread_is_registered.argtypes = []
    short.pj_thread_is_registered.restype = ctypes.c_int
    short.pj_thread_register.argtypes = [
        ctypes.c_char_p,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    short.pj_thread_register.restype = ctypes.c_int
    return frames, short


def port_format_problem(address: int) -> str:
    """ "" when `address` is a conference master port of 16 kHz mono 16 bit 20 ms frames.

    Reads `pjmedia_port.info` (pjmedia/port.h): name (pj_str_t, 16 bytes), signature, dir, then
    pjmedia_format {id, type, detail_type, det.aud {clock_rate, channel_count,
    frame_time_usec, bits_per_sample}}."""
    if not address:
        return "pjsua gave no conference port"
    words = (ctypes.c_uint32 * 9).from_address(address + 16)
    got = (words[5], words[6], words[7], words[8])
    if words[0] != _SIG_CONF:
        return f"unexpected port signature {words[0]:#x}"
    if got != (RATE, 1, 20000, 16):
        return f"unexpected conference format {got} (rate, channels, frame µs, bits)"
    return ""


class MasterPort:
    """Slot 0 of the conference, ticked by one thread at a time (ConferenceClock's lock)."""

    def __init__(self, address: int) -> None:
        problem = port_format_problem(address)
        if problem:
            raise ValueError(problem)
        if ctypes.sizeof(_Frame) != 40:
            raise ValueError("unexpected pjmedia_frame layout")
        self._address = address
        self._frames, self._short = _libraries()
        self._mic = _Frame()
        self._out = _Frame()
        self._mic_ref = ctypes.byref(self._mic)
        self._out_ref = ctypes.byref(self._out)
        self._timestamp = 0
        self._descs: dict[int, Any] = {}  # native thread id -> its pj_thread_desc
        self._descs_lock = threading.Lock()
        self.ticks = 0
        # Called first in each tick: the RTP that arrived since the last (media_poll.py).
        self.receive: Callable[[], None] | None = None

    @classmethod
    def take(cls, endpoint: Any) -> MasterPort:
        """Run pjsua with no sound device and take the conference's clock (SIP thread)."""
        return cls(int(endpoint.audDevManager().setNoDev()))

    def register_thread(self) -> None:
        """Make the calling thread known to pjlib (once per thread; cheap when it is)."""
        if self._short.pj_thread_is_registered():
            return
        with self._descs_lock:
            # A thread's descriptor must live as long as the thread (pjlib keeps a pointer to it
            # in thread-local storage); those of threads that ended are dropped here.
            for tid in [t for t in self._descs if not os.path.exists(f"/proc/self/task/{t}")]:
                del self._descs[tid]
            desc = ctypes.create_string_buffer(_DESC_BYTES)
            self._descs[threading.get_native_id()] = desc
        handle = ctypes.c_void_p()
        status = self._short.pj_thread_register(b"deskphone-audio", desc, ctypes.byref(handle))
        if status != 0:
            raise OSError(f"pj_thread_register failed ({status})")

    def tick(self, mic: int, out: int) -> bool:
        """One conference frame: `mic` (address of 640 bytes) in, what slot 0 plays written to
        `out` (640 bytes). True when that is audio; else `out` holds nothing meaningful."""
        receive = self.receive
        if receive is not None:
            receive()
        ts = self._timestamp
        self._timestamp = ts + FRAME_SAMPLES
        self.ticks += 1
        m, o = self._mic, self._out
        m.type, m.buf, m.size, m.timestamp, m.bit_info = _TYPE_AUDIO, mic, FRAME_BYTES, ts, 0
        self._frames.pjmedia_port_put_frame(self._address, self._mic_ref)
        o.type, o.buf, o.size, o.timestamp, o.bit_info = 0, out, FRAME_BYTES, ts, 0
        status = self._frames.pjmedia_port_get_frame(self._address, self._out_ref)
        return bool(status == 0 and o.type == _TYPE_AUDIO)

    @property
    def threads(self) -> int:
        """Threads registered with pjlib by this port and still alive (tests, diagnostics)."""
        with self._descs_lock:
            return sum(os.path.exists(f"/proc/self/task/{t}") for t in self._descs)
