"""Country ringback and busy tones played through a paced virtual device and analysed with FFT."""

from __future__ import annotations

import time

import pytest

from app.audio.device_bridge import DeviceBridge
from app.audio.tone_plan import tone_for
from tests.audio.analysis import Samples, envelope_rate, inner_runs, peak_freqs, segments
from tests.audio.pulse import RATE, PulseServer

pytestmark = [pytest.mark.audio, pytest.mark.slow]
TOL_MS = 30  # 10 ms analysis windows + the tone's 2 ms edges


def capture_tone(
    pulse: PulseServer, bridge: DeviceBridge, country: str, kind: str, seconds: float
) -> tuple[Samples, float]:
    rec = pulse.record("spk.monitor", seconds)
    time.sleep(0.5)
    before = bridge.stats().xruns
    bridge.play_tone(tone_for(country, kind))
    started = bridge.wait_tone_started(2.0)
    assert started is not None, f"tone never reached PortAudio: {bridge.status}"
    time.sleep(seconds)
    bridge.stop_tone()
    time.sleep(0.3)
    audio = rec.stop()
    drift = len(audio) / RATE / rec.wall
    # printed, so a cadence failure under load says whether PortAudio saw the device run dry
    print(
        f"{country} {kind}: {len(audio) / RATE:.2f} s captured in {rec.wall:.2f} s wall "
        f"(device pace {100 * drift:.1f} % of nominal), "
        f"device xruns while playing {bridge.stats().xruns - before}"
    )
    return audio, drift


def assert_cadence(audio: Samples, expected: list[tuple[bool, int]]) -> None:
    got = inner_runs(audio)
    assert len(got) >= len(expected), f"too few runs: {got}"
    # find the expected pattern anywhere in the captured runs
    for start in range(len(got) - len(expected) + 1):
        window = got[start : start + len(expected)]
        if all(
            s == es and abs(ms - ems) <= TOL_MS
            for (s, ms), (es, ems) in zip(window, expected, strict=True)
        ):
            return
    raise AssertionError(f"cadence {expected} not found in {got}")


def test_us_ringback_440_480_2s_on_4s_off(pulse: PulseServer, bridge: DeviceBridge) -> None:
    audio, drift = capture_tone(pulse, bridge, "United States", "ring", 8.5)
    assert_cadence(audio, [(True, 2000), (False, 4000)])
    on = segments(audio, True)[0]
    f = sorted(peak_freqs(on, 2))
    assert f == pytest.approx([440, 480], abs=2), f
    assert 0.5 < drift < 1.5


def test_gb_ringback_400_450_double_ring(pulse: PulseServer, bridge: DeviceBridge) -> None:
    audio, _ = capture_tone(pulse, bridge, "Great Britain", "ring", 6.5)
    assert_cadence(audio, [(True, 400), (False, 200), (True, 400), (False, 2000)])
    on = segments(audio, True)[0]
    assert sorted(peak_freqs(on, 2)) == pytest.approx([400, 450], abs=3)


def test_de_ringback_425_1s_on_4s_off(pulse: PulseServer, bridge: DeviceBridge) -> None:
    audio, _ = capture_tone(pulse, bridge, "Germany", "ring", 6.5)
    assert_cadence(audio, [(True, 1000), (False, 4000)])
    on = segments(audio, True)[0]
    assert peak_freqs(on, 1) == pytest.approx([425], abs=2)


def test_jp_ringback_400_with_16hz_beat(pulse: PulseServer, bridge: DeviceBridge) -> None:
    audio, _ = capture_tone(pulse, bridge, "Japan", "ring", 4.5)
    # The 16 Hz envelope dips to zero, so cadence is judged on 100 ms windows.
    assert_cadence_coarse(audio, on_ms=1000, off_ms=2000)
    on = max(segments(audio, True, window_ms=100, threshold=800.0), key=len)
    assert sorted(peak_freqs(on, 2)) == pytest.approx([392, 408], abs=2)
    assert envelope_rate(on) == pytest.approx(16, abs=1)


def assert_cadence_coarse(audio: Samples, on_ms: int, off_ms: int) -> None:
    got = inner_runs(audio, window_ms=100)
    ons = [ms for s, ms in got if s]
    offs = [ms for s, ms in got if not s]
    assert any(abs(ms - on_ms) <= 100 for ms in ons), got
    assert any(abs(ms - off_ms) <= 100 for ms in offs), got


def test_us_busy_480_620_half_second(pulse: PulseServer, bridge: DeviceBridge) -> None:
    audio, _ = capture_tone(pulse, bridge, "United States", "busy", 3.0)
    assert_cadence(audio, [(True, 500), (False, 500), (True, 500), (False, 500)])
    on = segments(audio, True)[0]
    assert sorted(peak_freqs(on, 2)) == pytest.approx([480, 620], abs=3)


def test_stop_tone_silences_playback(pulse: PulseServer, bridge: DeviceBridge) -> None:
    bridge.play_tone(tone_for("Germany", "dial"))
    time.sleep(0.5)
    bridge.stop_tone()
    time.sleep(0.3)
    rec = pulse.record("spk.monitor", 1.0)
    time.sleep(1.0)
    audio = rec.stop()
    assert len(audio) > RATE // 2
    assert abs(audio.astype(int)).max() < 50
