"""When tones and the ringer sound: the pure rules of app/phone/tones_policy.py through the core."""

from __future__ import annotations

from app.phone.core import ENDED_LINGER
from app.phone.core_audio import SoundingPhoneCore
from app.phone.messages import (
    CallProgress,
    Dial,
    HangupCall,
    IncomingCall,
    Output,
    PlaceCall,
    PlayTone,
    Ring,
    StopRing,
    StopTone,
    Tick,
)
from app.phone.settings import Settings

AUDIO = (PlayTone, StopTone, Ring, StopRing)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[SoundingPhoneCore, Clock]:
    clock = Clock()
    return SoundingPhoneCore(Settings(), clock), clock


def sound(out: list[Output]) -> list[Output]:
    return [o for o in out if isinstance(o, AUDIO)]


def dial(core: SoundingPhoneCore) -> str:
    out = core.handle(Dial("sip:bob@127.0.0.1:5099"))
    place = next(o for o in out if isinstance(o, PlaceCall))
    assert sound(out) == []
    return place.call


def progress(
    core: SoundingPhoneCore, call: str, state: str, code: int, sdp: bool = False
) -> list[Output]:
    return sound(core.handle(CallProgress(call, state, code, "x", has_sdp=sdp)))


def test_ringback_on_180_without_sdp_stops_on_200() -> None:
    core, _ = make()
    call = dial(core)
    assert progress(core, call, "EARLY", 180) == [PlayTone("ring", call)]
    assert progress(core, call, "EARLY", 180) == []  # a repeated 180 does not restart it
    assert progress(core, call, "CONNECTING", 200) == [StopTone()]
    assert progress(core, call, "CONFIRMED", 200) == []


def test_early_media_replaces_ringback_and_180_with_sdp_never_starts_it() -> None:
    core, _ = make()
    call = dial(core)
    assert progress(core, call, "EARLY", 180) == [PlayTone("ring", call)]
    assert progress(core, call, "EARLY", 183, sdp=True) == [StopTone()]
    assert progress(core, call, "EARLY", 180) == []  # early media stays
    other = dial(core)
    assert progress(core, other, "EARLY", 180, sdp=True) == []
    assert progress(core, other, "EARLY", 183) == []


def test_busy_after_486_for_the_failed_screen_only() -> None:
    core, clock = make()
    call = dial(core)
    progress(core, call, "EARLY", 180)
    assert progress(core, call, "DISCONNECTED", 486) == [PlayTone("busy", call)]
    clock.now += ENDED_LINGER
    assert sound(core.handle(Tick(clock.now))) == [StopTone()]


def test_congestion_after_5xx_busy_after_600_nothing_after_404_or_a_cancel() -> None:
    for code, expected in ((503, "congestion"), (500, "congestion"), (600, "busy")):
        core, _ = make()
        call = dial(core)
        assert progress(core, call, "DISCONNECTED", code) == [PlayTone(expected, call)]
    for code in (404, 487):
        core, _ = make()
        call = dial(core)
        progress(core, call, "EARLY", 180)
        assert progress(core, call, "DISCONNECTED", code) == [StopTone()]


def test_outgoing_call_left_in_ringback_is_cancelled_after_the_timeout() -> None:
    core, clock = make()
    core.settings.features.ringback_timeout = 30
    call = dial(core)
    progress(core, call, "EARLY", 180)
    assert core.next_deadline() == clock.now + 30
    clock.now += 29.9
    assert not [o for o in core.handle(Tick(clock.now)) if isinstance(o, HangupCall)]
    clock.now += 0.1
    out = core.handle(Tick(clock.now))
    assert HangupCall(call, 0) in out
    clock.now += 1
    assert not [o for o in core.handle(Tick(clock.now)) if isinstance(o, HangupCall)]
    # the CANCEL ends it with 487: the tone stops and no busy tone follows
    assert progress(core, call, "DISCONNECTED", 487) == [StopTone()]


def test_answered_call_has_no_ringback_deadline() -> None:
    core, _ = make()
    call = dial(core)
    progress(core, call, "EARLY", 180)
    progress(core, call, "CONFIRMED", 200)
    assert core.next_deadline() is None


def test_incoming_rings_with_alert_info_ringtone_and_silence_stops_it() -> None:
    core, _ = make()
    core.settings.audio.ringtone = "Ring2"
    alert = (("Alert-Info", "<http://x/Ring5.wav>"),)
    out = sound(core.handle(IncomingCall("i1", 0, "sip:a@h", "A", alert)))
    assert out == [Ring("i1", "Ring5")]
    assert core.silence("i1") == [StopRing()]
    assert core.silence(None) == []
    plain = sound(core.handle(IncomingCall("i2", 0, "sip:b@h", "B")))
    assert plain == [Ring("i2", "Ring2")]  # a new call rings; the silenced one stays quiet


def test_incoming_ringer_stops_when_answered_or_gone() -> None:
    core, _ = make()
    assert sound(core.handle(IncomingCall("i1", 0, "sip:a@h", "A"))) == [Ring("i1", "Ring1")]
    assert progress(core, "i1", "CONFIRMED", 200) == [StopRing()]
    assert sound(core.handle(IncomingCall("i2", 0, "sip:a@h", "A"))) == [
        PlayTone("callwaiting", "i2")
    ]
    assert progress(core, "i2", "DISCONNECTED", 487) == [StopTone()]


def test_call_waiting_tone_only_while_talking_and_when_enabled() -> None:
    core, _ = make()
    call = dial(core)
    progress(core, call, "CONFIRMED", 200)
    out = sound(core.handle(IncomingCall("i9", 0, "sip:c@h", "C")))
    assert out == [PlayTone("callwaiting", "i9")]
    core2, _ = make()
    core2.settings.features.call_waiting_tone = False
    call2 = dial(core2)
    progress(core2, call2, "CONFIRMED", 200)
    assert sound(core2.handle(IncomingCall("i9", 0, "sip:c@h", "C"))) == []


def test_ringing_resumes_for_the_next_unsilenced_call_after_the_first_leaves() -> None:
    core, _ = make()
    core.handle(IncomingCall("i1", 0, "sip:a@h", "A"))
    core.handle(IncomingCall("i2", 0, "sip:b@h", "B", (("Alert-Info", "info=Ring4"),)))
    assert progress(core, "i1", "DISCONNECTED", 487) == [Ring("i2", "Ring4")]
