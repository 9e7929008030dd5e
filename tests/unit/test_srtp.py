"""SRTP: reading keys out of SDP, and what the phone core makes of encrypted media."""

from __future__ import annotations

from app.phone.core import PhoneCore
from app.phone.messages import CallProgress, CallSecured, Dial, PlaceCall, Publish
from app.phone.model import CallState
from app.phone.settings import AccountSettings, Settings
from app.phone.texts import T
from app.sip.srtp import MediaSecurity, audio_suites, encrypted, sdp_body

OFFER = (
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0 8\r\n"
    "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:GzSEs0dlAspVU0rhXhhWHDTuuoGWapyJTtL7I/DL2Ss\r\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:KejC+1UJO8OEJo+KNNehPPJV8h/UWR2DI+3kwpGX\r\n"
    "m=video 4002 RTP/AVP 96\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:QIBV69v4NB+JQVjGqf/OTsEqJL4kXo1d2nXBOgpg\r\n"
)
ANSWER = (
    "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 39944 RTP/AVP 0\r\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:KOOD/LwE4ZcptcaMdRPB2g90W5GT7C6dwlYGvwh6\r\n"
)
PLAIN = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 39944 RTP/AVP 0\r\n"


def test_audio_keys_are_read_from_the_audio_section_only() -> None:
    assert audio_suites(OFFER) == ["AES_256_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80"]
    assert audio_suites(PLAIN) == [] and audio_suites("") == []
    assert audio_suites("m=audio 1 RTP/AVP 0\na=crypto:1 " + "A" * 200 + " inline:x") == []
    message = "SIP/2.0 200 OK\r\nContent-Type: application/sdp\r\n\r\n" + ANSWER
    assert sdp_body(message) == ANSWER
    assert sdp_body("SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n") == ""


def test_encrypted_needs_our_key_and_theirs_for_one_of_our_suites() -> None:
    assert encrypted(OFFER, ANSWER)
    assert not encrypted(OFFER, PLAIN)
    assert not encrypted(PLAIN, ANSWER)  # a key answered to a plain offer is not used
    odd = ANSWER.replace("AES_CM_128_HMAC_SHA1_80", "F8_128_HMAC_SHA1_80")
    assert not encrypted(OFFER, odd)
    assert encrypted("", ANSWER)  # the answer to an incoming INVITE: pjsua's own suites


def test_media_security_says_nothing_until_the_other_side_spoke() -> None:
    leg = MediaSecurity(mode="optional")
    leg.local(OFFER)
    assert leg.changed() is None  # media reported before the answer's message was read
    leg.remote(ANSWER)
    assert leg.changed() is True and leg.changed() is None
    leg.remote(PLAIN)  # a re-INVITE answered without keys
    assert leg.changed() is False
    off = MediaSecurity(mode="off")
    off.local(PLAIN)
    off.remote(ANSWER)
    assert off.changed() is False


def core_with(srtp: str) -> PhoneCore:
    acc = AccountSettings(user="alice", server="pbx.example", srtp=srtp)
    return PhoneCore(Settings(accounts=[acc]), lambda: 100.0)


def calls(out: list[object]) -> list[dict[str, object]]:
    return [o.data for o in out if isinstance(o, Publish) and o.kind == "call"]


def test_the_core_publishes_encryption_and_names_an_srtp_refusal() -> None:
    core = core_with("compulsory")
    place = next(o for o in core.handle(Dial("2001")) if isinstance(o, PlaceCall))
    core.handle(CallProgress(place.call, "CONFIRMED", 200, "OK"))
    assert calls(core.handle(CallSecured(place.call, True)))[0]["encrypted"] is True
    assert core.handle(CallSecured(place.call, True)) == []  # no change, nothing said

    other = next(o for o in core.handle(Dial("2002")) if isinstance(o, PlaceCall))
    out = core.handle(CallProgress(other.call, "DISCONNECTED", 488, "Not Acceptable Here"))
    failed = calls(out)[0]
    assert failed["state"] == CallState.FAILED and failed["text"] == T.SRTP_REFUSED

    plain = core_with("optional")
    third = next(o for o in plain.handle(Dial("2003")) if isinstance(o, PlaceCall))
    out = plain.handle(CallProgress(third.call, "DISCONNECTED", 488, "Not Acceptable Here"))
    assert calls(out)[0]["text"] == "Not acceptable here!"  # Yealink's words otherwise
