"""The engine's audio state as published to the UI ("audio" events) and read by the bench:
status, mode and volumes, the conference clock, and, once sound has loaded, the bridge's
measurements (microphone ring latency and drops, device xruns, callback time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.audio.conference_clock import ConferenceClock

if TYPE_CHECKING:
    from app.audio.device_bridge import DeviceBridge

NOT_LOADED_TEXT = "Sound loads when first needed"


def is_ok(status: str) -> bool:
    """The bridge's "all well" words; stream_keeper brings the stream code, so it is imported
    once a status is there to compare, not at start-up (docs/footprint.md §2)."""
    from app.audio.stream_keeper import OK_TEXT

    return status == OK_TEXT


def audio_state(
    problem: str,
    mode: str,
    volume: dict[str, int],
    clock: ConferenceClock,
    bridge: DeviceBridge | None,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "status": problem or NOT_LOADED_TEXT,
        "ok": not problem,
        "loaded": bridge is not None,
        "mode": mode,
        "volume": dict(volume),
        "media_clock": clock.wanted,
        "ticks": {"device": clock.device_ticks, "own": clock.own_ticks},
        "open_streams": 0,
        "opens": 0,
    }
    if bridge is None:
        return state
    stats = bridge.stats()
    return state | {
        "status": problem or bridge.status,
        "ok": bridge.ok and not problem,
        "mic_ms": [stats.mic.mean_latency_ms, stats.mic.p95_latency_ms],
        "mic_fill_ms": stats.mic.fill_ms,  # the blocks' own filling, part of mic_ms' mean
        "mic_drops": [stats.mic.overruns, stats.mic.underruns],
        # ticks that waited for the microphone's late audio, and the longest shortfall (ms)
        "mic_waits": [stats.mic.short_reads, 1000.0 * stats.mic.max_short / stats.mic.rate],
        "play_rate": stats.play_rate,
        "callback_seconds": stats.callback_seconds,
        "open_streams": stats.open_streams,
        "opens": bridge.opens,
        "xruns": stats.xruns,
        "bursts": stats.bursts,
    }
