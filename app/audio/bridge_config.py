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
    blocksize: int = 160  # samples per device callback (10 ms)
    # PortAudio's device buffer. Through ALSA's pulse plugin a callback later than the buffer
    # is an xrun, and PortAudio's recovery then asks for audio far faster than real time for
    # up to a second and throws it away (measured: docs/audio.md); Pace (pace.py) keeps such
    # a burst from eating tones and the far end. 60 ms: the plugin then wakes every 20 ms
    # (80 ms and more: every 30-40 ms, three blocks at once, which the ring buffers must hold).
    latency: float | str = 0.06
    # Ring buffer depths (samples) aimed at after a drop or a refill, and the drop mark. The
    # far ring is read in device blocks, the microphone ring in pjmedia's 320-sample frames.
    # The margins are the smallest depth left after a read that the drift following keeps
    # (app/audio/ringbuffer.py). Both clocks come in bursts: the pulse plugin wakes every
    # 20-40 ms for two or three blocks, and pjmedia's clock thread catches up late ticks two
    # or three frames at once; 20 ms of margin each way held a 30 s call with no refill under
    # load (10 ms did not: docs/audio.md).
    far_target: int = 480
    far_high_water: int = 1600
    far_margin: int = 320
    mic_target: int = 640
    mic_high_water: int = 1920
    mic_margin: int = 320
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
