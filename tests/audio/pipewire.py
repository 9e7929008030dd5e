"""A private PipeWire (pipewire + wireplumber + pipewire-pulse) set up as a desktop has it:
PortAudio's `default` is ALSA's `default`, the pulse plugin, here talking to pipewire-pulse.

Runs headless with its own XDG_RUNTIME_DIR and a private D-Bus session bus (wireplumber wants
one). The default sink is a null sink `spk`, recorded through `spk.monitor` with parec.
Debian packages: pipewire pipewire-pulse wireplumber dbus (tests skip without them).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.audio.pulse import PulseServer

TOOLS = ("pipewire", "wireplumber", "pipewire-pulse", "dbus-daemon", "pactl", "parec")


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


class PipeWireServer(PulseServer):
    """Same interface as PulseServer (env, record, pactl, clients_streams, cleanup)."""

    def __init__(self) -> None:
        super().__init__(desktop=True)
        home = self.dir / "home"
        home.mkdir(mode=0o700)
        bus = self.runtime / "bus"
        # pipewire-pulse's socket, where a desktop's clients find it through XDG_RUNTIME_DIR;
        # named here because the engine harness starts from this process's environment, where
        # another test's PulseAudio may be named.
        self.env["PULSE_SERVER"] = f"unix:{self.runtime}/pulse/native"
        self.env.update(
            HOME=str(home),
            PIPEWIRE_RUNTIME_DIR=str(self.runtime),
            DBUS_SESSION_BUS_ADDRESS=f"unix:path={bus}",
        )
        self._bus = bus
        self._procs: list[subprocess.Popen[bytes]] = []

    def start(self, timeout: float = 15.0) -> None:
        self._spawn(["dbus-daemon", "--session", "--nofork", f"--address=unix:path={self._bus}"])
        self._wait_for(lambda: self._bus.exists(), timeout, "dbus-daemon")
        self._spawn(["pipewire"])
        self._wait_for(lambda: (self.runtime / "pipewire-0").exists(), timeout, "pipewire")
        self._spawn(["wireplumber"])
        self._spawn(["pipewire-pulse"])
        self._wait_for(self._pulse_up, timeout, "pipewire-pulse")
        self.pactl("load-module", "module-null-sink", "sink_name=spk")
        self._wait_for(lambda: "spk" in self.pactl("list", "short", "sinks"), timeout, "spk")
        # pipewire-pulse refuses a default sink ("Not supported") until wireplumber has set up
        # the default-nodes metadata, which can come after the sink (seen once in CI): retry.
        self._wait_for(self._default_is_spk, timeout, "the default sink")

    def _default_is_spk(self) -> bool:
        try:
            self.pactl("set-default-sink", "spk")
            return self.pactl("get-default-sink").strip() == "spk"
        except RuntimeError:
            return False

    def _spawn(self, argv: list[str]) -> None:
        log = open(self.dir / f"{argv[0]}.log", "wb")  # noqa: SIM115 (lives with the process)
        self._procs.append(
            subprocess.Popen(argv, env=self.env, stdout=log, stderr=log, start_new_session=True)
        )

    def _pulse_up(self) -> bool:
        out = subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=5)
        return out.returncode == 0 and b"PipeWire" in out.stdout

    @staticmethod
    def _wait_for(check: object, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if callable(check) and check():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{what} did not come up")

    def pid(self) -> int | None:
        return None

    def kill(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self._procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self._procs.clear()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-800:] for p in Path(self.dir).glob("*.log"))
