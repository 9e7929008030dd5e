"""The device side of the audio bridge: sounddevice streams <-> ring buffers <-> pjmedia.

Streams open only while something needs them: a call or dial screen (`hold`), a tone, a key
tone, or the ringer; each closes `linger` seconds after its last use, so an idle phone has no
stream open and wakes no thread. A small device thread does every open and close (off the SIP
thread), checks open streams' health and retries failed devices while they are wanted.

Threads:
- pjmedia's clock thread calls `write_far_end(frame)` (what the call plays, 640 bytes = 20 ms of
  16 kHz mono s16le) and `read_mic()` (640 bytes of captured audio); both only copy.
- PortAudio's callback threads play far-end audio mixed with the local tone, fill the mic ring
  and loop the ringtone (app/audio/streams.py, paced against wall time by app/audio/pace.py).
Nothing here raises because of a missing or failing device: audio is dropped and `status` says why.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.audio.bridge_config import (
    FRAME_BYTES,
    FRAME_SAMPLES,
    RATE,
    BridgeConfig,
    Mode,
    volume_gain,
)
from app.audio.devices import load_sounddevice, rescan
from app.audio.mixer import Mixer
from app.audio.ringbuffer import RingStats, SampleRing
from app.audio.ringtones import Ringtone
from app.audio.streams import ROLES, Int16Array, StreamSet
from app.audio.tones import ToneSpec

__all__ = [
    "FRAME_BYTES",
    "FRAME_SAMPLES",
    "RATE",
    "BridgeConfig",
    "DeviceBridge",
    "Mode",
    "volume_gain",
]

_SILENT_FRAME = bytes(FRAME_BYTES)
OK_TEXT = "Audio OK"
VOLUME_TARGETS = ("headset", "speaker", "ringer")


@dataclass(frozen=True)
class BridgeStats:
    far: RingStats
    mic: RingStats
    play_callbacks: int
    play_rate: float  # samples/s the playback device actually consumed (drift vs 16000)
    mic_rate: float
    callback_seconds: float  # time spent inside the bridge's PortAudio callbacks
    devices: dict[str, str]
    open_streams: int = 0
    xruns: int = 0  # PortAudio underflow/overflow flags, over the bridge's life
    bursts: int = 0  # post-xrun bursts whose too-fast audio was refused (app/audio/pace.py)


class DeviceBridge:
    def __init__(self, config: BridgeConfig | None = None) -> None:
        self.config = config or BridgeConfig()
        c = self.config
        self.far = SampleRing(
            RATE, c.far_target, c.far_high_water, margin=c.far_margin, follow_drift=True
        )
        self.mic = SampleRing(
            RATE, c.mic_target, c.mic_high_water, margin=c.mic_margin, follow_drift=True
        )
        self.mix = Mixer(RATE)
        self._lock = threading.RLock()
        self._mode = Mode.HEADSET
        self._volume = {"headset": 8, "speaker": 8, "ringer": 8}
        self._mic_muted = False
        self._held = False
        self._status = "Audio not started"
        self._status_cb: Callable[[str], None] | None = None
        self._sd, self._sd_error = load_sounddevice()
        self._streams = StreamSet(self, c)
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
        """Look the devices up (nothing is opened) and start the device thread. Never raises."""
        with self._lock:
            self._probe()
        if self._worker is None:
            self._stop.clear()
            self._worker = threading.Thread(target=self._run, name="audio-devices", daemon=True)
            self._worker.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._worker is not None:
            self._worker.join(3.0)
            self._worker = None
        # A sound server that dies mid-call can leave a PortAudio call hanging in the device
        # thread: never wait for it forever.
        if not self._lock.acquire(timeout=5.0):
            self._set_status("Audio close timed out: a sound device hung")
            return
        try:
            self._streams.close_all()
            self._set_status("Audio closed")
        finally:
            self._lock.release()

    def hold(self, on: bool) -> None:
        """Keep the call's speaker and microphone open (a call, the dial screen) or let go."""
        if on != self._held:
            self._held = on
            self._wake.set()

    def wait_running(self, timeout: float) -> bool:
        """Wait until every wanted stream is open and delivers callbacks."""
        deadline = time.monotonic() + timeout
        while True:
            want = self._want()
            done = all(self._streams.running(r) for r in ROLES if want[r])
            if done or time.monotonic() > deadline:
                return done
            time.sleep(0.01)

    def recover(self) -> bool:
        """Close everything, rescan devices and reopen what is wanted; True when all works."""
        with self._lock:
            self._streams.close_all()
            self._rescan_next = True
            self._retry_at = 0.0
            self._reconcile(time.monotonic())
            return self.ok

    def _probe(self) -> None:
        sd = self._sd
        if sd is None:
            self._set_status(f"No sound: {self._sd_error}; calls continue without audio")
            return
        found = [self._streams.find(sd, role, self._mode) for role in ("play", "rec")]
        notes = [f.note for f in found if f.note]
        if all(f.index is None for f in found):
            notes = ["No sound device: calls continue without audio"]
        self._set_status("; ".join(notes) if notes else OK_TEXT)

    # ---- the device thread ------------------------------------------------------------
    def _want(self) -> dict[str, bool]:
        ringing = self.mix.ringing
        shared = self._streams.ring_in_playback
        play = self._held or self.mix.tone_wanted or (ringing and shared)
        return {"play": play, "rec": self._held, "ring": ringing and not shared}

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._next_wake())
            self._wake.clear()
            if self._stop.is_set():
                return
            with self._lock:
                self._reconcile(time.monotonic())

    def _next_wake(self) -> float | None:
        """None (sleep until woken) when nothing is open and nothing waits for a retry."""
        if self._streams.any_open:
            return self.config.monitor_interval
        if any(self._want().values()):
            return max(0.05, self._retry_at - time.monotonic())
        return None

    def _reconcile(self, now: float) -> None:
        sd = self._sd
        if sd is None:
            return
        c = self.config
        lost = self._streams.check(now, c.stall_timeout)
        if lost:
            self._set_status("; ".join(lost) + "; calls continue without audio")
            self._streams.close_all()
            self._fail(now)
        want = self._want()
        if want["ring"] or (self.mix.ringing and not self._streams.is_open("ring")):
            self._streams.ring_in_playback = self._streams.ringer_shares_playback(sd, self._mode)
            want = self._want()
        if (
            self._fallback
            and now >= self._retry_at
            and c.auto_recover
            and any(self._streams.is_open(r) for r in ROLES if want[r])
        ):
            # A chosen device was missing and another one plays: look for it again (a sound
            # server back after a crash lists its devices again, a headset plugged back in).
            for role in ROLES:
                self._streams.close(role)
            self._rescan_next = True
        missing = [r for r in ROLES if want[r] and not self._streams.is_open(r)]
        if missing and now >= self._retry_at and (c.auto_recover or self._failed == 0):
            self._open(sd, missing, now)
        for role in ROLES:
            if want[role] or not self._streams.is_open(role):
                self._unwanted_since.pop(role, None)
            elif now - self._unwanted_since.setdefault(role, now) >= c.linger:
                self._streams.close(role)
                self._unwanted_since.pop(role, None)

    def _open(self, sd: object, roles: list[str], now: float) -> None:
        fresh = not self._streams.any_open
        # A device plugged in while idle: PortAudio lists devices once per initialisation.
        # The system default needs no rescan (the sound server routes it), so rescan only
        # when a chosen device is missing, after a failure, or when settings changed.
        named_missing = any(
            "not found" in self._streams.find(sd, r, self._mode).note for r in roles
        )
        if (
            fresh
            and (self._rescan_next or self._failed or named_missing)
            and not self._streams.abandoned
        ):
            try:
                rescan(sd)
            except Exception as exc:
                self._set_status(f"Sound system restart failed ({exc})")
                self._fail(now)
                return
            self._rescan_next = False
        if "play" in roles:
            self.far.clear()
        if "rec" in roles:
            self.mic.clear()
        notes: list[str] = []
        for role in roles:
            notes += self._streams.open(sd, role, self._mode)
            self.opens += 1
        if "ring" in roles and not self._streams.is_open("ring"):
            self._streams.ring_in_playback = True  # no ringer device: ring on the speaker
            notes.append("Ringer: playing the ringtone on the speaker device instead")
            self._wake.set()
        if all(self._streams.find(sd, r, self._mode).index is None for r in roles):
            notes = ["No sound device: calls continue without audio"]
        broken = any(r != "ring" and not self._streams.is_open(r) for r in roles)
        self._fallback = any("not found" in note for note in notes)
        if broken or self._fallback:
            self._fail(now)
        else:
            self._failed = 0
        self._set_status("; ".join(notes) if notes else OK_TEXT)

    def _fail(self, now: float) -> None:
        c = self.config
        wait = min(c.recover_interval * 2 ** min(self._failed, 10), c.recover_max_interval)
        self._failed += 1
        self._retry_at = now + max(c.recover_interval, wait)

    # ---- status -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self._status

    @property
    def ok(self) -> bool:
        return self._status == OK_TEXT

    def on_status(self, callback: Callable[[str], None] | None) -> None:
        """Called with the new text whenever status changes (from the device thread too)."""
        self._status_cb = callback

    def _set_status(self, text: str) -> None:
        changed = text != self._status
        self._status = text
        if changed and self._status_cb is not None:
            with contextlib.suppress(Exception):  # a UI callback must never break audio
                self._status_cb(text)

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

    # ---- local tones and the ringer (the mixer holds them; the device thread opens) ------
    def play_tone(self, spec: ToneSpec) -> None:
        """Replace the local tone (ringback, busy, ...); mixed over far-end audio."""
        self.mix.play_tone(spec)
        self._wake.set()

    def stop_tone(self) -> None:
        self.mix.stop_tone()

    def play_key_tone(self, spec: ToneSpec) -> None:
        """A short overlay (key click, DTMF) that does not replace the running tone."""
        self.mix.play_key_tone(spec)
        self._wake.set()

    @property
    def tone_playing(self) -> bool:
        return self.mix.tone_playing

    @property
    def tone_requested_at(self) -> float | None:
        return self.mix.tone_requested_at

    @property
    def tone_started_at(self) -> float | None:
        return self.mix.tone_started_at

    def wait_tone_started(self, timeout: float) -> float | None:
        """tone_started_at once the callback has taken the new tone's first sample."""
        return self.mix.wait_tone_started(timeout)

    def ring(self, ringtone: Ringtone) -> None:
        self.mix.ring(ringtone)
        self._wake.set()

    def silence(self) -> None:
        self.mix.silence()

    @property
    def ringing(self) -> bool:
        return self.mix.ringing

    @property
    def ring_started_at(self) -> float | None:
        return self.mix.ring_started_at

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
            old, self._mode = self._mode, new
            self.mix.gain = volume_gain(self._volume[new.value])
            sd = self._sd
            if sd is None:
                return
            for role in ("play", "rec"):
                moved = (
                    self._streams.find(sd, role, old).index
                    != self._streams.find(sd, role, new).index
                )
                if moved and self._streams.is_open(role):
                    self._streams.close(role)
            self._reconcile(time.monotonic())

    def set_volume(self, target: str, level: int) -> None:
        if target == "handset":
            target = "headset"
        if target not in VOLUME_TARGETS:
            raise ValueError(f"volume target must be one of {VOLUME_TARGETS}")
        self._volume[target] = max(0, min(15, int(level)))
        self.mix.gain = volume_gain(self._volume[self._mode.value])
        self.mix.ring_gain = volume_gain(self._volume["ringer"])

    def volume(self, target: str) -> int:
        return self._volume["headset" if target == "handset" else target]

    def set_devices(self, handset: str, handsfree: str, ringer: str) -> None:
        """New device choice from settings: what is open reopens on the new devices."""
        with self._lock:
            c = self.config
            c.handset, c.handsfree, c.ringer = handset, handsfree, ringer
            self.recover()
            if not self._streams.any_open:
                self._probe()

    def stats(self) -> BridgeStats:
        s = self._streams
        xruns, bursts = s.counters()
        return BridgeStats(
            self.far.stats(),
            self.mic.stats(),
            s.play_frames // max(1, self.config.blocksize),
            s.measured_rate("play"),
            s.measured_rate("rec"),
            s.callback_seconds,
            dict(s.device_names),
            sum(s.is_open(r) for r in ROLES),
            xruns,
            bursts,
        )

    # ---- StreamHost: PortAudio callbacks ----------------------------------------------
    def fill_playback(self, out: Int16Array, now: float) -> None:
        frames = len(out)
        far = np.empty(frames, dtype=np.int16)
        got = self.far.read_into(far)
        base = far.astype(np.float32) if got else np.zeros(frames, dtype=np.float32)
        self.mix.playback(base, out, now, self._streams.ring_in_playback)

    def fill_ringer(self, out: Int16Array, now: float) -> None:
        self.mix.ringer(out, now)

    def capture(self, samples: Int16Array) -> None:
        self.mic.write(samples)
