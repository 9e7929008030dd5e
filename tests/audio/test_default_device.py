"""The real engine on a desktop's sound setup: private PulseAudio (and PipeWire where it runs),
the system default device through ALSA's pulse plugin, no ALSA configuration of ours.

Checks what a user hears on the default sink's monitor: ringback cadence (two full cycles, each
segment ±100 ms) and pitch (±5 Hz) for two countries, far-end audio without a gap over 40 ms for
30 s with no ring-buffer drop or refill, and an idle phone that holds no stream and no clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.analysis import peak_freqs, segments
from tests.audio.desktop_rig import (
    DEFAULT_DEVICES,
    SYSTEM_ALSA_CONF,
    cadence_cycles,
    check_echoed_call,
    desktop_engine,
    echoed_call,
    numpy_loaded,
    wait_idle,
)
from tests.audio.engine_rig import audio_status, target, uas
from tests.audio.pulse import RATE, PulseServer
from tests.audio.test_engine_redirect_ringback import check_redirect_ringback, run_flow
from tests.sipnet import HOST, Sipp, free_port

pytestmark = [pytest.mark.audio, pytest.mark.sip, pytest.mark.slow]


@pytest.fixture(scope="module")
def desktop() -> Iterator[PulseServer]:
    server = PulseServer(desktop=True)
    try:
        server.start()
    except Exception as exc:
        server.cleanup()
        pytest.skip(f"pulseaudio would not start: {exc}")
    yield server
    server.cleanup()


def ringback(
    server: PulseServer, workdir: Path, config_dir: Path, country: str, ring_ms: int
) -> tuple[np.ndarray[Any, Any], dict[str, Any]]:
    """Dial a UAS that rings `ring_ms` then answers 486; the speaker's recording from the
    ringback's first sample to the busy tone's, and the engine's audio state after."""
    with desktop_engine(config_dir, server, tone_country=country) as (_engine, client):
        idle = wait_idle(client)
        sipp = uas(workdir, "uas-180-486.xml", {}, ring_ms)
        rec = server.record("spk.monitor", ring_ms / 1000 + 10)
        time.sleep(0.5)
        since = len(client.events)
        client.send("dial", target=target(sipp))
        ring = client.wait_for(
            lambda e: e.get("ev") == "tone_started" and e.get("kind") == "ring", 10, since
        )
        busy = client.wait_for(
            lambda e: e.get("ev") == "tone_started" and e.get("kind") == "busy",
            ring_ms / 1000 + 10,
            since,
        )
        time.sleep(0.5)
        audio = rec.stop()
        state = audio_status(client)
        sipp.wait(15)
    loud = np.flatnonzero(np.abs(audio.astype(int)) > 800)
    assert len(loud), "nothing was played on the default sink"
    zero = loud[0] / RATE - ring["started"]  # the first loud sample is the ringback's first
    a = max(0, round((ring["started"] - 0.3 + zero) * RATE))
    b = round((busy["started"] + zero) * RATE)
    return audio[a:b], {"idle": idle, "after": state}


CASES = [
    # country, one cycle, frequencies, ring long enough for two full cycles after the first
    ("United States", [(True, 2000), (False, 4000)], [440, 480], 13500),
    ("Great Britain", [(True, 400), (False, 200), (True, 400), (False, 2000)], [400, 450], 7500),
]


@pytest.mark.parametrize(("country", "cycle", "freqs", "ring_ms"), CASES)
def test_ringback_on_the_default_device_pulseaudio(
    desktop: PulseServer,
    tmp_path: Path,
    config_dir: Path,
    country: str,
    cycle: list[tuple[bool, int]],
    freqs: list[int],
    ring_ms: int,
) -> None:
    audio, states = ringback(desktop, tmp_path / "sipp", config_dir, country, ring_ms)
    check_ringback(audio, states, cycle, freqs)


def test_ringback_on_the_default_device_pipewire(
    pipewire: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    country, cycle, freqs, ring_ms = CASES[0]
    audio, states = ringback(pipewire, tmp_path / "sipp", config_dir, country, ring_ms)
    check_ringback(audio, states, cycle, freqs)


def check_ringback(
    audio: np.ndarray[Any, Any],
    states: dict[str, Any],
    cycle: list[tuple[bool, int]],
    freqs: list[int],
) -> None:
    idle = states["idle"]
    assert idle["open_streams"] == 0 and idle["opens"] == 0, idle
    assert not idle["media_clock"], idle
    measured = cadence_cycles(audio, cycle, 2)
    print(f"\ncadence {measured} ms; engine audio after: {states['after']}")
    for on in segments(audio, True)[:3]:
        assert sorted(peak_freqs(on, len(freqs))) == pytest.approx(freqs, abs=5)


def test_idle_phone_holds_no_stream_and_a_new_default_sink_is_used(
    desktop: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    with desktop_engine(config_dir, desktop) as (_engine, client):
        idle = wait_idle(client)
        assert idle["open_streams"] == 0 and not idle["media_clock"], idle
        assert desktop.clients_streams() == ([], []), "an idle engine holds a sound stream"
        # A headset plugged in while idle becomes the default sink: the next call uses it.
        desktop.add_sink("usb")
        desktop.pactl("set-default-sink", "usb")
        try:
            sipp = uas(tmp_path / "sipp", "uas-180-486.xml", {}, 2500)
            usb = desktop.record("usb.monitor", 10)
            spk = desktop.record("spk.monitor", 10)
            time.sleep(0.5)
            since = len(client.events)
            client.send("dial", target=target(sipp))
            client.wait_for(lambda e: e.get("ev") == "tone_started", 10, since)
            time.sleep(1.5)
            in_call = audio_status(client)
            usb_audio, spk_audio = usb.stop(), spk.stop()
            sipp.wait(15)
        finally:
            desktop.pactl("set-default-sink", "spk")
        assert in_call["open_streams"] >= 1 and in_call["media_clock"], in_call
        assert sorted(peak_freqs(usb_audio, 2)) == pytest.approx([440, 480], abs=5)
        assert np.abs(spk_audio.astype(int)).max() < 50, "the old default sink still played"
        # The call is over: after the busy tone and a short linger everything closes again.
        after = wait_idle(client, timeout=12.0)
        assert after["open_streams"] == 0 and not after["media_clock"], after
        assert desktop.clients_streams() == ([], [])


def test_far_end_audio_is_continuous_for_30_s(
    desktop: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    """The default microphone (a 1000 Hz sine) goes out as RTP, SIPp echoes it back, and the
    default sink plays it: no gap over 40 ms, every conference tick from the speaker's own
    callback, no drop or refill of the microphone ring; and numpy never loaded in the engine."""
    audio, before, state, in_call_numpy = echoed_call(desktop, tmp_path, config_dir, 30.0)
    check_echoed_call(audio, before, state, 30.0)
    assert in_call_numpy == [], in_call_numpy


def test_ringback_through_a_302_on_the_default_device(
    desktop: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    """The seed flow (B rings, 302 to C, C rings and answers) heard on the default sink: one
    US ringback with its cadence across the redirect (tests/audio/test_engine_redirect_ringback)."""
    env = {**desktop.env, "ALSA_CONFIG_PATH": SYSTEM_ALSA_CONF}
    audio, marks, (bob, carol) = run_flow(desktop, tmp_path, config_dir, DEFAULT_DEVICES, env)
    check_redirect_ringback(audio, marks, bob, carol)


def test_incoming_call_rings_on_the_default_device(
    desktop: PulseServer, tmp_path: Path, config_dir: Path
) -> None:
    """The ringer left at "system default" shares the speaker's device: the ringtone plays
    there, from an idle phone with no stream open, and stops with Reject."""
    with desktop_engine(config_dir, desktop, ringtone="Ring4") as (engine, client):
        wait_idle(client)
        rec = desktop.record("spk.monitor", 15)
        time.sleep(0.5)
        caller = Sipp(
            "audio/uac-ring.xml",
            free_port(),
            tmp_path / "sipp",
            target=f"{HOST}:{engine.port}",
            service="alice",
            keys={"alert": "<http://127.0.0.1/none>"},
            timeout=30,
        ).start()
        since = len(client.events)
        ring = client.wait_for(lambda e: e.get("ev") == "ring_started", 10, since)
        client.wait_call("CallIn", 10, since)
        time.sleep(2.5)
        ringing_numpy = numpy_loaded(engine)
        client.send("key", key="X")  # Reject
        client.wait_call("Finished", 10, since)
        time.sleep(1.0)
        audio = rec.stop()
        assert caller.wait(15) == 0, caller.messages()[-1500:]
    loud = np.flatnonzero(np.abs(audio.astype(int)) > 800)
    assert len(loud), "the ringtone was not heard on the default sink"
    ringing = audio[loud[0] : loud[0] + 2 * RATE]
    # Ring4: 100 ms beeps of 880 Hz (the beep rate spreads the line by a few Hz)
    assert peak_freqs(ringing, 1) == pytest.approx([880], abs=10)
    assert ring["started"] - ring["requested"] < 0.5, ring
    tail = audio[-RATE // 2 :]
    assert np.abs(tail.astype(int)).max() < 50, "the ringtone went on after Reject"
    assert ringing_numpy == [], ringing_numpy
