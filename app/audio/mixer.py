"""What the bridge's speaker and ringer play besides the call: the local tone (ringback, busy,
dial), a key tone over it, and the looping ringtone, each synthesised in the device callback.

Set from the engine's thread, read from PortAudio's: each source is one attribute swapped
whole, so a callback sees either the old source or the new one, never half of each.
"""

from __future__ import annotations

import threading
import time

from app.audio.bridge_config import volume_gain
from app.audio.pcm import WIDTH, Pcm, add, scale
from app.audio.ringtones import Ringtone
from app.audio.tone_synth import ToneSynth
from app.audio.tones import ToneSpec


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

    def busy(self, with_ring: bool) -> bool:
        """Something of ours goes into the speaker now (a tone, a key tone, the ringtone when
        it shares the speaker): the playback callback mixes (else it only copies)."""
        ring = self._ringtone
        return (
            self._tone is not None
            or self._key_tone is not None
            or (with_ring and ring is not None and not ring.silent)
        )

    def wait_tone_started(self, timeout: float) -> float | None:
        return self.tone_started_at if self._tone_event.wait(timeout) else None

    # ---- PortAudio callbacks ------------------------------------------------------------
    def playback(self, far: Pcm | None, out: memoryview, now: float, with_ring: bool) -> None:
        """Write to `out` the call's audio `far` (None: none) with the tones over it, all at the
        speaker's gain, and the ringtone at the ringer's when it shares the speaker."""
        frames = len(out) // WIDTH
        gain = self.gain
        mix = scale(far, gain) if far is not None else bytes(len(out))
        tone = self._tone
        if tone is not None:
            if self._tone_pending:
                self._tone_pending = False
                self.tone_started_at = now
                self._tone_event.set()
            mix = add(mix, scale(tone.read(frames), gain))
            if tone.finished and self._tone is tone:
                self._tone = None
        key = self._key_tone
        if key is not None:
            mix = add(mix, scale(key.read(frames), gain))
            if key.finished and self._key_tone is key:
                self._key_tone = None
        if with_ring:
            mix = add(mix, scale(self._ring_block(frames, now), self.ring_gain))
        out[:] = mix

    def ringer(self, out: memoryview, now: float) -> None:
        out[:] = scale(self._ring_block(len(out) // WIDTH, now), self.ring_gain)

    def _ring_block(self, frames: int, now: float) -> bytes:
        tone = self._ringtone
        if tone is None or tone.silent:
            return bytes(WIDTH * frames)
        if self._ring_pending:
            self._ring_pending = False
            self.ring_started_at = now
        pcm = tone.pcm
        n = len(pcm) // WIDTH
        pos = self._ring_pos
        self._ring_pos = (pos + frames) % n
        if pos + frames <= n:
            return pcm[WIDTH * pos : WIDTH * (pos + frames)]
        parts = []  # the cycle ends inside this block (once, or often for a very short file)
        while frames > 0:
            take = min(frames, n - pos)
            parts.append(pcm[WIDTH * pos : WIDTH * (pos + take)])
            frames -= take
            pos = (pos + take) % n
        return b"".join(parts)
