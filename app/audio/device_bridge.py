"""The device side of the audio bridge: sounddevice streams <-> pjmedia's conference.

Threads:
- PortAudio's playback callback ticks pjmedia's conference once per 20 ms block while a call
  exists (app/audio/conference_clock.py): the microphone frame goes in, what the call plays
  comes out, the local tones are mixed over it and it goes straight to the device. No buffer
  between pjmedia and the speaker, one clock for both.
- The microphone stream has no callback: the playback callback pulls what it captured into
  the microphone ring right before each tick (app/audio/streams.py StreamSet.pull), so no
  thread of ours wakes for the microphone.
- The ringer's callback loops the ringtone (app/audio/streams.py; every stream is paced
  against wall time by app/audio/pace.py).
- The device thread opens and closes streams on demand (app/audio/stream_keeper.py).
Nothing here raises because of a missing or failing device: audio is dropped and `status` says why.
"""

from __future__ import annotations

import contextlib
import ctypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.audio.bridge_config import FRAME_BYTES, FRAME_SAMPLES, RATE, BridgeConfig, Mode
from app.audio.bridge_config import volume_gain as volume_gain
from app.audio.devices import load_sounddevice
from app.audio.mixer import Mixer
from app.audio.pcm import byte_view, scale
from app.audio.ringbuffer import RingStats, SampleRing
from app.audio.ringtones import Ringtone
from app.audio.stream_keeper import NO_DEVICE_TEXT, OK_TEXT, StreamKeeper
from app.audio.streams import ROLES, StreamSet
from app.audio.tones import ToneSpec

__all__ = ["FRAME_BYTES", "OK_TEXT", "BridgeConfig", "DeviceBridge", "Mode", "volume_gain"]

VOLUME_TARGETS = ("headset", "speaker", "ringer")


class Clock(Protocol):
    """pjmedia's conference as the playback callback ticks it (ConferenceClock)."""

    mic_source: Callable[[int], None] | None

    def device_tick(self, mic: int, out: int) -> bool | None: ...


@dataclass(frozen=True)
class BridgeStats:
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
    def __init__(self, config: BridgeConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or BridgeConfig()
        c = self.config
        self.mic = SampleRing(
            RATE,
            c.mic_target,
            c.mic_high_water,
            margin=c.mic_margin,
            follow_drift=True,
            slack=c.mic_slack,
            tolerate=c.mic_tolerate,
        )
        self.mix = Mixer(RATE)
        self._mode = Mode.HEADSET
        self._volume = {"headset": 8, "speaker": 8, "ringer": 8}
        self._mic_muted = False
        self._held = False
        self._status = "Audio not started"
        self._status_cb: Callable[[str], None] | None = None
        # One conference frame each way, at fixed addresses handed to pjmedia.
        self._mic_frame = ctypes.create_string_buffer(FRAME_BYTES)
        self._far_frame = ctypes.create_string_buffer(FRAME_BYTES)
        self._mic_addr = ctypes.addressof(self._mic_frame)
        self._far_addr = ctypes.addressof(self._far_frame)
        self._mic_view = byte_view(self._mic_frame)
        self._far_view = byte_view(self._far_frame)
        self._sd, self._sd_error = load_sounddevice()
        self._streams = StreamSet(self, c)
        self._keeper = (
            StreamKeeper(self._sd, self._streams, c, self, self._set_status)
            if self._sd is not None
            else None
        )
        self._clock = clock
        if clock is not None:
            clock.mic_source = self._mic_into

    # ---- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Look the devices up (nothing is opened) and start the device thread. Never raises."""
        if self._keeper is None:
            self._set_status(f"No sound: {self._sd_error}; calls continue without audio")
            return
        self._keeper.start()

    def close(self) -> None:
        if self._clock is not None:
            self._clock.mic_source = None
        keeper = self._keeper
        if keeper is None:
            return
        keeper.stop()
        # A sound server that dies mid-call can leave a PortAudio call hanging in the device
        # thread: never wait for it forever.
        if not keeper.lock.acquire(timeout=5.0):
            self._set_status("Audio close timed out: a sound device hung")
            return
        try:
            self._streams.close_all()
            self._set_status("Audio closed")
        finally:
            keeper.lock.release()

    def hold(self, on: bool) -> None:
        """Keep the call's speaker and microphone open (a call, the dial screen) or let go."""
        if on != self._held:
            self._held = on
            self._wake()

    def wait_running(self, timeout: float) -> bool:
        """Wait until every wanted stream is open and delivers callbacks."""
        deadline = time.monotonic() + timeout
        while True:
            want = self._keeper.want() if self._keeper else {}
            done = all(self._streams.running(r) for r in ROLES if want.get(r))
            if done or time.monotonic() > deadline:
                return done
            time.sleep(0.01)

    def recover(self) -> bool:
        """Close everything, rescan devices and reopen what is wanted; True when all works."""
        if self._keeper is not None:
            self._keeper.recover()
        return self.ok

    def _wake(self) -> None:
        if self._keeper is not None:
            self._keeper.wake()

    @property
    def opens(self) -> int:
        return self._keeper.opens if self._keeper else 0

    # ---- Demand: what the device thread reads ------------------------------------------
    @property
    def held(self) -> bool:
        return self._held

    @property
    def tone_wanted(self) -> bool:
        return self.mix.tone_wanted

    def opening(self, roles: list[str]) -> None:
        if "rec" in roles:
            self.mic.clear()  # no stale microphone audio from the last stream

    # ---- status -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self._status

    @property
    def ok(self) -> bool:
        return self._status == OK_TEXT

    @property
    def no_device(self) -> bool:
        return self._status == NO_DEVICE_TEXT or self._keeper is None

    def on_status(self, callback: Callable[[str], None] | None) -> None:
        """Called with the new text whenever status changes (from the device thread too)."""
        self._status_cb = callback

    def _set_status(self, text: str) -> None:
        changed = text != self._status
        self._status = text
        if changed and self._status_cb is not None:
            with contextlib.suppress(Exception):  # a UI callback must never break audio
                self._status_cb(text)

    # ---- the microphone ----------------------------------------------------------------
    def set_mic_muted(self, muted: bool) -> None:
        self._mic_muted = muted

    def _mic_into(self, address: int) -> None:
        """The next microphone frame at `address` (the fallback clock's ticks)."""
        now = time.monotonic()
        self._streams.pull(now)
        frame = byte_view((ctypes.c_char * FRAME_BYTES).from_address(address))
        self._read_mic(frame, now + self.config.mic_wait)

    def _read_mic(self, frame: memoryview, until: float) -> None:
        if not self._streams.capturing:
            frame[:] = bytes(len(frame))
            return
        short = 0 if self.mic.refilling else FRAME_SAMPLES - self.mic.depth
        if short > 0:
            self._await_mic(short, until)
        self.mic.read_into(frame, max(0, short))
        if self._mic_muted:  # read all the same: unmuted, the far end hears now, not then
            frame[:] = bytes(len(frame))

    def _await_mic(self, short: int, deadline: float) -> None:
        """The frame is due and the microphone has not delivered all of it: wait for it until
        `deadline` rather than keep a standing margin of audio for such moments on every
        frame (docs/audio.md §8). Sleeps as long as the missing samples take to come."""
        while short > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return  # the ring underruns and refills, as it did with no wait
            time.sleep(min(left, max(0.001, short / RATE)))
            if self._streams.pull(time.monotonic()) < 0 and not self._streams.capturing:
                return  # closed or lost meanwhile: nothing more will come
            short = FRAME_SAMPLES - self.mic.depth

    # ---- local tones and the ringer (the mixer holds them; the device thread opens) ------
    def play_tone(self, spec: ToneSpec) -> None:
        """Replace the local tone (ringback, busy, ...); mixed over far-end audio."""
        self.mix.play_tone(spec)
        self._wake()

    def stop_tone(self) -> None:
        self.mix.stop_tone()

    def play_key_tone(self, spec: ToneSpec) -> None:
        """A short overlay (key click, DTMF) that does not replace the running tone."""
        self.mix.play_key_tone(spec)
        self._wake()

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
        self._wake()

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
        if new == self._mode:
            return
        old, self._mode = self._mode, new
        self.mix.gain = volume_gain(self._volume[new.value])
        if self._keeper is not None:
            self._keeper.reroute(old, new)

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
        c = self.config
        c.handset, c.handsfree, c.ringer = handset, handsfree, ringer
        keeper = self._keeper
        if keeper is None:
            return
        with keeper.lock:
            keeper.recover()
            if not self._streams.any_open:
                keeper.probe()

    def stats(self) -> BridgeStats:
        s = self._streams
        xruns, bursts = s.counters()
        return BridgeStats(
            self.mic.stats(),
            s.play_frames // FRAME_SAMPLES,
            s.measured_rate("play"),
            s.measured_rate("rec"),
            s.callback_seconds,
            dict(s.device_names),
            sum(s.is_open(r) for r in ROLES),
            xruns,
            bursts,
        )

    # ---- StreamHost: PortAudio callbacks ----------------------------------------------
    def fill_playback(self, out: memoryview, now: float, due: float) -> None:
        """One block (one conference frame) for the speaker, which plays it at `due`: the
        call's audio, ticked out of pjmedia now, with the local tones over it."""
        got = False
        clock = self._clock
        c = self.config
        self._streams.pull(now)  # drained on every block: no stale audio waits in it
        if clock is not None and len(out) == FRAME_BYTES:
            # A wait for the microphone never eats into what keeps the speaker playing: a
            # callback that came late (a loaded machine) has less time to wait, or none.
            self._read_mic(self._mic_view, min(now + c.mic_wait, due - c.play_reserve))
            got = bool(clock.device_tick(self._mic_addr, self._far_addr))
        with_ring = self._streams.ring_in_playback
        if self.mix.busy(with_ring):
            self.mix.playback(self._far_view if got else None, out, now, with_ring)
        elif not got:
            out[:] = bytes(len(out))
        else:
            out[:] = scale(self._far_view, self.mix.gain)

    def fill_ringer(self, out: memoryview, now: float) -> None:
        self.mix.ringer(out, now)

    def capture(self, samples: memoryview) -> None:
        self.mic.write(samples)
