"""Rows measured on a private PulseAudio (tests/audio/pulse.py): 180 → ringback sample, one
call's CPU and memory (DeskPhone's engine beside baresip), the bridge's added latency each way.

The engine is the real process with its sound devices on the server's null sinks; the figures
come from tests/bench/ringback_bench.py. Without `pulseaudio` the rows say so and are skipped.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.audio.engine_rig import engine_with_pulse, wait_audio_ok
from tests.audio.pulse import PulseServer, apply_env
from tests.bench.baresip_call import baresip_call
from tests.bench.ringback_bench import echo_call, ringback_starts
from tests.bench.table import Row, compared, cpu_over, failed, median, pct


def _skipped(note: str) -> list[Row]:
    return [
        Row(name, "skipped", note)
        for name in (
            "180 received → first ringback sample to PortAudio",
            "CPU and memory during one call",
            "bridge added latency each way",
        )
    ]


def _deskphone(work: Path, server: PulseServer, calls: int, seconds: float) -> dict[str, Any]:
    config = work / "config"
    config.mkdir()
    with engine_with_pulse(config, server) as (engine, client):
        state = wait_audio_ok(client)
        if not state["ok"]:
            raise RuntimeError(f"the engine's sound devices did not start: {state}")
        assert engine.proc is not None
        pid = engine.proc.pid
        time.sleep(4.0)  # PulseAudio's start-up stall (ringback_bench.py) is not idle
        idle_cpu, idle_rss = cpu_over(pid, 3.0)
        delays = ringback_starts(client, calls)
        call = echo_call(client, pid, work / "sipp", seconds)
    return {"delays": delays, "call": call, "idle": (idle_cpu, idle_rss)}


def bench_call(calls: int, seconds: float) -> list[Row]:
    if shutil.which("pulseaudio") is None:
        return _skipped("pulseaudio is not installed (apt install pulseaudio)")
    server = PulseServer()
    server.start()
    apply_env(server)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-call-") as tmp:
            work = Path(tmp)
            ours = _deskphone(work, server, calls, seconds)
            theirs: tuple[float, int] | None = None
            note = ""
            try:
                theirs = baresip_call(work, server, seconds)
            except Exception as exc:  # the reference is optional
                note = f"; baresip: {failed('', exc).notes}"
    finally:
        server.cleanup()
    return _rows(ours, theirs, seconds, note)


def _rows(
    ours: dict[str, Any], theirs: tuple[float, int] | None, seconds: float, note: str
) -> list[Row]:
    delays: list[float] = ours["delays"]
    call = ours["call"]
    st = call["state"]
    idle_cpu, idle_rss = ours["idle"]
    ms = "{:.1f} ms".format
    return [
        Row(
            "180 received → first ringback sample to PortAudio",
            f"{ms(median(delays))} median",
            f"p95 {ms(pct(delays, 0.95))}, {len(delays)} calls; 180 sent on loopback by an "
            "in-process UAS, sample time from the engine's PortAudio callback",
        ),
        compared(
            "CPU during one call (echoed G.711 audio)",
            call["cpu"],
            theirs[0] if theirs else None,
            "{:.1f} % of a core".format,
            f"over {seconds:.0f} s, same PulseAudio null sinks and SIPp -rtp_echo peer; "
            f"DeskPhone engine idle with devices open {idle_cpu:.1f} %" + note,
        ),
        compared(
            "memory (RSS) during one call",
            call["rss"] / 1024,
            theirs[1] / 1024 if theirs else None,
            "{:.1f} MiB".format,
            f"DeskPhone: engine process only (idle {idle_rss / 1024:.1f} MiB); the Qt window "
            "is another process",
        ),
        Row(
            "bridge added latency, far end → speaker",
            f"{st['far_ms'][0]:.1f} ms mean",
            f"p95 {st['far_ms'][1]:.1f} ms (ring buffer depth after each write); "
            f"drops / refills {_pair(st['far_drops'])}",
        ),
        Row(
            "bridge added latency, microphone → pjmedia",
            f"{st['mic_ms'][0]:.1f} ms mean",
            f"p95 {st['mic_ms'][1]:.1f} ms; drops / refills {_pair(st['mic_drops'])}; "
            f"port callback {call['port_us']:.1f} µs per frame",
        ),
    ]


def _pair(value: Any) -> str:
    return " / ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
