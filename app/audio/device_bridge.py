"""The device side of the audio bridge: sounddevice streams <-> ring buffers <-> pjmedia.

Threads:
- pjmedia's clock thread calls `write_far_end(frame)` (what the call plays, 640 bytes = 20 ms of
  16 kHz mono s16le) and `read_mic()` (640 bytes of captured audio); both only copy.
- PortAudio's callback threads play far-end audio mixed with the local tone, fill the mic ring
  and loop the ringtone on the ringer device.
- A small monitor thread notices a device that stopped (stream finished or callbacks stalled),
  sets `status`, and calls `recover()` every `recover_interval` seconds while something is wrong.
Nothing here raises because of a missing or failing device: audio is dropped and `status` says why.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app.audio.devices import load_sounddevice
from app.audio.ringbuffer import RingStats, SampleRing
from app.audio.ringtones import Ringtone
from app.audio.streams import StreamSet
from app.audio.tones import ToneSpec, ToneSynth

RATE = 16000
FRAME_SAMPLES = 320  # 20 ms, pjmedia's frame
FRAME_BYTES = 2 * FRAME_SAMPLES
_SILENT_FRAME = bytes(FRAME_BYTES)
OK_TEXT = "Audio OK"


class Mode(StrEnum):
    HEADSET = "headset"  # handset or headset: the handset device
    SPEAKER = "speaker"  # hands-free device


VOLUME_TARGETS = ("headset", "speaker", "ringer")


def volume_gain(level: int) -> float:
    """Phone volume 0–15 to a linear gain: 0 mutes, 11 is unity, 1.5 dB per step."""
    level = max(0, min(15, int(level)))
    return 0.0 if level == 0 else float(10 ** ((level - 11) * 1.5 / 20))


@dataclass
class BridgeConfig:
    handset: str = ""  # device names as PortAudio lists them; "" = system default
    handsfree: str = ""
    ringer: str = ""
    handset_mic: str | None = None  # None: the input side of `handset`
    handsfree_mic: str | None = None
    blocksize: int = 320  # samples per device callback
    latency: float | str = "low"
    far_target: int = 640  # ring buffer depth (samples) aimed at after a drop or a refill
    far_high_water: int = 1920
    mic_target: int = 640
    mic_high_water: int = 1920
    monitor_interval: float = 0.25
    stall_timeout: float = 2.0  # no callback for this long on a running stream: device lost
    auto_recover: bool = True
    recover_interval: float = 2.0  # first retry; doubles while nothing works
    recover_max_interval: float = 30.0  # a device plugged in is found within this


@dataclass(frozen=True)
class BridgeStats:
    far: RingStats
    mic: RingStats
    play_callbacks: int
    play_rate: float  # samples/s the playback device actually consumed (drift vs 16000)
    mic_rate: float
    callback_seconds: float  # time spent inside the bridge's PortAudio callbacks
    devices: dict[str, str]


class DeviceBridge:
    def __init__(self, config: BridgeConfig | None = None) -> None:
        self.config = config or BridgeConfig()
        c = self.config
        self.far = SampleRing(RATE, c.far_target, c.far_high_water)
        self.mic = SampleRing(RATE, c.mic_target, c.mic_high_water)
        self._lock = threading.RLock()
        self._mode = Mode.HEADSET
        self._volume = {"headset": 8, "speaker": 8, "ringer": 8}
        self._gain = volume_gain(8)
        self._ring_gain = volume_gain(8)
        self._mic_muted = False
        self._tone: ToneSynth | None = None
        self._key_tone: ToneSynth | None = None
        self._tone_pending = False
        self._tone_event = threading.Event()
        self.tone_requested_at: float | None = None
        self.tone_started_at: float | None = None  # monotonic: first tone sample to PortAudio
        self._ringtone: Ringtone | None = None
        self._ring_pos = 0
        self._ring_pending = False
        self.ring_started_at: float | None = None
        self._status = "Audio not started"
        self._status_cb: Callable[[str], None] | None = None
        self._sd, self._sd_error = load_sounddevice()
        self._streams = StreamSet(self)
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._last_recover = 0.0
        self._failed_recoveries = 0

    # ---- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Open the streams (once). Never raises; see `status`."""
        with self._lock:
            self._open_all(rescan=False)
        if self._monitor is None:
            self._stop.clear()
            self._monitor = threading.Thread(target=self._watch, name="audio-monitor", daemon=True)
            self._monitor.start()

    def close(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(2.0)
            self._monitor = None
        # A sound server that dies mid-call can leave a PortAudio call hanging in the monitor
        # thread: never wait for it forever.
        if not self._lock.acquire(timeout=5.0):
            self._set_status("Audio close timed out: a sound device hung")
            return
        try:
            self._streams.close_all()
            self._set_status("Audio closed")
        finally:
            self._lock.release()

    def wait_running(self, timeout: float) -> bool:
        """Wait until every opened stream delivers callbacks (PulseAudio can take ~2 s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._streams.all_running():
                return True
            time.sleep(0.02)
        return self._streams.all_running()

    def recover(self) -> bool:
        """Close everything, rescan devices and reopen; True when all roles work again."""
        with self._lock:
            self._last_recover = time.monotonic()
            self._streams.close_all()
            self._open_all(rescan=True)
            # Each rescan costs PortAudio threads and hundreds of file opens: with no device
            # for a long time, the engine must not spend its idle CPU looking for one.
            self._failed_recoveries = 0 if self.ok else self._failed_recoveries + 1
            return self.ok

    def _open_all(self, rescan: bool) -> None:
        if self._sd is None:
            self._set_status(f"No sound: {self._sd_error}; calls continue without audio")
            return
        self.far.clear()
        self.mic.clear()
        notes = self._streams.open_all(self._sd, self._mode, rescan)
        self._set_status("; ".join(notes) if notes else OK_TEXT)

    # ---- status -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self._status

    @property
    def ok(self) -> bool:
        return self._status == OK_TEXT

    def on_status(self, callback: Callable[[str], None] | None) -> None:
        """Called with the new text whenever status changes (from the monitor thread too)."""
        self._status_cb = callback

    def _set_status(self, text: str) -> None:
        changed = text != self._status
        self._status = text
        if changed and self._status_cb is not None:
            with contextlib.suppress(Exception):  # a UI callback must never break audio
                self._status_cb(text)

    def _watch(self) -> None:
        while not self._stop.wait(self.config.monitor_interval):
            with self._lock:
                lost = self._streams.check(time.monotonic(), self.config.stall_timeout)
                if lost:
                    self._set_status("; ".join(lost) + "; calls continue without audio")
                    self._streams.close_all()
                wait = min(
                    self.config.recover_interval * 2 ** min(self._failed_recoveries, 10),
                    max(self.config.recover_interval, self.config.recover_max_interval),
                )
                due = time.monotonic() - self._last_recover >= wait
                if not self.ok and self._sd is not None and self.config.auto_recover and due:
                    self.recover()

    # ---- pjmedia side (clock thread) --------------------------------------------------
    def write_far_end(self, frame: bytes) -> None:
        """20 ms of what the call plays (s16le); dropped when no playback device runs."""
        if self._streams.playing:
            self.far.write_bytes(frame)

    def read_mic(self) -> bytes:
        """20 ms of microphone audio (s16le); silence when muted or when none was captured."""
        if self._mic_muted or not self._streams.capturing:
            return _SILENT_FRAME
        return self.mic.read_bytes(FRAME_SAMPLES)

    def set_mic_muted(self, muted: bool) -> None:
        self._mic_muted = muted

    # ---- local tones ------------------------------------------------------------------
    def play_tone(self, spec: ToneSpec) -> None:
        """Replace the local tone (ringback, busy, ...); mixed over far-end audio."""
        synth = ToneSynth(spec, RATE)
        self._tone_event.clear()
        self.tone_started_at = None
        self.tone_requested_at = time.monotonic()
        self._tone_pending = True
        self._tone = synth

    def stop_tone(self) -> None:
        self._tone = None
        self._tone_pending = False

    def play_key_tone(self, spec: ToneSpec) -> None:
        """A short overlay (key click, DTMF) that does not replace the running tone."""
        self._key_tone = ToneSynth(spec, RATE)

    @property
    def tone_playing(self) -> bool:
        tone = self._tone
        return tone is not None and not tone.finished

    def wait_tone_started(self, timeout: float) -> float | None:
        """tone_started_at once the callback has taken the new tone's first sample."""
        return self.tone_started_at if self._tone_event.wait(timeout) else None

    # ---- ringer -----------------------------------------------------------------------
    def ring(self, ringtone: Ringtone) -> None:
        self._ring_pos = 0
        self.ring_started_at = None
        self._ring_pending = True
        self._ringtone = ringtone

    def silence(self) -> None:
        self._ringtone = None
        self._ring_pending = False

    @property
    def ringing(self) -> bool:
        tone = self._ringtone
        return tone is not None and not tone.silent

    # ---- routing and volume -----------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode | str) -> None:
        """HEADSET/SPEAKER keys: route to the other device (reopened only when it differs)."""
        new = Mode("headset" if str(mode) in ("handset", "headset") else "speaker")
        with self._lock:
            if new == self._mode:
                return
            self._mode = new
            self._gain = volume_gain(self._volume[new.value])
            if self._sd is not None and self._streams.mode_devices_differ(self._sd):
                notes = self._streams.reopen_call_streams(self._sd, new)
                self._set_status("; ".join(notes) if notes else OK_TEXT)

    def set_volume(self, target: str, level: int) -> None:
        if target == "handset":
            target = "headset"
        if target not in VOLUME_TARGETS:
            raise ValueError(f"volume target must be one of {VOLUME_TARGETS}")
        self._volume[target] = max(0, min(15, int(level)))
        self._gain = volume_gain(self._volume[self._mode.value])
        self._ring_gain = volume_gain(self._volume["ringer"])

    def volume(self, target: str) -> int:
        return self._volume["headset" if target == "handset" else target]

    def set_devices(self, handset: str, handsfree: str, ringer: str) -> None:
        """New device choice from settings: reopen everything on the new devices."""
        with self._lock:
            self.config.handset, self.config.handsfree, self.config.ringer = (
                handset,
                handsfree,
                ringer,
            )
            self.recover()

    def stats(self) -> BridgeStats:
        s = self._streams
        return BridgeStats(
            self.far.stats(),
            self.mic.stats(),
            s.play_frames // max(1, self.config.blocksize),
            s.measured_rate("play"),
            s.measured_rate("rec"),
            s.callback_seconds,
            dict(s.device_names),
        )

    # ---- PortAudio callbacks (called by StreamSet) -------------------------------------
    def _fill_playback(self, out: np.ndarray, now: float) -> None:
        frames = len(out)
        far = np.empty(frames, dtype=np.int16)
        got = self.far.read_into(far)
        mix = far.astype(np.float32) if got else np.zeros(frames, dtype=np.float32)
        tone = self._tone
        if tone is not None:
            if self._tone_pending:
                self._tone_pending = False
                self.tone_started_at = now
                self._tone_event.set()
            mix += tone.read_float(frames)
            if tone.finished and self._tone is tone:
                self._tone = None
        key = self._key_tone
        if key is not None:
            mix += key.read_float(frames)
            if key.finished and self._key_tone is key:
                self._key_tone = None
        if self._streams.ring_in_playback:
            mix += self._ring_block(frames, now)
        mix *= self._gain
        np.clip(mix, -32768, 32767, out=mix)
        out[:] = mix.astype(np.int16)

    def _fill_ringer(self, out: np.ndarray, now: float) -> None:
        block = self._ring_block(len(out), now) * self._ring_gain
        np.clip(block, -32768, 32767, out=block)
        out[:] = block.astype(np.int16)

    def _ring_block(self, frames: int, now: float) -> np.ndarray:
        tone = self._ringtone
        if tone is None or tone.silent:
            return np.zeros(frames, dtype=np.float32)
        if self._ring_pending:
            self._ring_pending = False
            self.ring_started_at = now
        n = len(tone.samples)
        idx = (self._ring_pos + np.arange(frames)) % n
        self._ring_pos = (self._ring_pos + frames) % n
        return tone.samples[idx].astype(np.float32)
