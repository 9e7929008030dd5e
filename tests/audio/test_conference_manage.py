"""Manage and Split on the local conference, heard at both far ends and on the speaker.

The rig of tests/audio/test_conference_mixing.py: A sends 440 Hz, B 2330 Hz, the microphone
is 1000 Hz, and both far ends send all the time. The engine calls A and B and joins them with
the Conference key. Then, with the handset's own keys:

- Manage, Down to B, Far Mute: A must stop hearing B (and the speaker too) while B still
  hears A and the microphone; Far Mute again brings B back for A;
- Back, Split: both calls on hold (each got a sendonly re-INVITE); then Up/Down to A and
  Resume: A talks with the microphone again, hearing nothing of B, while held B hears nothing
  of A. (The hold re-INVITEs re-create the calls' bridge slots, so this part also held with
  the unbridging left out when tried: the engine unbridges anyway, so no audio crosses in the
  moment before the holds take effect.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.engine_rig import WARM_UP, engine_with_pulse, wait_audio_ok
from tests.audio.pulse import RATE as PULSE_RATE
from tests.audio.pulse import PulseServer
from tests.audio.rtp_peer import RATE, TonePeer
from tests.audio.spectrum import (
    ABSENT_DB,
    FREQ_A,
    HEARD_DB,
    SETTLE,
    WINDOW,
    dismiss_popup,
    tone_report,
)
from tests.engine_harness import EngineClient
from tests.integration.calls_util import call_event

pytestmark = [pytest.mark.audio, pytest.mark.sip]

GONE_DB = 40.0  # a tone counts as gone this far below its level while heard
# B's tone here: off the 50/100 Hz grid around the 1000 Hz microphone, where the device ring
# buffers' slipped samples (one per 10 ms at most) leave sidebands of the microphone tone
# (-40 dBFS measured at 1300 Hz in a window with B far-muted, also with B moved to 1700 Hz)
FREQ_B = 2330.0


@pytest.fixture
def peers() -> Iterator[tuple[TonePeer, TonePeer]]:
    a, b = TonePeer("alice", FREQ_A), TonePeer("bob", FREQ_B)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def press(client: EngineClient, key: str, check: Any) -> dict[str, Any]:
    """A key, and the first screen after it that passes `check`."""
    since = len(client.events)
    client.send("key", key=key)
    ev = client.wait_for(lambda e: e.get("ev") == "screen" and check(e["screen"]), 10, since)
    screen: dict[str, Any] = ev["screen"]
    return screen


def window() -> tuple[float, float]:
    time.sleep(SETTLE)
    span = (time.monotonic(), time.monotonic() + WINDOW)
    time.sleep(WINDOW)
    return span


def test_far_mute_and_split_on_the_conference(
    pulse: PulseServer, config_dir: Path, peers: tuple[TonePeer, TonePeer]
) -> None:
    a, b = peers
    with engine_with_pulse(config_dir, pulse, handsfree_device="dp_handset") as (engine, client):
        assert wait_audio_ok(client)["ok"]
        time.sleep(WARM_UP)
        client.send("dial", target=a.uri)
        first = call_event(client, "Talking", 0, remote_uri=a.uri)
        time.sleep(0.3)
        dismiss_popup(client)
        press(client, "F3", lambda s: s["name"] == "dialing")  # Conference: A held
        client.send("text", text=b.uri)
        client.send("key", key="OK")
        second = call_event(client, "Talking", 0, remote_uri=b.uri)
        joined = press(client, "F3", lambda s: s["name"] == "conference")
        assert joined["softkeys"] == ["Hold", "Manage", "Split", "End Call"]
        assert joined["items"] == ["alice", "bob"]
        together = window()

        press(client, "F2", lambda s: s["name"] == "manage")  # Manage
        press(client, "DOWN", lambda s: s["selected"] == 1)
        muted = press(client, "F1", lambda s: s["values"] == ["", "Far Mute"])
        assert muted["softkeys"] == ["Far Mute", "Remove", "", "Back"]
        spk_start = time.monotonic()
        spk = pulse.record("spk.monitor", SETTLE + WINDOW + 1)
        b_muted = window()
        speaker = spk.stop()
        press(client, "F1", lambda s: s["values"] == ["", ""])  # heard again
        b_back = window()

        press(client, "F4", lambda s: s["name"] == "conference")  # Back
        since = len(client.events)
        split = press(client, "F3", lambda s: s["name"] == "hold" and s["call_index"])
        for call in (first, second):
            call_event(client, "Hold", since, id=call["id"], text="")
        assert split["softkeys"] == ["Transfer", "Resume", "New Call", "End Call"]
        if split["lines"][0] != "alice":
            press(client, "UP", lambda s: s["lines"][0] == "alice")
        since = len(client.events)
        client.send("key", key="F2")  # Resume A; B stays on hold
        call_event(client, "Talking", since, id=first["id"])
        after_split = window()
        since = len(client.events)  # before the hang-up: both Finished events may come at once
        client.send("hangup_all")
        for call in (first, second):
            call_event(client, "Finished", since, id=call["id"])
        log = engine.log_text()

    report = {
        "A together (B's 2330)": tone_report(a.audio(*together), FREQ_B),
        "A, B far-muted (B's 2330)": tone_report(a.audio(*b_muted), FREQ_B),
        "B far-muted (A's 440)": tone_report(b.audio(*b_muted), FREQ_A),
        "A, B heard again (B's 2330)": tone_report(a.audio(*b_back), FREQ_B),
        "A after split (B's 2330)": tone_report(a.audio(*after_split), FREQ_B),
        "B held after split (A's 440)": tone_report(b.audio(*after_split), FREQ_A),
    }
    # the speaker from the start of the far-muted window, at the far ends' 8 kHz
    skip = int((b_muted[0] - spk_start) * PULSE_RATE)
    played = speaker[max(0, skip) :][: int(WINDOW * PULSE_RATE)]
    step = PULSE_RATE // RATE
    on_speaker = played[: len(played) // step * step].reshape(-1, step).mean(axis=1)
    on_speaker = on_speaker.astype(np.int16)
    report["speaker, B far-muted (B's 2330)"] = tone_report(on_speaker, FREQ_B)
    report["speaker, B far-muted (A's 440)"] = tone_report(on_speaker, FREQ_A)
    for name, r in report.items():
        print(
            f"{name}: {r['samples'] / RATE:.2f} s, tone {r['tone_db']:.1f}, mic "
            f"{r['mic_db']:.1f}, noise {r['noise_db']:.1f} dBFS, tone-noise {r['snr_db']:.1f} dB"
        )
    print(f"A offers {a.offers}, B offers {b.offers}")
    assert "(muted ('" in log, "the engine never logged the far mute"

    heard = ("A together (B's 2330)", "B far-muted (A's 440)", "A, B heard again (B's 2330)")
    for name in (*heard, "speaker, B far-muted (A's 440)"):
        assert report[name]["samples"] >= 2 * RATE, (name, report[name])
        assert report[name]["snr_db"] > HEARD_DB, (name, report[name])
    # B's tone gone from A while far-muted and after the split, measured against how loud it
    # was joined (the noise is not flat around the microphone's tone: FREQ_B above)
    together = report["A together (B's 2330)"]["tone_db"]
    for name in ("A, B far-muted (B's 2330)", "A after split (B's 2330)"):
        assert report[name]["samples"] >= 2 * RATE, (name, report[name])
        assert together - report[name]["tone_db"] > GONE_DB, (name, report[name])
    speaker = report["speaker, B far-muted (B's 2330)"]
    assert speaker["samples"] >= 2 * RATE and speaker["snr_db"] < ABSENT_DB, speaker
    # far-muted B still hears the microphone; after the split A does, without B
    for name in ("B far-muted (A's 440)", "A after split (B's 2330)"):
        r = report[name]
        assert r["mic_db"] - r["noise_db"] > HEARD_DB, (name, r)
    assert report["B held after split (A's 440)"]["snr_db"] < ABSENT_DB
    # Split held both: each got a sendonly offer after the conference's sendrecv
    assert a.offers[-2:] == ["sendonly", "sendrecv"] and b.offers[-1] == "sendonly", (
        a.offers,
        b.offers,
    )
