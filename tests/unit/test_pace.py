"""Pace: a device stream takes audio only as fast as wall time passes (app/audio/pace.py)."""

from __future__ import annotations

from app.audio.pace import Pace

RATE = 16000
BLOCK = 160


def test_real_time_callbacks_are_never_refused() -> None:
    pace = Pace(RATE, slack=2000)
    t = 100.0
    # priming: the device buffer filled at once, then one block every 10 ms for a minute
    assert all(pace.allow(t, BLOCK) for _ in range(12))
    for _ in range(6000):
        t += BLOCK / RATE
        assert pace.allow(t, BLOCK)
    assert pace.bursts == 0 and pace.refused == 0


def test_a_post_xrun_burst_is_refused_and_counted_once() -> None:
    pace = Pace(RATE, slack=2000)
    t = 5.0
    for _ in range(100):
        assert pace.allow(t, BLOCK)
        t += BLOCK / RATE
    # PortAudio re-prepares after an xrun and asks for a second of audio within 50 ms
    answers = [pace.allow(t + i * 0.0005, BLOCK) for i in range(100)]
    assert answers.count(True) <= (2000 + 0.05 * RATE * 1.02) // BLOCK + 1
    assert pace.bursts == 1
    assert pace.refused >= (100 - answers.count(True)) * BLOCK
    # real time resumes: callbacks are served again
    t += 0.05
    served = 0
    for _ in range(200):
        t += BLOCK / RATE
        served += pace.allow(t, BLOCK)
    assert served >= 190


def test_a_late_device_gets_no_credit_for_a_later_burst() -> None:
    pace = Pace(RATE, slack=1000)
    t = 1.0
    assert pace.allow(t, BLOCK)
    t += 0.5  # the device stalled half a second (the listener heard a gap)
    burst = sum(pace.allow(t, BLOCK) for _ in range(50))
    assert burst * BLOCK <= 1000 + BLOCK  # only the buffer's worth, not the 8000 samples owed


def test_drift_within_the_margin_is_never_refused() -> None:
    pace = Pace(RATE, slack=2000)
    t = 0.0
    for _ in range(60_000):  # ten minutes of a device 1 % fast
        t += BLOCK / RATE / 1.01
        assert pace.allow(t + 1e-9, BLOCK)
