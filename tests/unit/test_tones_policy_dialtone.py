"""The dial tone rules (app/phone/tones_policy.DialTone): pure, no audio."""

from __future__ import annotations

import pytest

from app.phone.tones_policy import DialTone


@pytest.mark.parametrize("key", ["SPEAKER", "L1", "L3", "HEADSET"])
def test_off_hook_from_speaker_or_line_key_plays_until_the_first_digit(key: str) -> None:
    dial = DialTone()
    assert dial.off_hook(key, in_call=False)
    assert not dial.key("OK")  # navigation keys leave it sounding
    assert dial.active
    assert dial.key("5")
    assert not dial.active
    assert not dial.key("6")  # only the first digit stops it
    assert not dial.key("BACKSPACE") and not dial.active  # deleting digits brings no new tone


@pytest.mark.parametrize("key", [*"0123456789*#", None])
def test_off_hook_caused_by_a_digit_or_typed_text_plays_nothing(key: str | None) -> None:
    dial = DialTone()
    assert not dial.off_hook(key, in_call=False)
    assert not dial.active


def test_no_dial_tone_during_a_call() -> None:
    assert not DialTone().off_hook("L1", in_call=True)


def test_on_hook_stops_it_once() -> None:
    dial = DialTone()
    dial.off_hook("SPEAKER", in_call=False)
    assert dial.on_hook()
    assert not dial.on_hook()  # already quiet: no second StopTone
    assert not DialTone().on_hook()


def test_a_live_call_ends_it() -> None:
    dial = DialTone()
    dial.off_hook("SPEAKER", in_call=False)
    assert not dial.check(in_call=False) and dial.active
    assert dial.check(in_call=True)
    assert not dial.active and not dial.check(in_call=True)


def test_core_tones_win_but_a_stale_stop_does_not_silence_it() -> None:
    dial = DialTone()
    dial.off_hook("SPEAKER", in_call=False)
    # a failed call's busy tone ends 3 s later: its StopTone must not cut the dial tone
    assert not dial.core_stop()
    assert dial.active
    dial.core_play()  # ringback of the call just dialled replaces it
    assert not dial.active
    assert dial.core_stop()
