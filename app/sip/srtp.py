"""SRTP with SDES keys (RFC 4568): per-account mode, and whether a call's media is encrypted.

Modes are Yealink's `account.X.srtp_encryption` (0 off, 1 optional, 2 compulsory) mapped onto
pjsua2's `AccountMediaConfig.srtpUse` (docs/pjsua2.md §10):
- off: plain RTP/AVP offers; crypto lines in offers are ignored, an RTP/SAVP offer gets 488.
- optional: RTP/AVP offers carrying `a=crypto` (best effort): encrypted when the other side
  answers with a key, plain otherwise; either kind of offer is accepted.
- compulsory: RTP/SAVP offers; an answer or offer without a usable key fails the call (488).
`srtpSecureSignaling` is 0: the keys travel in the SDP, so over UDP or TCP anyone who reads the
SIP can decrypt the media; only a TLS account keeps them private (README, Security). Yealink
phones allow SRTP over UDP too.

Whether media is encrypted is not exposed by pjsua2 2.15 (StreamInfo.proto says RTP/AVP for a
best-effort SRTP stream), so it is read from the SDP: encrypted when our latest SDP carried
keys and the other side's latest SDP has a key for one of our suites. pjsua only puts a key
in an answer when it accepted SRTP, and ignores a key the other side sends to a plain offer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import pjsua2 as pj

from app.phone.settings import Settings

SRTP_MODES: Final = ("off", "optional", "compulsory")
_USE: Final = {
    "off": pj.PJMEDIA_SRTP_DISABLED,
    "optional": pj.PJMEDIA_SRTP_OPTIONAL,
    "compulsory": pj.PJMEDIA_SRTP_MANDATORY,
}
# What pjsua 2.15 offers and accepts by default (its offers carry exactly these, seen).
PJSUA_SUITES: Final = frozenset(
    {
        "AES_256_CM_HMAC_SHA1_80",
        "AES_256_CM_HMAC_SHA1_32",
        "AES_CM_128_HMAC_SHA1_80",
        "AES_CM_128_HMAC_SHA1_32",
    }
)
MAX_SDP: Final = 16_384  # an SDP body beyond this is not looked at (no audio key trusted)
_CRYPTO_RE: Final = re.compile(r"^a=crypto:\d{1,9}\s+([A-Za-z0-9_]{1,64})\s", re.MULTILINE)


def apply_srtp(cfg: pj.AccountConfig, mode: str) -> None:
    """Set an account config's SRTP use; an unknown mode counts as off."""
    cfg.mediaConfig.srtpUse = _USE.get(mode, pj.PJMEDIA_SRTP_DISABLED)
    cfg.mediaConfig.srtpSecureSignaling = 0


def account_srtp(settings: Settings, index: int) -> str:
    """The SRTP mode of account `index` (1-based); the local account has none."""
    accounts = settings.accounts
    return accounts[index - 1].srtp if 0 < index <= len(accounts) else "off"


def sdp_body(message: str) -> str:
    """The SDP of a whole SIP message ('' when it carries none)."""
    _head, sep, body = message.partition("\r\n\r\n")
    if not sep or "v=0" not in body[:64] or len(body) > MAX_SDP:
        return ""
    return body


def audio_suites(sdp: str) -> list[str]:
    """Crypto suites of the first audio m= section (empty: no SRTP keys for audio)."""
    if not sdp or len(sdp) > MAX_SDP:
        return []
    text = sdp.replace("\r\n", "\n")
    sections = re.split(r"^(?=m=)", text, flags=re.MULTILINE)
    audio = next((s for s in sections if s.startswith("m=audio")), "")
    return [m.group(1).upper() for m in _CRYPTO_RE.finditer(audio)]


def encrypted(local_sdp: str, remote_sdp: str) -> bool:
    """Our SDP carried keys and theirs has a key for one of our suites. With no local SDP
    seen (the answer to an incoming INVITE is made before the call object exists), pjsua's
    own suites stand in for it."""
    ours = set(audio_suites(local_sdp)) if local_sdp else set(PJSUA_SUITES)
    return bool(ours) and any(suite in ours for suite in audio_suites(remote_sdp))


@dataclass
class MediaSecurity:
    """The SDPs of one call leg as they are exchanged, and what they say about its media."""

    mode: str = "off"
    local_sdp: str = ""
    remote_sdp: str = ""
    reported: bool | None = None  # the last value told to the core

    def local(self, sdp: str) -> None:
        self.local_sdp = sdp if len(sdp) <= MAX_SDP else ""

    def remote(self, sdp: str) -> None:
        if sdp:
            self.remote_sdp = sdp if len(sdp) <= MAX_SDP else ""

    @property
    def encrypted(self) -> bool:
        return self.mode != "off" and encrypted(self.local_sdp, self.remote_sdp)

    def changed(self) -> bool | None:
        """The new value when it differs from the last one reported, else None. Nothing is
        said before the other side's SDP is seen: pjsua2 reports the media of an answer it
        took before the answer's message reaches onCallTsxState."""
        if not self.remote_sdp:
            return None
        now = self.encrypted
        if now == self.reported:
            return None
        self.reported = now
        return now
