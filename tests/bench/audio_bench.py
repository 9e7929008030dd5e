"""Audio bridge benchmark on a private PulseAudio null sink (run from the repo root):

    python tests/bench/audio_bench.py [--seconds 10] [--starts 40]

Prints: tone start -> first sample handed to PortAudio (median, p95); ring buffer added latency
each way with drops/insertions; CPU of the process while the bridge plays a tone and far-end
audio and hands microphone frames over; the device's real pace against 16 kHz.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.audio.device_bridge import BridgeConfig, DeviceBridge  # noqa: E402
from app.audio.ringbuffer import RingStats  # noqa: E402
from app.audio.tone_plan import tone_for  # noqa: E402
from tests.audio.pulse import PulseServer, apply_env  # noqa: E402


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def drops(s: RingStats) -> str:
    return f"{s.overruns} ({s.dropped} samples) / {s.underruns} ({s.inserted} samples)"


def tone_starts(bridge: DeviceBridge, count: int) -> list[float]:
    spec = tone_for("United States", "ring")
    delays = []
    for _ in range(count):
        time.sleep(random.uniform(0.05, 0.1))
        bridge.play_tone(spec)
        started = bridge.wait_tone_started(1.0)
        assert started is not None and bridge.tone_requested_at is not None, bridge.status
        delays.append(1000 * (started - bridge.tone_requested_at))
        bridge.stop_tone()
    return delays


def paced_call(bridge: DeviceBridge, seconds: float) -> tuple[float, float]:
    """pjmedia-like 20 ms clock: write a far-end frame and read a mic frame each tick.

    Returns (process CPU % of one core, wall seconds)."""
    frame = bytes(range(256)) * 2 + bytes(128)  # 640 bytes, not silence
    stop = threading.Event()

    def clock() -> None:
        next_at = time.monotonic()
        while not stop.is_set():
            bridge.write_far_end(frame)
            bridge.read_mic()
            next_at += 0.02
            time.sleep(max(0.0, next_at - time.monotonic()))

    bridge.play_tone(tone_for("United States", "ring"))
    bridge.far.reset_stats()
    bridge.mic.reset_stats()
    cpu0, wall0 = time.process_time(), time.monotonic()
    thread = threading.Thread(target=clock, daemon=True)
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    bridge.stop_tone()
    return 100 * cpu / wall, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--starts", type=int, default=40)
    ap.add_argument("--blocksize", type=int, default=320)
    args = ap.parse_args()
    server = PulseServer()
    server.start()
    apply_env(server)
    bridge = DeviceBridge(
        BridgeConfig(
            handset="dp_handset",
            handsfree="dp_handsfree",
            ringer="dp_ringer",
            blocksize=args.blocksize,
        )
    )
    try:
        bridge.start()
        bridge.hold(True)  # a call: speaker and microphone open (they open on demand)
        bridge.wait_running(8.0)
        time.sleep(1.0)
        cb0 = bridge.stats().callback_seconds
        delays = tone_starts(bridge, args.starts)
        before = bridge.stats().play_callbacks
        cpu, wall = paced_call(bridge, args.seconds)
        st = bridge.stats()
        pace = (st.play_callbacks - before) * args.blocksize / wall
        cb_share = 100 * (st.callback_seconds - cb0) / (wall + sum(delays) / 1000)
        rows = [
            ("status", bridge.status),
            ("device block", f"{args.blocksize} samples ({args.blocksize / 16:.0f} ms)"),
            (
                "tone start -> first sample to PortAudio, median",
                f"{statistics.median(delays):.1f} ms",
            ),
            ("tone start -> first sample to PortAudio, p95", f"{p95(delays):.1f} ms"),
            (
                "far-end ring latency mean / p95",
                f"{st.far.mean_latency_ms:.1f} / {st.far.p95_latency_ms:.1f} ms",
            ),
            (
                "far-end drops / silence insertions",
                drops(st.far),
            ),
            (
                "mic ring latency mean / p95",
                f"{st.mic.mean_latency_ms:.1f} / {st.mic.p95_latency_ms:.1f} ms",
            ),
            (
                "mic drops / silence insertions",
                drops(st.mic),
            ),
            (
                "playback device pace",
                f"{pace:.0f} samples/s ({100 * pace / 16000:.1f} % of 16000) during the call",
            ),
            (
                "capture device pace",
                f"{st.mic_rate:.0f} samples/s ({100 * st.mic_rate / 16000:.1f} % of 16000)",
            ),
            ("process CPU during a paced call", f"{cpu:.1f} % of one core over {wall:.1f} s"),
            ("time inside bridge callbacks", f"{cb_share:.2f} % of wall time"),
        ]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
    finally:
        bridge.close()
        server.cleanup()


if __name__ == "__main__":
    main()
