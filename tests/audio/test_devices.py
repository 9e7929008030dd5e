"""Ringer routing, microphone capture, mode switching, volume, missing and failing devices."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.audio import device_bridge
from app.audio.conference_clock import ConferenceClock
from app.audio.device_bridge import DeviceBridge, Mode
from app.audio.ringtones import builtin_ringtone
from app.audio.tone_plan import tone_for
from app.audio.tones import parse_tone
from tests.audio.analysis import mic_tolerance_hz, peak_freqs
from tests.audio.desktop_rig import longest_gap_ms
from tests.audio.frames import FrameConference, clock_with
from tests.audio.pulse import RATE, PulseServer

pytestmark = pytest.mark.audio
ROOT = Path(__file__).resolve().parents[2]


def level(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if len(audio) else 0.0


def test_ringtone_plays_on_ringer_device_and_silence_stops_it(
    pulse: PulseServer, bridge: DeviceBridge
) -> None:
    ring = pulse.record("ring.monitor", 3)
    spk = pulse.record("spk.monitor", 3)
    time.sleep(0.3)
    bridge.ring(builtin_ringtone("Ring4"))
    time.sleep(2.0)
    assert bridge.ring_started_at is not None
    ring_audio, spk_audio = ring.stop(), spk.stop()
    assert level(ring_audio) > 1000, "ringtone not heard on the ringer device"
    assert level(spk_audio) < 20, "ringtone leaked into the handset device"
    # Ring4 is 100 ms beeps of 880 Hz: the beep rate spreads the line by a few Hz.
    assert peak_freqs(ring_audio, 1) == pytest.approx([880], abs=10)
    bridge.silence()
    time.sleep(0.3)
    after = pulse.record("ring.monitor", 1)
    time.sleep(1.0)
    assert level(after.stop()) < 20


def test_microphone_reaches_the_conference(
    pulse: PulseServer, bridge: DeviceBridge, conference: FrameConference
) -> None:
    """The playback callback hands the conference a microphone frame on every tick."""
    since = len(conference.mic)
    time.sleep(2.0)
    audio = conference.mic_audio(since)
    assert len(audio) >= 1.5 * RATE, "the device did not tick the conference"
    assert level(audio) > 500
    assert peak_freqs(audio[len(audio) // 2 :], 1) == pytest.approx(
        [1000], abs=mic_tolerance_hz(1000)
    )
    drops = bridge.mic.stats().overruns
    bridge.set_mic_muted(True)
    time.sleep(0.2)
    since = len(conference.mic)
    time.sleep(0.8)
    muted = conference.mic_audio(since)
    assert len(muted) and not muted.any()
    # Muted, the ring is still read: it neither fills up to its drop mark (it did, before) nor
    # holds up to 100 ms of old audio for the far end to hear when the microphone comes back.
    s = bridge.mic.stats()
    assert s.overruns == drops and s.depth < 2 * 320, s


def test_speaker_mode_routes_to_handsfree_with_its_volume(
    pulse: PulseServer, bridge: DeviceBridge
) -> None:
    bridge.set_volume("headset", 11)
    bridge.set_volume("speaker", 5)
    bridge.play_tone(parse_tone("1000/1000"))
    time.sleep(0.5)
    spk = pulse.record("spk.monitor", 1)
    time.sleep(1.0)
    loud = level(spk.stop())
    bridge.set_mode(Mode.SPEAKER)
    assert bridge.mode is Mode.SPEAKER
    time.sleep(1.5)
    hf = pulse.record("hf.monitor", 1)
    spk2 = pulse.record("spk.monitor", 1)
    time.sleep(1.0)
    hf_level, spk_after = level(hf.stop()), level(spk2.stop())
    assert spk_after < 20, "handset still plays after switching to speaker"
    ratio_db = 20 * np.log10(hf_level / loud)
    assert ratio_db == pytest.approx(-9.0, abs=1.0)  # 6 steps of 1.5 dB
    assert bridge.ok, bridge.status


def test_far_end_audio_is_played_by_the_device_clock(
    pulse: PulseServer, bridge: DeviceBridge, conference: FrameConference, clock: ConferenceClock
) -> None:
    """What the conference gives on each tick is what the speaker plays, with no gap: the
    playback device is the conference's clock (the fallback clock stays off)."""
    t = np.arange(RATE * 3) / RATE
    conference.play((6000 * np.sin(2 * np.pi * 700 * t)).astype(np.int16))
    own = clock.own_ticks
    conference.threads.clear()  # the fallback clock ticked until the stream first ran
    rec = pulse.record("spk.monitor", 4)
    time.sleep(3.5)
    audio = rec.stop()
    stats = bridge.stats()
    print(f"device pace {stats.play_rate:.0f} samples/s; ticks {clock.device_ticks}")
    idx = np.nonzero(np.abs(audio) > 1000)[0]
    assert len(idx) and idx[-1] - idx[0] > RATE * 2, "far-end audio missing"
    played = audio[idx[0] : idx[-1]]
    assert peak_freqs(played, 1) == pytest.approx([700], abs=3)
    assert longest_gap_ms(played) <= 20
    assert clock.own_ticks == own, "the fallback clock ticked while the device played"
    assert len(conference.threads) == 1  # PortAudio's playback thread, and only it


def test_no_sound_system_no_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PortAudio: the fallback clock ticks the conference (calls keep their RTP) with a
    silent microphone."""
    monkeypatch.setattr(device_bridge, "load_sounddevice", lambda: (None, "libportaudio2 missing"))
    conference = FrameConference()
    clock = clock_with(conference)
    b = DeviceBridge(clock=clock)
    b.start()
    try:
        assert not b.ok
        assert "libportaudio2 missing" in b.status
        b.play_tone(tone_for("United States", "ring"))
        b.ring(builtin_ringtone("Ring1"))
        time.sleep(0.5)
        assert clock.own_ticks >= 15 and clock.device_ticks == 0
        mic = conference.mic_audio()
        assert len(mic) and not mic.any()
    finally:
        b.close()
        clock.close()


NO_DEVICE_SCRIPT = """
import time
from app.audio.device_bridge import DeviceBridge, BridgeConfig
from app.audio.tone_plan import tone_for
from tests.audio.frames import FrameConference, clock_with
conference = FrameConference()
clock = clock_with(conference)
b = DeviceBridge(BridgeConfig(handset="dp_handset", ringer="dp_ringer", auto_recover=False), clock)
b.start()
b.play_tone(tone_for("United States", "ring"))
time.sleep(0.5)
assert clock.own_ticks > 0 and not conference.mic_audio().any()
print("STATUS", b.ok, b.status)
b.close()
clock.close()
"""


def test_no_device_at_all_starts_with_a_warning(tmp_path: Path) -> None:
    """PulseAudio unreachable and no sound card: the bridge starts, says why, and does not raise."""
    env = dict(os.environ)
    env["PULSE_SERVER"] = f"unix:{tmp_path}/nothing-here"
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    env.pop("ALSA_CONFIG_PATH", None)
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", NO_DEVICE_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("STATUS"))
    assert line.startswith("STATUS False"), line
    print(line)


def test_device_lost_mid_stream_then_recovered(pulse: PulseServer) -> None:
    # The bridge runs in a child process: see tests/audio/device_loss_child.py for why.
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.audio.device_loss_child"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def ask(command: str) -> str:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(command + "\n")
        child.stdin.flush()
        return child.stdout.readline().strip()

    try:
        assert ask("start").startswith("ok True")
        time.sleep(1.5)
        assert ask("play 600") == "ok True"
        pulse.kill()
        lost = ask("wait_lost")
        assert lost.startswith("ok True"), f"a dead sound server went unnoticed: {lost}"
        print("while lost:", lost)
        pulse.start()
        recovered = ask("wait_ok")
        assert recovered.startswith("ok True"), f"did not recover: {recovered}"
        time.sleep(1.5)
        rec = pulse.record("spk.monitor", 1)
        time.sleep(1.0)
        audio = rec.stop()
        assert peak_freqs(audio, 1) == pytest.approx([600], abs=3)
        assert ask("seen").startswith("ok True")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)
        if pulse.pid() is None:
            pulse.start()
