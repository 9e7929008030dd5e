"""What the audio bridge is set up with: its sample format, device choice, buffer depths and the
timings of opening, closing and recovering devices. Shared by the bridge and its streams."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

RATE = 16000
FRAME_SAMPLES = 320  # 20 ms, pjmedia's frame
FRAME_BYTES = 2 * FRAME_SAMPLES


class Mode(StrEnum):
    HEADSET = "headset"  # handset or headset: the handset device
    SPEAKER = "speaker"  # hands-free device


@dataclass
class BridgeConfig:
    handset: str = ""  # device names as PortAudio lists them; "" = system default
    handsfree: str = ""
    ringer: str = ""
    handset_mic: str | None = None  # None: the input side of `handset`
    handsfree_mic: str | None = None
    # PortAudio's device buffer. Through ALSA's pulse plugin a callback later than the buffer
    # is an xrun, and PortAudio's recovery then asks for audio far faster than real time for
    # up to a second and throws it away (measured: docs/audio.md); Pace (pace.py) keeps such
    # a burst from eating tones and from ticking the conference too fast. Every stream's block
    # is one conference frame (20 ms); with a 60 ms buffer the plugin wakes once per block.
    latency: float | str = 0.06
    # The microphone ring between the pulled microphone and the playback callback, which
    # takes one frame per conference tick (app/audio/ringbuffer.py): the depth aimed at after
    # a refill, the drop mark, the margin (depth left after a read) that the drift following
    # keeps and the slack above it before samples are left out. A tick that finds less than a
    # frame waits for the microphone, `mic_wait` at most (a fraction of the 60 ms device
    # buffer, and more than the test rig's monitor source is ever late: 20 ms), and
    # `mic_tolerate` of a second's ticks may wait without the ring keeping more audio for
    # them. With a standing margin instead (no wait), 80 samples ran dry on the monitor 1 call
    # in 2 over 30 s and 160 held, at 26 ms mean against 16 ms this way (docs/audio.md §8).
    mic_target: int = 640
    mic_high_water: int = 1600
    mic_margin: int = 32
    mic_slack: int = 32
    mic_tolerate: float = 0.15
    mic_wait: float = 0.03
    # What a wait for the microphone leaves of the time until the block plays: the rest of
    # the tick, and a sleep that wakes late on a loaded machine (docs/audio.md §8).
    play_reserve: float = 0.03
    # The microphone stream is pulled by the playback callback (no callback of its own), so
    # its blocks can be small at no cost in wake-ups of ours: the newest audio then reaches
    # the tick within a few ms of the source delivering it (docs/audio.md §8).
    mic_block: int = 80
    mic_latency: float = 0.02
    monitor_interval: float = 0.25  # health checks while a stream is open
    stall_timeout: float = 3.0  # no callback for this long on a running stream: device lost
    linger: float = 2.0  # s a stream stays open after the last thing that needed it
    auto_recover: bool = True
    recover_interval: float = 2.0  # first retry; doubles while nothing works
    recover_max_interval: float = 30.0  # a device plugged in is found within this


def volume_gain(level: int) -> float:
    """Phone volume 0–15 to a linear gain: 0 mutes, 11 is unity, 1.5 dB per step."""
    level = max(0, min(15, int(level)))
    return 0.0 if level == 0 else float(10 ** ((level - 11) * 1.5 / 20))
