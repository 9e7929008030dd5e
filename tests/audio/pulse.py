"""A private PulseAudio server with null sinks and sine sources, for paced audio tests.

Layout (docs/audio-testing.md §2; sink/source names are ours):
- sinks `spk` (handset), `hf` (hands-free), `ring` (ringer); record them through `<sink>.monitor`;
- the microphones are the monitors of two more null sinks, `micsink` (fed a 1000 Hz sine by
  module-sine) and `mic2sink` (700 Hz): module-sine-source was tried first, but it delivers its
  audio in 2-second bursts, which no real microphone does.
PortAudio sees them through ALSA PCMs defined in our own ALSA config (ALSA_CONFIG_PATH):
`dp_handset`, `dp_handsfree` (playback + capture) and `dp_ringer` (playback only).

`PulseServer(desktop=True)` is set up as a user's machine is instead: no ALSA configuration of
ours (PortAudio's `default` is ALSA's `default`, the pulse plugin), `spk` the default sink and
`micsink.monitor` the default source.

Every null sink gets a listener (parec at 20 ms into /dev/null) for the server's life. A null
sink nobody listens to renders 2 s ahead and a stream joining it waits that block out (measured:
first callback, then 1.9 s of nothing; a sound card's sink rewinds instead, and PipeWire's null
sink starts at once), which would make every on-demand stream start 2 s late in these tests.
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


SINKS = ("spk", "hf", "ring", "micsink", "mic2sink")


class PulseServer:
    def __init__(self, desktop: bool = False) -> None:
        self.desktop = desktop
        self.dir = Path(tempfile.mkdtemp(prefix="deskphone-pulse-"))
        self.runtime = self.dir / "xdg"
        self.runtime.mkdir(mode=0o700)
        self.alsa_conf = self.dir / "asound.conf"
        self.alsa_conf.write_text(ALSA_CONF)
        self.socket = self.runtime / "pulse" / "native"
        self.env = dict(os.environ)
        self.env.update(XDG_RUNTIME_DIR=str(self.runtime), PULSE_SERVER=f"unix:{self.socket}")
        if desktop:
            self.env.pop("ALSA_CONFIG_PATH", None)
        else:
            self.env["ALSA_CONFIG_PATH"] = f"/usr/share/alsa/alsa.conf:{self.alsa_conf}"
        self.env.pop("PULSE_SINK", None)
        self.env.pop("PULSE_SOURCE", None)
        self._listeners: list[subprocess.Popen[bytes]] = []

    def start(self, timeout: float = 10.0) -> None:
        args = ["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--log-target=stderr"]
        args += [f"--load={m}" for m in MODULES]
        subprocess.run(args, env=self.env, timeout=timeout, check=True, capture_output=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ok = subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=5)
            if ok.returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("pulseaudio did not come up")
        if self.desktop:
            self.pactl("set-default-sink", "spk")
            self.pactl("set-default-source", "micsink.monitor")
        self._listen()

    def pactl(self, *args: str) -> str:
        out = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if out.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout

    def add_sink(self, name: str) -> None:
        """A sink that appears later (a headset plugged in), listened to like the others."""
        self.pactl("load-module", "module-null-sink", f"sink_name={name}")
        self._listen([name])

    def clients_streams(self) -> tuple[list[str], list[str]]:
        """(sink inputs, source outputs) of clients other than our own listeners/recorders."""
        ours = {"parec", "pacat"}  # parec is pacat under another name
        inputs = self.pactl("list", "sink-inputs")
        outputs = self.pactl("list", "source-outputs")
        return _streams_not_of(inputs, ours), _streams_not_of(outputs, ours)

    def _listen(self, sinks: tuple[str, ...] | list[str] = SINKS) -> None:
        for sink in sinks:
            self._listeners.append(
                subprocess.Popen(
                    ["parec", "-d", f"{sink}.monitor", "--latency-msec=20", "--raw"],
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(2.2)  # the sinks' last 2 s block ends; from now on they render in 20 ms

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
        for proc in self._listeners:
            proc.kill()
            proc.wait(5)
        self._listeners.clear()
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


def _streams_not_of(listing: str, binaries: set[str]) -> list[str]:
    """Blocks of `pactl list sink-inputs/source-outputs` opened by a client program other than
    ours (module-sine's inputs have no client program and are part of the server)."""
    blocks = [b for b in listing.split("\n\n") if b.strip()]
    keep = []
    for block in blocks:
        binary = ""
        for line in block.splitlines():
            if "application.process.binary" in line:
                binary = line.split("=", 1)[1].strip().strip('"')
        if binary and binary not in binaries:
            keep.append(f"{block.splitlines()[0]} ({binary})")
    return keep


def apply_env(server: PulseServer) -> dict[str, str | None]:
    """Point this process (PortAudio/ALSA/pulse client) at the server; return what to restore."""
    saved: dict[str, str | None] = {}
    for key in ("XDG_RUNTIME_DIR", "PULSE_SERVER", "ALSA_CONFIG_PATH"):
        saved[key] = os.environ.get(key)
        if key in server.env:
            os.environ[key] = server.env[key]
        else:
            os.environ.pop(key, None)
    if "sounddevice" in sys.modules:  # PortAudio already listed devices: list them again
        from app.audio.devices import rescan

        rescan(sys.modules["sounddevice"])
    return saved
