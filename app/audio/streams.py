"""The three sounddevice streams of the bridge (playback, capture, ringer) and their health.

Owned by DeviceBridge, which holds its lock around every method here except the callbacks.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.audio.devices import Found, find_device, rescan

if TYPE_CHECKING:
    from app.audio.device_bridge import DeviceBridge, Mode

ROLE_TEXT = {"play": "Speaker", "rec": "Microphone", "ring": "Ringer"}
CLOSE_TIMEOUT = 1.0  # s


@dataclass
class _Slot:
    stream: Any = None
    device: str = ""
    index: int | None = None
    opened_at: float = 0.0
    first_cb: float = 0.0
    last_cb: float = 0.0
    frames: int = 0
    finished: bool = False
    closing: bool = False


class StreamSet:
    def __init__(self, owner: DeviceBridge) -> None:
        self._owner = owner
        self._slots = {role: _Slot() for role in ROLE_TEXT}
        self.ring_in_playback = False
        self.callback_seconds = 0.0
        self.device_names: dict[str, str] = {}
        self.abandoned: list[Any] = []  # streams PortAudio would not close (kept alive on purpose)

    # ---- state seen from the pjmedia side ---------------------------------------------
    @property
    def playing(self) -> bool:
        slot = self._slots["play"]
        return slot.stream is not None and not slot.finished

    @property
    def capturing(self) -> bool:
        slot = self._slots["rec"]
        return slot.stream is not None and not slot.finished

    @property
    def play_frames(self) -> int:
        return self._slots["play"].frames

    def all_running(self) -> bool:
        """Every open stream has had at least one callback."""
        return all(s.first_cb for s in self._slots.values() if s.stream is not None)

    def measured_rate(self, role: str) -> float:
        slot = self._slots[role]
        span = slot.last_cb - slot.first_cb
        return slot.frames / span if span > 0.5 else 0.0

    # ---- opening ----------------------------------------------------------------------
    def _wanted(self, role: str, mode: Mode) -> tuple[str, str]:
        c = self._owner.config
        speaker = mode.value == "speaker"
        if role == "ring":
            return c.ringer, "output"
        out_name = c.handsfree if speaker else c.handset
        if role == "play":
            return out_name, "output"
        mic = c.handsfree_mic if speaker else c.handset_mic
        return (out_name if mic is None else mic), "input"

    def _find(self, sd: Any, role: str, mode: Mode) -> Found:
        name, direction = self._wanted(role, mode)
        return find_device(sd, name, direction, ROLE_TEXT[role])

    def open_all(self, sd: Any, mode: Mode, do_rescan: bool) -> list[str]:
        notes: list[str] = []
        # Pa_Terminate would wait on an abandoned stream forever: keep the old device list then.
        if do_rescan and not self.abandoned:
            try:
                rescan(sd)
            except Exception as exc:
                return [f"Sound system restart failed ({exc})"]
        for role in ("play", "rec", "ring"):
            notes += self._open(sd, role, mode)
        if all(slot.index is None for slot in self._slots.values()):
            return ["No sound device: calls continue without audio"]
        self.ring_in_playback = self._slots["ring"].stream is None and self.playing
        if self.ring_in_playback:
            notes.append("Ringer: playing the ringtone on the speaker device instead")
        return notes

    def reopen_call_streams(self, sd: Any, mode: Mode) -> list[str]:
        notes: list[str] = []
        for role in ("play", "rec"):
            self._close(role)
            notes += self._open(sd, role, mode)
        return notes

    def mode_devices_differ(self, sd: Any) -> bool:
        from app.audio.device_bridge import Mode

        a = [self._find(sd, r, Mode.HEADSET).index for r in ("play", "rec")]
        b = [self._find(sd, r, Mode.SPEAKER).index for r in ("play", "rec")]
        return a != b

    def _open(self, sd: Any, role: str, mode: Mode) -> list[str]:
        found = self._find(sd, role, mode)
        notes = [found.note] if found.note else []
        slot = _Slot(device=found.name, index=found.index)
        self._slots[role] = slot
        self.device_names[role] = found.name
        if found.index is None:
            return notes
        c = self._owner.config
        kind = sd.InputStream if role == "rec" else sd.OutputStream
        try:
            stream = kind(
                device=found.index,
                samplerate=16000,
                channels=1,
                dtype="int16",
                blocksize=c.blocksize,
                latency=c.latency,
                callback=self._callback(role, slot),
                finished_callback=lambda: self._finished(slot),
            )
            slot.opened_at = time.monotonic()
            stream.start()
            slot.stream = stream
        except Exception as exc:
            notes.append(f"{ROLE_TEXT[role]}: device {found.name!r} failed to open ({exc})")
        return notes

    def _callback(self, role: str, slot: _Slot) -> Any:
        owner = self._owner

        def on_audio(data: Any, frames: int, _time: Any, _status: Any) -> None:
            start = time.perf_counter()
            now = time.monotonic()
            if not slot.first_cb:
                slot.first_cb = now
            slot.last_cb = now
            slot.frames += frames
            if role == "rec":
                owner.mic.write(data[:, 0])
            elif role == "play":
                owner._fill_playback(data[:, 0], now)
            else:
                owner._fill_ringer(data[:, 0], now)
            self.callback_seconds += time.perf_counter() - start

        return on_audio

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

    def _close(self, role: str) -> None:
        slot = self._slots[role]
        stream, slot.stream = slot.stream, None
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
        for role in self._slots:
            self._close(role)
        self.ring_in_playback = False
