"""What the bridge's speaker and ringer play besides the call: the local tone (ringback, busy,
dial), a key tone over it, and the looping ringtone, each synthesised in the device callback.

Set from the engine's thread, read from PortAudio's: each source is one attribute swapped
whole, so a callback sees either the old source or the new one, never half of each.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import numpy.typing as npt

from app.audio.bridge_config import volume_gain
from app.audio.ringtones import Ringtone
from app.audio.tones import ToneSpec, ToneSynth

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float32]


class Mixer:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.gain = volume_gain(8)
        self.ring_gain = volume_gain(8)
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

    # ---- set from the engine ------------------------------------------------------------
    def play_tone(self, spec: ToneSpec) -> None:
        synth = ToneSynth(spec, self.rate)
        self._tone_event.clear()
        self.tone_started_at = None
        self.tone_requested_at = time.monotonic()
        self._tone_pending = True
        self._tone = synth

    def stop_tone(self) -> None:
        self._tone = None
        self._tone_pending = False

    def play_key_tone(self, spec: ToneSpec) -> None:
        self._key_tone = ToneSynth(spec, self.rate)

    def ring(self, ringtone: Ringtone) -> None:
        self._ring_pos = 0
        self.ring_started_at = None
        self._ring_pending = True
        self._ringtone = ringtone

    def silence(self) -> None:
        self._ringtone = None
        self._ring_pending = False

    # ---- state --------------------------------------------------------------------------
    @property
    def tone_playing(self) -> bool:
        tone = self._tone
        return tone is not None and not tone.finished

    @property
    def tone_wanted(self) -> bool:
        """A tone or key tone still has samples to play: the speaker must be open."""
        key = self._key_tone
        return self.tone_playing or (key is not None and not key.finished)

    @property
    def ringing(self) -> bool:
        tone = self._ringtone
        return tone is not None and not tone.silent

    def wait_tone_started(self, timeout: float) -> float | None:
        return self.tone_started_at if self._tone_event.wait(timeout) else None

    # ---- PortAudio callbacks ------------------------------------------------------------
    def playback(self, mix: FloatArray, out: Int16Array, now: float, with_ring: bool) -> None:
        """Add the tones (and the ringtone when it shares the speaker) to `mix`, write `out`."""
        frames = len(out)
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
        mix *= self.gain
        if with_ring:
            mix += self._ring_block(frames, now) * self.ring_gain
        np.clip(mix, -32768, 32767, out=mix)
        out[:] = mix.astype(np.int16)

    def ringer(self, out: Int16Array, now: float) -> None:
        block = self._ring_block(len(out), now) * self.ring_gain
        np.clip(block, -32768, 32767, out=block)
        out[:] = block.astype(np.int16)

    def _ring_block(self, frames: int, now: float) -> FloatArray:
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
