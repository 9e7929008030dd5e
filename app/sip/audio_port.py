"""The one pjsua2 AudioMediaPort between the conference bridge and the sound devices.

Created once after libStart() and deleted before libDestroy(); calls only connect and disconnect
(creating and deleting ports per call segfaulted next to a ToneGenerator, docs/pjsua2.md §2).
Its two callbacks run on pjmedia's clock thread: they only copy 640 bytes to or from the
DeviceBridge's ring buffers and never touch the phone core.

Copy costs measured here (pjsua2 2.15.1 wheel, 640-byte frames): `bytes(frame.buf)` 250-450 µs
because SWIG copies element by element; reading the std::vector's data pointer through ctypes
and `ctypes.string_at` 1.2 µs. The fast path is checked against `bytes()` once at start and
only used when both agree.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import time
from typing import Any, Protocol

import pjsua2 as pj

from app.sip.call import far_muted
from app.sip.guard import guarded

log = logging.getLogger("deskphone.sip")

RATE = 16000
FRAME_USEC = 20000
FRAME_BYTES = 640
_PTR = ctypes.sizeof(ctypes.c_void_p)


class FrameSink(Protocol):
    def write_far_end(self, frame: bytes) -> None: ...

    def read_mic(self) -> bytes: ...


def _vector_span(vec: Any) -> tuple[int, int]:
    """(data pointer, length) of a SWIG std::vector<unsigned char> (libstdc++ layout:
    begin, end, end-of-storage pointers)."""
    addr = int(vec.this)
    begin = ctypes.c_void_p.from_address(addr).value or 0
    end = ctypes.c_void_p.from_address(addr + _PTR).value or 0
    return begin, end - begin


def vector_bytes_fast(vec: Any) -> bytes:
    begin, size = _vector_span(vec)
    return ctypes.string_at(begin, size) if begin and 0 < size <= 65536 else b""


def fast_copy_works() -> bool:
    """The ctypes view of a ByteVector agrees with SWIG's own copy (checked once)."""
    try:
        probe = bytes(range(256)) * 2 + bytes(range(128))
        vec = pj.ByteVector(probe)
        return vector_bytes_fast(vec) == bytes(vec) == probe
    except Exception:
        return False


class BridgePort(pj.AudioMediaPort):  # type: ignore[misc]
    """16 kHz mono 16-bit 20 ms port: far-end audio out to the sink, microphone audio in."""

    def __init__(self, sink: FrameSink) -> None:
        super().__init__()
        self.closed = False
        self._sink = sink
        self._fast = fast_copy_works()
        self._mic_vec = pj.ByteVector(bytes(FRAME_BYTES))
        self._mic_ptr = _vector_span(self._mic_vec)[0] if self._fast else 0
        self.frames_in = 0  # frames handed to the sink (what the call plays)
        self.frames_out = 0  # microphone frames handed to pjmedia
        self.seconds = 0.0  # time spent inside both callbacks
        self.connected: set[int] = set()  # pjsua call ids whose audio goes through the port

    def create(self) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = RATE
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = FRAME_USEC
        self.createPort("deskphone-bridge", fmt)
        log.info("audio bridge port created (fast frame copy: %s)", self._fast)

    def destroy(self) -> None:
        """Delete the C++ port now, while this Python object is still fully alive.

        Left to garbage collection, the object's attributes are cleared first and SWIG then
        runs the C++ destructor with the GIL released: the clock thread, which calls this port
        50 times a second even when nothing is connected, got into the half-dead object
        (AttributeError, then a segfault at engine exit, seen here). Deleting explicitly keeps
        every late callback on a live object; SWIG disowns the pointer so nothing is freed twice.
        """
        self.closed = True
        self.__swig_destroy__(self)

    @guarded()
    def onFrameReceived(self, frame: Any) -> None:
        if frame.size == 0 or self.closed:
            return  # the conference ticks unconnected ports with empty frames
        start = time.perf_counter()
        buf = frame.buf
        data = vector_bytes_fast(buf) if self._fast else bytes(buf)
        if len(data) == FRAME_BYTES:
            self._sink.write_far_end(data)
            self.frames_in += 1
        self.seconds += time.perf_counter() - start

    @guarded()
    def onFrameRequested(self, frame: Any) -> None:
        if self.closed:
            return
        start = time.perf_counter()
        data = self._sink.read_mic()
        if len(data) != FRAME_BYTES:
            data = data[:FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
        if self._mic_ptr:
            ctypes.memmove(self._mic_ptr, data, FRAME_BYTES)
            vec = self._mic_vec
        else:
            vec = pj.ByteVector(data)
        frame.type = pj.PJMEDIA_TYPE_AUDIO
        frame.buf = vec
        frame.size = FRAME_BYTES
        self.frames_out += 1
        self.seconds += time.perf_counter() - start


def _audio_indexes(info: Any) -> tuple[list[int], list[int]]:
    """(media to connect, media to disconnect) of a call, by media index."""
    live, idle = [], []
    for i, media in enumerate(info.media):
        if media.type != pj.PJMEDIA_TYPE_AUDIO:
            continue
        if media.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
            live.append(i)
        else:
            idle.append(i)
    return live, idle


def link_call_media(call: Any, port: BridgePort) -> str:
    """Connect a call's active audio (early media too) to the port both ways; disconnect it
    when on hold or gone. A far-muted conference call is heard by nobody: only the port's
    audio goes to it. Runs on the SIP thread (onCallMediaState, or a far mute changing).
    Returns what it did."""
    info = call.getInfo()
    live, idle = _audio_indexes(info)
    done = []
    for index in live:
        media = call.getAudioMedia(index)
        if far_muted(call):
            with contextlib.suppress(pj.Error):  # it was not connected
                media.stopTransmit(port)
        else:
            media.startTransmit(port)
        port.startTransmit(media)
        port.connected.add(int(info.id))
        done.append(f"audio {index} connected" + (" (far muted)" if far_muted(call) else ""))
    for index in idle:
        try:
            media = call.getAudioMedia(index)
        except pj.Error:
            continue  # no conference slot any more: nothing flows
        try:
            media.stopTransmit(port)
            port.stopTransmit(media)
        except pj.Error:
            pass
        done.append(f"audio {index} disconnected")
    if not live:
        port.connected.discard(int(info.id))
    return ", ".join(done) or "no audio media"
