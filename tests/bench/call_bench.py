"""Rows measured on a private PulseAudio set up as a desktop (tests/audio/pulse.py, desktop
mode: the system default device through ALSA's pulse plugin, no ALSA configuration of ours):
idle CPU, 180 → ringback sample, INVITE → ringtone sample, one call's CPU and memory (DeskPhone's
engine beside baresip on the same device), the bridge's added latency each way, and drops and
refills over a long call. Without `pulseaudio` the rows say so and are skipped.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.audio.desktop_rig import desktop_engine, wait_idle
from tests.audio.pulse import PulseServer
from tests.bench.baresip_call import baresip_call, baresip_idle
from tests.bench.ringback_bench import echo_call, ringback_starts, ringtone_starts
from tests.bench.table import Row, compared, cpu_over, failed, median, pct
from tests.engine_harness import EngineClient

ROWS = (
    "engine CPU idle, sound device present",
    "180 received → first ringback sample to PortAudio",
    "incoming INVITE → first ringtone sample to PortAudio",
    "CPU during one call (echoed G.711 audio)",
    "bridge added latency",
)


CPU_ROUNDS = 3  # in-call CPU pairs, DeskPhone's and baresip's calls alternated


def _skipped(note: str) -> list[Row]:
    return [Row(name, "skipped", note) for name in ROWS]


def _deskphone(work: Path, server: PulseServer, calls: int, seconds: float) -> dict[str, Any]:
    config = work / "config"
    config.mkdir()
    with desktop_engine(config, server) as (engine, client):
        assert engine.proc is not None
        pid = engine.proc.pid
        idle_state = wait_idle(client)
        time.sleep(1.0)
        idle_cpu, idle_rss = cpu_over(pid, 5.0)
        delays = ringback_starts(client, calls, dial_screen=True)
        oneshot = ringback_starts(client, max(3, calls // 2), dial_screen=False)
        wait_idle(client)
        rings = ringtone_starts(client, engine.port, work / "sipp-in", max(3, calls // 2))
        call = echo_call(client, pid, work / "sipp", seconds)
        card_mic = _card_mic_call(client, pid, work / "sipp-card", server, seconds)
        baresip = _beside_baresip(client, pid, work, server, seconds, call["cpu"])
    return {
        "baresip": baresip,
        "delays": delays,
        "oneshot": oneshot,
        "rings": rings,
        "call": call,
        "card_mic": card_mic,
        "idle": (idle_cpu, idle_rss, idle_state),
    }


def _card_mic_call(
    client: EngineClient, pid: int, work: Path, server: PulseServer, seconds: float
) -> dict[str, Any]:
    """The same call with a microphone that delivers like a sound card's. The rig's microphone
    is a null sink's monitor, whose blocks come as that sink renders them: about one capture
    block in nine 20 ms late, then two at once (docs/audio.md §8), and the ring must wait that
    out. PulseAudio's null source posts its blocks on a timer at the latency its recorders ask
    for, as a card's source does. It records silence, which the ring's latency does not see;
    the default source is put back afterwards, so baresip records the same microphone as the
    first call."""
    wait_idle(client)
    server.pactl("load-module", "module-null-source", "source_name=cardmic")
    server.pactl("set-default-source", "cardmic")
    try:
        return echo_call(client, pid, work, seconds)
    finally:
        wait_idle(client)
        server.pactl("set-default-source", "micsink.monitor")


def _beside_baresip(
    client: EngineClient, pid: int, work: Path, server: PulseServer, seconds: float, first: float
) -> dict[str, Any]:
    """baresip's idle and in-call CPU on the same server, its calls alternated with ours
    (`first` is our first call's): one short sample of either moves by a few tenths of a
    percent, a quarter of baresip's figure (docs/audio.md §8), so one pair cannot judge 2×.
    DeskPhone's engine sits idle (no stream open) while baresip is measured."""
    out: dict[str, Any] = {"idle": None, "pairs": [], "rss": None, "note": ""}
    try:
        wait_idle(client)
        out["idle"] = baresip_idle(work, server, 5.0)
    except Exception as exc:  # the reference is optional
        out["note"] = f"; baresip: {failed('', exc).notes}"
        return out
    for n in range(CPU_ROUNDS):
        ours = first if n == 0 else echo_call(client, pid, work / f"sipp-round{n}", seconds)["cpu"]
        wait_idle(client)
        try:
            theirs, rss = baresip_call(work / f"round{n}", server, seconds)
        except Exception as exc:
            out["note"] = f"; baresip: {failed('', exc).notes}"
            break
        out["pairs"].append((ours, theirs))
        out["rss"] = out["rss"] or rss
    return out


def bench_call(calls: int, seconds: float) -> list[Row]:
    if shutil.which("pulseaudio") is None:
        return _skipped("pulseaudio is not installed (apt install pulseaudio)")
    server = PulseServer(desktop=True)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-call-") as tmp:
            ours = _deskphone(Path(tmp), server, calls, seconds)
    finally:
        server.cleanup()
    return _rows(ours, seconds)


def _cpu_row(call: dict[str, Any], baresip: dict[str, Any], seconds: float) -> Row:
    pc1 = "{:.1f} % of a core".format
    pairs: list[tuple[float, float]] = baresip["pairs"]
    notes = (
        f"over {seconds:.0f} s, same default device and SIPp -rtp_echo peer; RSS "
        f"{call['rss'] / 1024:.0f} MiB"
        + (f" (baresip {baresip['rss'] / 1024:.0f} MiB)" if baresip["rss"] else "")
    )
    if not pairs:
        return compared(ROWS[3], call["cpu"], None, pc1, notes + baresip["note"])
    ratios = [ours / theirs for ours, theirs in pairs if theirs > 0]
    each = ", ".join(f"{ours:.1f}/{theirs:.1f}" for ours, theirs in pairs)
    return Row(
        ROWS[3],
        f"{pc1(median([p[0] for p in pairs]))} median",
        f"{notes}; {len(pairs)} calls each, alternated (DeskPhone/baresip %: {each}); ratio: "
        f"median of the pairs' ({', '.join(f'{r:.2f}' for r in ratios)})" + baresip["note"],
        f"{pc1(median([p[1] for p in pairs]))} median",
        f"{median(ratios):.2f}×" if ratios else "-",
    )


def _rows(ours: dict[str, Any], seconds: float) -> list[Row]:
    delays: list[float] = ours["delays"]
    oneshot: list[float] = ours["oneshot"]
    rings: list[float] = ours["rings"]
    call = ours["call"]
    st = call["state"]
    card = ours["card_mic"]
    idle_cpu, idle_rss, idle_state = ours["idle"]
    ms = "{:.1f} ms".format
    pc = "{:.2f} % of a core".format
    return [
        compared(
            ROWS[0],
            idle_cpu,
            ours["baresip"]["idle"],
            pc,
            f"no account, over 5 s; streams open {idle_state['open_streams']}, pjmedia clock "
            f"{'on' if idle_state['media_clock'] else 'off'}; RSS {idle_rss / 1024:.0f} MiB",
        ),
        Row(
            ROWS[1],
            f"{ms(median(delays))} median",
            f"p95 {ms(pct(delays, 0.95))}, {len(delays)} calls dialled from the dial screen "
            f"(devices opened when it opened); dialled in one go (history, directory): "
            f"median {ms(median(oneshot))}, p95 {ms(pct(oneshot, 0.95))}; 180 sent on "
            "loopback by an in-process UAS",
        ),
        Row(
            ROWS[2],
            f"{ms(median(rings))} median",
            f"p95 {ms(pct(rings, 0.95))}, {len(rings)} calls; SIPp's INVITE send time to the "
            "first ringtone sample the PortAudio callback took (devices closed before each)",
        ),
        _cpu_row(call, ours["baresip"], seconds),
        Row(
            ROWS[4] + ", far end → speaker",
            "0 ms",
            "no buffer: the speaker's callback ticks pjmedia's conference and plays its frame; "
            f"conference ticks over {seconds:.0f} s: {call['ticks']['device']} by the device, "
            f"{call['ticks']['own']} by the fallback clock",
        ),
        Row(
            ROWS[4] + ", microphone → pjmedia",
            f"{st['mic_ms'][0]:.1f} ms mean",
            f"p95 {st['mic_ms'][1]:.1f} ms (pulled microphone → conference tick ring); "
            f"{_split(st)}; "
            f"drops / refills {_pair(call['mic_drops'])}; device xruns {call['xruns']} in the call "
            f"({st['xruns']} since sound loaded, stream priming included), refused bursts "
            f"{call['bursts']}; device callbacks {call['port_us']:.0f} µs per frame; "
            "the rig's microphone is a null sink's monitor (late blocks, docs/audio.md §8); with "
            "one that delivers like a sound card's (null source): "
            f"{card['state']['mic_ms'][0]:.1f} ms mean, p95 {card['state']['mic_ms'][1]:.1f} ms, "
            f"{_split(card['state'])}, "
            f"drops / refills {_pair(card['mic_drops'])}",
        ),
    ]


def bench_long_call(seconds: float) -> list[Row]:
    """Drops and refills over one long call (the ring buffers must not drift)."""
    if shutil.which("pulseaudio") is None:
        return [Row("long call", "skipped", "pulseaudio is not installed")]
    server = PulseServer(desktop=True)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-long-") as tmp:
            work = Path(tmp)
            config = work / "config"
            config.mkdir()
            with desktop_engine(config, server) as (engine, client):
                assert engine.proc is not None
                call = echo_call(
                    client, engine.proc.pid, work / "sipp", seconds, "uas-200-echo-long.xml"
                )
    finally:
        server.cleanup()
    st = call["state"]
    return [
        Row(
            f"drops / refills over a {seconds / 60:.0f}-minute call",
            f"mic {_pair(call['mic_drops'])} (far end: no buffer)",
            f"conference ticks {call['ticks']['device']} by the device, "
            f"{call['ticks']['own']} by the fallback clock (50 a second: "
            f"{seconds * 50:.0f} over the call); "
            f"microphone → pjmedia {st['mic_ms'][0]:.1f} ms mean (p95 {st['mic_ms'][1]:.1f}); "
            f"device xruns {call['xruns']}, refused bursts {call['bursts']}; engine CPU "
            f"{call['cpu']:.1f} % of a core",
        )
    ]


def _split(state: dict[str, Any]) -> str:
    """The microphone mean taken apart: the pulled blocks' own filling (half a block: any
    client that sends 20 ms frames has it) and the wait in the ring (the bridge's margin)."""
    fill = float(state.get("mic_fill_ms", 0.0))
    ring = state["mic_ms"][0] - fill
    waits, longest = state.get("mic_waits", [0, 0.0])
    return (
        f"of which {fill:.1f} ms the blocks' own filling, {ring:.1f} in the ring; "
        f"ticks that waited for the microphone {waits} (at most {longest:.1f} ms short)"
    )


def _pair(value: Any) -> str:
    return " / ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
