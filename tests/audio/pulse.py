"""A private PulseAudio server with null sinks and sine sources, for paced audio tests.

Layout (docs/audio-testing.md §2; sink/source names are ours):
- sinks `spk` (handset), `hf` (hands-free), `ring` (ringer); record them through `<sink>.monitor`;
- the microphones are the monitors of two more null sinks, `micsink` (fed a 1000 Hz sine by
  module-sine) and `mic2sink` (700 Hz): module-sine-source was tried first, but it delivers its
  audio in 2-second bursts, which no real microphone does.
PortAudio sees them through ALSA PCMs defined in our own ALSA config (ALSA_CONFIG_PATH):
`dp_handset`, `dp_handsfree` (playback + capture) and `dp_ringer` (playback only).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 16000
ALSA_CONF = """
pcm.dp_handset {
    type asym
    playback.pcm { type pulse; device "spk" }
    capture.pcm { type pulse; device "micsink.monitor" }
    hint { show on; description "DeskPhone test handset" }
}
pcm.dp_handsfree {
    type asym
    playback.pcm { type pulse; device "hf" }
    capture.pcm { type pulse; device "mic2sink.monitor" }
    hint { show on; description "DeskPhone test hands-free" }
}
pcm.dp_ringer {
    type pulse
    device "ring"
    hint { show on; description "DeskPhone test ringer" }
}
"""
MODULES = [
    "module-native-protocol-unix",
    "module-null-sink sink_name=spk",
    "module-null-sink sink_name=hf",
    "module-null-sink sink_name=ring",
    "module-null-sink sink_name=micsink",
    "module-null-sink sink_name=mic2sink",
    "module-sine sink=micsink frequency=1000",
    "module-sine sink=mic2sink frequency=700",
]


class PulseServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="deskphone-pulse-"))
        self.runtime = self.dir / "xdg"
        self.runtime.mkdir(mode=0o700)
        self.alsa_conf = self.dir / "asound.conf"
        self.alsa_conf.write_text(ALSA_CONF)
        self.socket = self.runtime / "pulse" / "native"
        self.env = dict(os.environ)
        self.env.update(
            XDG_RUNTIME_DIR=str(self.runtime),
            PULSE_SERVER=f"unix:{self.socket}",
            ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{self.alsa_conf}",
        )
        self.env.pop("PULSE_SINK", None)
        self.env.pop("PULSE_SOURCE", None)

    def start(self, timeout: float = 10.0) -> None:
        args = ["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--log-target=stderr"]
        args += [f"--load={m}" for m in MODULES]
        subprocess.run(args, env=self.env, timeout=timeout, check=True, capture_output=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ok = subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=5)
            if ok.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("pulseaudio did not come up")

    def pid(self) -> int | None:
        try:
            return int((self.runtime / "pulse" / "pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """Stop the server hard (as a crashing sound server would) and wait for it to go."""
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        (self.runtime / "pulse" / "pid").unlink(missing_ok=True)

    def cleanup(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def record(self, source: str, seconds: float) -> Recording:
        return Recording(self, source, seconds)


class Recording:
    """`parec` of one source into a WAV, stopped after at most `seconds` (+ a margin)."""

    def __init__(self, server: PulseServer, source: str, seconds: float) -> None:
        self.path = server.dir / f"{source}-{time.monotonic_ns()}.wav"
        self.seconds = seconds
        self.proc = subprocess.Popen(
            [
                *("parec", "-d", source, "--latency-msec=20", "--format=s16le"),
                *(f"--rate={RATE}", "--channels=1", "--file-format=wav", str(self.path)),
            ],
            env=server.env,
            stderr=subprocess.DEVNULL,
        )
        self.started = time.monotonic()
        self.wall = 0.0

    def stop(self) -> npt.NDArray[np.int16]:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.wall = time.monotonic() - self.started
        with wave.open(str(self.path), "rb") as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def apply_env(server: PulseServer) -> dict[str, str | None]:
    """Point this process (PortAudio/ALSA/pulse client) at the server; return what to restore."""
    saved: dict[str, str | None] = {}
    for key in ("XDG_RUNTIME_DIR", "PULSE_SERVER", "ALSA_CONFIG_PATH"):
        saved[key] = os.environ.get(key)
        os.environ[key] = server.env[key]
    if "sounddevice" in sys.modules:  # PortAudio already listed devices: list them again
        from app.audio.devices import rescan

        rescan(sys.modules["sounddevice"])
    return saved
