"""The local three-way conference mixes audio: each far end hears the other far end
and the local microphone.

Two raw far ends (tests/audio/rtp_peer.py) each send a tone as real PCMU RTP on 127.0.0.1 and
record what the engine sends them: A 440 Hz, B 1300 Hz. The engine runs on the private
PulseAudio server (tests/audio/README.md) whose handset microphone is a 1000 Hz sine: with a
silent null microphone the engine's VAD would send B almost nothing while it talks, and the
control below would prove nothing. The engine calls A, presses Conference (A held), calls B;
while B talks and A is held, B must hear the microphone but nothing of A, and A nothing of B
(both far ends send all the time, so that silence is the engine's doing). After the second
Conference press both are joined: each must receive the other's tone and the microphone well
above the noise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio.engine_rig import WARM_UP, engine_with_pulse, wait_audio_ok
from tests.audio.pulse import PulseServer
from tests.audio.rtp_peer import RATE, TonePeer
from tests.audio.spectrum import (
    ABSENT_DB,
    FREQ_A,
    FREQ_B,
    HEARD_DB,
    SETTLE,
    WINDOW,
    dismiss_popup,
    tone_report,
)
from tests.integration.calls_util import call_event, screen_event

pytestmark = [pytest.mark.audio, pytest.mark.sip]


@pytest.fixture
def peers() -> Iterator[tuple[TonePeer, TonePeer]]:
    a, b = TonePeer("alice", FREQ_A), TonePeer("bob", FREQ_B)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def test_conference_far_ends_hear_each_other_and_the_mic(
    pulse: PulseServer, config_dir: Path, peers: tuple[TonePeer, TonePeer]
) -> None:
    started = time.monotonic()
    a, b = peers
    # one microphone for any audio mode the dial picks: the 1000 Hz one
    with engine_with_pulse(config_dir, pulse, handsfree_device="dp_handset") as (engine, client):
        state = wait_audio_ok(client)
        assert state["ok"], state
        time.sleep(WARM_UP)
        client.send("dial", target=a.uri)
        first = call_event(client, "Talking", 0, remote_uri=a.uri)
        time.sleep(0.3)
        dismiss_popup(client)
        client.wait_for(
            lambda e: (
                e.get("ev") == "screen"
                and e["screen"]["name"] == "talking"
                and e["screen"]["softkeys"][2] == "Conference"
            ),
            10,
        )
        client.send("key", key="F3")  # Conference: holds A, dial screen for the second party
        assert screen_event(client, "dialing", len(client.events) - 1)["title"] == "Conference"
        client.send("text", text=b.uri)
        client.send("key", key="OK")
        second = call_event(client, "Talking", 0, remote_uri=b.uri)
        time.sleep(SETTLE)
        before = (time.monotonic(), time.monotonic() + WINDOW)
        time.sleep(WINDOW)
        since = len(client.events)
        client.send("key", key="F3")  # Conference now: both joined
        for call in (first, second):
            call_event(client, "Talking", since, id=call["id"], text="Conference")
        time.sleep(SETTLE)
        during = (time.monotonic(), time.monotonic() + WINDOW)
        time.sleep(WINDOW)
        client.send("hangup_all")
        for call in (first, second):
            call_event(client, "Finished", since, id=call["id"])
        log = engine.log_text()

    report = {
        "A before (B's 1300)": tone_report(a.audio(*before), FREQ_B),
        "B before (A's 440)": tone_report(b.audio(*before), FREQ_A),
        "A during (B's 1300)": tone_report(a.audio(*during), FREQ_B),
        "B during (A's 440)": tone_report(b.audio(*during), FREQ_A),
    }
    for name, r in report.items():
        print(
            f"{name}: {r['samples'] / RATE:.2f} s, peak {r['peak_hz']:.0f} Hz "
            f"{r['peak_db']:.1f} dBFS, tone {r['tone_db']:.1f}, mic {r['mic_db']:.1f}, "
            f"noise {r['noise_db']:.1f} dBFS, tone-noise {r['snr_db']:.1f} dB"
        )
    print(f"A offers {a.offers}, B offers {b.offers}; test ran {time.monotonic() - started:.1f} s")
    assert a.offers[0] == "sendrecv" and "sendonly" in a.offers and a.offers[-1] == "sendrecv"
    assert "audio links" in log, "the engine never logged the conference links"

    # the control: B talks and hears the mic, A is held; neither far end hears the other yet
    # (held A gets next to no RTP, ~0.1 s measured: B's direction is the control that bites)
    b_before = report["B before (A's 440)"]
    assert b_before["samples"] >= 2 * RATE, b_before
    assert b_before["mic_db"] - b_before["noise_db"] > HEARD_DB, b_before
    for name in ("A before (B's 1300)", "B before (A's 440)"):
        assert report[name]["snr_db"] < ABSENT_DB, (name, report[name])
    # the conference: each far end hears the other and the mic
    for name in ("A during (B's 1300)", "B during (A's 440)"):
        r = report[name]
        assert r["samples"] >= 2 * RATE, (name, r)
        assert r["snr_db"] > HEARD_DB, (name, r)
        assert r["mic_db"] - r["noise_db"] > HEARD_DB, (name, r)
