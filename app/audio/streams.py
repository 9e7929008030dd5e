"""The sounddevice streams of the bridge (playback, capture, ringer), opened one role at a time
when something needs them, paced against wall time, and watched for health.

Owned by DeviceBridge, which holds its lock around every method here except the callbacks; the
callbacks reach the bridge only through the narrow StreamHost protocol below.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.audio.bridge_config import FRAME_SAMPLES, RATE, BridgeConfig, Mode
from app.audio.devices import Found, find_device
from app.audio.pace import Pace
from app.audio.pcm import byte_view
from app.audio.thread_priority import raise_this_thread

ROLE_TEXT = {"play": "Speaker", "rec": "Microphone", "ring": "Ringer"}
ROLES = tuple(ROLE_TEXT)
CLOSE_TIMEOUT = 1.0  # s
# An output stream's first 50 ms get silence: PortAudio primes the buffer in a burst of
# callbacks, and the first xrun of a new pulse stream comes within that time (pace.py).
PRIMING_S = 0.05


def _ahead(info: Any, nominal: float) -> float:
    """Seconds until the block being asked for reaches the speaker. PortAudio's time info
    says so through ALSA's pulse plugin (measured: 80 ms with a 60 ms buffer on time, less by
    as much as the callback is late; docs/audio.md §8). A backend that leaves it 0 gets the
    buffer it reported."""
    dac = float(info.outputBufferDacTime)
    if dac == 0.0:
        return nominal
    ahead = dac - float(info.currentTime)
    return min(max(ahead, 0.0), 1.0)


class StreamHost(Protocol):
    """What the streams' callbacks need from the bridge (called on PortAudio's threads). The
    audio is mono int16 in PortAudio's own buffer, seen as bytes (app/audio/pcm.py); it is
    valid only during the call."""

    def fill_playback(self, out: memoryview, now: float, due: float) -> None: ...

    def fill_ringer(self, out: memoryview, now: float) -> None: ...

    def capture(self, samples: memoryview) -> None: ...


@dataclass
class _Slot:
    stream: Any = None
    device: str = ""
    index: int | None = None
    opened_at: float = 0.0
    first_cb: float = 0.0
    last_cb: float = 0.0
    frames: int = 0
    xruns: int = 0  # PortAudio's underflow/overflow flags seen
    finished: bool = False
    closing: bool = False
    latency: float = 0.0  # the device buffer PortAudio reports for the stream (s)
    pace: Pace = field(default_factory=lambda: Pace(RATE, RATE // 10))


class StreamSet:
    def __init__(self, host: StreamHost, config: BridgeConfig) -> None:
        self._host = host
        self._config = config
        self._slots = {role: _Slot() for role in ROLES}
        self.ring_in_playback = False
        self.callback_seconds = 0.0
        self.device_names: dict[str, str] = {}
        self.abandoned: list[Any] = []  # streams PortAudio would not close (kept alive on purpose)
        self.xruns = 0  # over the bridge's life, closed streams included
        self.bursts = 0  # xrun recoveries whose too-fast audio Pace refused
        self._pull_lock = threading.Lock()

    # ---- state seen from the pjmedia side and the bridge ------------------------------
    def is_open(self, role: str) -> bool:
        slot = self._slots[role]
        return slot.stream is not None and not slot.finished

    @property
    def playing(self) -> bool:
        return self.is_open("play")

    @property
    def capturing(self) -> bool:
        return self.is_open("rec")

    @property
    def any_open(self) -> bool:
        return any(s.stream is not None for s in self._slots.values())

    @property
    def play_frames(self) -> int:
        return self._slots["play"].frames

    def running(self, role: str) -> bool:
        slot = self._slots[role]
        return slot.stream is not None and bool(slot.first_cb)

    def all_running(self) -> bool:
        """Every open stream has had at least one callback."""
        return all(s.first_cb for s in self._slots.values() if s.stream is not None)

    def measured_rate(self, role: str) -> float:
        slot = self._slots[role]
        span = slot.last_cb - slot.first_cb
        return slot.frames / span if span > 0.5 else 0.0

    def counters(self) -> tuple[int, int]:
        """(xruns, refused bursts) including the streams open now."""
        live = self._slots.values()
        return self.xruns + sum(s.xruns for s in live), self.bursts + sum(
            s.pace.bursts for s in live
        )

    # ---- opening ----------------------------------------------------------------------
    def _wanted(self, role: str, mode: Mode) -> tuple[str, str]:
        c = self._config
        speaker = mode is Mode.SPEAKER
        if role == "ring":
            return c.ringer, "output"
        out_name = c.handsfree if speaker else c.handset
        if role == "play":
            return out_name, "output"
        mic = c.handsfree_mic if speaker else c.handset_mic
        return (out_name if mic is None else mic), "input"

    def find(self, sd: Any, role: str, mode: Mode) -> Found:
        name, direction = self._wanted(role, mode)
        return find_device(sd, name, direction, ROLE_TEXT[role])

    def ringer_shares_playback(self, sd: Any, mode: Mode) -> bool:
        """The ringer resolves to the call's output device: ring through the playback stream
        (one stream fewer, and the ringtone still mixes with a call's audio)."""
        ring, play = self.find(sd, "ring", mode), self.find(sd, "play", mode)
        return ring.index is None or ring.index == play.index

    def open(self, sd: Any, role: str, mode: Mode) -> list[str]:
        """Open one role's stream (closing what it had). Returns notes for the status line."""
        self.close(role)
        found = self.find(sd, role, mode)
        notes = [found.note] if found.note else []
        slot = _Slot(device=found.name, index=found.index)
        self._slots[role] = slot
        self.device_names[role] = found.name
        if found.index is None:
            return notes
        c = self._config
        try:
            # The raw streams hand buffers, not numpy arrays (sounddevice's others import numpy).
            if role == "rec":
                # No callback: the playback callback pulls what was captured right before each
                # conference tick (pull()). Small blocks, free here since no thread of ours
                # wakes for them, put the newest audio as close to the tick as the source
                # delivers it (docs/audio.md §8).
                stream = sd.RawInputStream(
                    device=found.index,
                    samplerate=RATE,
                    channels=1,
                    dtype="int16",
                    blocksize=c.mic_block,
                    latency=c.mic_latency,
                )
            else:
                stream = sd.RawOutputStream(
                    device=found.index,
                    samplerate=RATE,
                    channels=1,
                    dtype="int16",
                    # one conference frame per callback: the playback callback ticks
                    # pjmedia's conference once per block (app/audio/conference_clock.py)
                    blocksize=FRAME_SAMPLES,
                    latency=c.latency,
                    callback=self._callback(role, slot),
                    finished_callback=lambda: self._finished(slot),
                )
            # Refilling after an xrun fills the device buffer at once; the pulse plugin takes
            # more than the latency PortAudio reports (measured: 120 ms for 90). The priming at
            # the start gets silence anyway (PRIMING_S).
            buffered = float(getattr(stream, "latency", 0.0) or 0.0)
            slot.latency = buffered
            slack = int(1.5 * buffered * RATE) + 2 * FRAME_SAMPLES
            slot.pace = Pace(RATE, slack, settle=PRIMING_S)
            slot.opened_at = time.monotonic()
            stream.start()
            slot.stream = stream
        except Exception as exc:
            notes.append(f"{ROLE_TEXT[role]}: device {found.name!r} failed to open ({exc})")
        return notes

    def _callback(self, role: str, slot: _Slot) -> Any:
        host = self._host

        def on_audio(buffer: Any, frames: int, info: Any, status: Any) -> None:
            start = time.perf_counter()
            data = byte_view(buffer)
            now = time.monotonic()
            if not slot.first_cb:
                slot.first_cb = now
                raise_this_thread()
            slot.last_cb = now
            slot.frames += frames
            underflow = False
            if status:
                slot.xruns += 1
                underflow = bool(status.output_underflow)
            if not slot.pace.allow(now, frames, underflow):
                data[:] = bytes(len(data))  # a post-xrun burst: played into nothing, take nothing
            elif role == "play":
                ahead = 0.0 if underflow else _ahead(info, slot.latency)
                host.fill_playback(data, now, now + ahead)
            else:
                host.fill_ringer(data, now)
            self.callback_seconds += time.perf_counter() - start

        return on_audio

    def pull(self, now: float) -> int:
        """Hand the bridge what the microphone captured since the last pull; how many samples
        (-1: no microphone, or another thread pulled). Called by the playback callback before
        each conference tick, by the fallback clock, and by the device thread while nothing
        ticks (the stream must be drained, and its health stamped)."""
        slot = self._slots["rec"]
        if slot.stream is None or slot.finished or not self._pull_lock.acquire(blocking=False):
            return -1  # another thread pulls right now: its audio reaches the ring as well
        try:
            stream = slot.stream
            if stream is None:
                return -1
            avail = int(stream.read_available)
            if avail <= 0:
                return 0
            data, overflowed = stream.read(avail)
            if not slot.first_cb:
                slot.first_cb = now
            slot.last_cb = now
            slot.frames += avail
            slot.xruns += bool(overflowed)
            self._host.capture(byte_view(data))
            return avail
        except Exception:  # a lost device or server: the health check reports it
            slot.finished = True
            return -1
        finally:
            self._pull_lock.release()

    def pulled_since(self, now: float) -> float:
        """Seconds since the microphone was last drained (0 with no microphone open)."""
        slot = self._slots["rec"]
        return now - (slot.last_cb or slot.opened_at) if slot.stream is not None else 0.0

    def _finished(self, slot: _Slot) -> None:
        if not slot.closing:
            slot.finished = True

    # ---- health and closing -----------------------------------------------------------
    def check(self, now: float, stall: float) -> list[str]:
        """Messages for streams that died since the last check."""
        lost: list[str] = []
        for role, slot in self._slots.items():
            if slot.stream is None:
                continue
            since = slot.last_cb or slot.opened_at
            if slot.finished:
                lost.append(f"{ROLE_TEXT[role]} device {slot.device!r} stopped")
            elif now - since > stall:
                lost.append(f"{ROLE_TEXT[role]} device {slot.device!r} stalled")
        return lost

    def close(self, role: str) -> None:
        slot = self._slots[role]
        # Never close the microphone under a pull in progress; a pull that hangs (a dead
        # server) is waited for only as long as a close is.
        pulling = role == "rec" and self._pull_lock.acquire(timeout=CLOSE_TIMEOUT)
        stream, slot.stream = slot.stream, None
        if pulling:
            self._pull_lock.release()
        self.xruns += slot.xruns
        self.bursts += slot.pace.bursts
        slot.xruns = slot.pace.bursts = 0
        if stream is None:
            return
        slot.closing = True

        def close() -> None:
            with contextlib.suppress(Exception):  # a dead device may refuse to close cleanly
                stream.abort()
                stream.close()

        # Seen here: after the sound server died, PortAudio's ALSA capture thread spun forever
        # ("self->capture.ready || self->playback.ready" failed) and Pa_AbortStream never
        # returned. Close in a helper thread and abandon a stream that does not close in time.
        closer = threading.Thread(target=close, name=f"audio-close-{role}", daemon=True)
        closer.start()
        closer.join(CLOSE_TIMEOUT)
        if closer.is_alive():
            self.abandoned.append(stream)

    def close_all(self) -> None:
        for role in ROLES:
            self.close(role)
        self.ring_in_playback = False
