"""Child process for the device-loss test: a DeviceBridge driven over stdin/stdout.

When the sound server dies under an open stream, PortAudio's ALSA thread can spin forever
writing to stderr (tests/audio/README.md). In the pytest process that thread would outlive the
test and flood the run's output, so the bridge lives here and dies with this process.
Commands on stdin, one per line: `start`, `play HZ`, `wait_lost`, `wait_ok`, `quit`.
"""

from __future__ import annotations

import os
import sys
import time

from app.audio.device_bridge import BridgeConfig, DeviceBridge
from app.audio.tones import parse_tone


def _wait(bridge: DeviceBridge, ok: bool, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while bridge.ok != ok and time.monotonic() < deadline:
        time.sleep(0.1)
    return bridge.ok == ok


def main() -> None:
    bridge = DeviceBridge(
        BridgeConfig(handset="dp_handset", ringer="dp_ringer", recover_interval=1.0)
    )
    seen: list[str] = []
    bridge.on_status(seen.append)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "start":
            bridge.start()
            reply = f"ok {_wait(bridge, True, 8)}"
        elif cmd == "play":
            bridge.play_tone(parse_tone(f"{arg}/1000"))
            reply = f"ok {bridge.wait_running(8)}"  # the tone opens the speaker on demand
        elif cmd == "wait_lost":
            lost = _wait(bridge, False, 10)
            bridge.write_far_end(bytes(640))  # must not raise while lost
            reply = f"ok {lost and bridge.read_mic() == bytes(640)} {bridge.status!r}"
        elif cmd == "wait_ok":
            reply = f"ok {_wait(bridge, True, 15)} {bridge.status!r}"
        elif cmd == "seen":
            reply = f"ok {any('stopped' in s or 'stalled' in s for s in seen)} {seen!r}"
        else:
            break
        print(reply, flush=True)
    sys.stdout.flush()
    os._exit(0)  # a stuck PortAudio thread must not keep the process alive


if __name__ == "__main__":
    main()
