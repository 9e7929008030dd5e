"""A conference of frames for the DeviceBridge's own tests: what the bridge ticks in place of
pjmedia's master port (app/sip/master_port.py), through the real ConferenceClock.

It keeps every microphone frame it is handed and answers each tick with the next frame of a
far-end signal (or nothing), so a test hears on the sink monitor what a call would play and
reads back what the microphone sent. The engine tests run the real pjmedia conference.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
import numpy.typing as npt

from app.audio.conference_clock import FRAME_BYTES, FRAME_SAMPLES, ConferenceClock


class FrameConference:
    def __init__(self, far: npt.NDArray[np.int16] | None = None) -> None:
        self._far = far
        self._pos = 0
        self._lock = threading.Lock()
        self.mic: list[bytes] = []
        self.threads: set[int] = set()  # threads that ticked (registered, as pjlib wants)

    def register_thread(self) -> None:
        self.threads.add(threading.get_ident())

    def tick(self, mic: int, out: int) -> bool:
        with self._lock:
            self.mic.append(ctypes.string_at(mic, FRAME_BYTES))
            far = self._far
            if far is None or self._pos + FRAME_SAMPLES > len(far):
                return False
            frame = far[self._pos : self._pos + FRAME_SAMPLES]
            self._pos += FRAME_SAMPLES
        ctypes.memmove(out, frame.ctypes.data, FRAME_BYTES)
        return True

    def play(self, far: npt.NDArray[np.int16]) -> None:
        with self._lock:
            self._far, self._pos = far, 0

    def mic_audio(self, since: int = 0) -> npt.NDArray[np.int16]:
        with self._lock:
            frames = self.mic[since:]
        return np.frombuffer(b"".join(frames), dtype=np.int16)


def clock_with(conference: FrameConference) -> ConferenceClock:
    clock = ConferenceClock(conference)
    clock.want(True)  # a call exists
    return clock
