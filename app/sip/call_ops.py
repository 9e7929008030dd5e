"""pjsua2 operations on established calls: hold, DTMF, transfer, conference.

Called by the SIP adapter on the SIP thread only. Each returns normally or raises pj.Error;
the adapter decides what a failure means for the core.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import pjsua2 as pj

from app.phone.messages import (
    CallMediaChanged,
    ConferenceCalls,
    HoldCall,
    Input,
    SendDtmfCall,
    TransferCall,
    TransferStatus,
)
from app.sip.call import SipCall, far_muted

log = logging.getLogger("deskphone.sip")

_MEDIA_STATUS = {
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}
EBUSY = 70013  # PJ_EINVALIDOP: pjsua refuses a re-INVITE while one is pending
DTMF_INFO_MS = 160  # duration announced in the INFO body (Yealink sends 160-250 ms)


def media_status(call: pj.Call) -> str:
    """The first audio stream's status after the last offer/answer."""
    info = call.getInfo()  # kept: iterating a temporary's vector reads freed memory
    for media in info.media:
        if media.type == pj.PJMEDIA_TYPE_AUDIO:
            return _MEDIA_STATUS.get(media.status, "none")
    return "none"


def set_hold(call: pj.Call, hold: bool) -> None:
    """Hold: re-INVITE with a=sendonly. Resume: re-INVITE with the UNHOLD flag (sendrecv)."""
    op = pj.CallOpParam(True)
    if hold:
        call.setHold(op)
    else:
        op.opt.flag = pj.PJSUA_CALL_UNHOLD
        call.reinvite(op)


def send_info_digit(call: pj.Call, digit: str) -> None:
    """One SIP INFO (application/dtmf-relay) for one digit."""
    prm = pj.CallSendDtmfParam()
    prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
    prm.digits = digit
    prm.duration = DTMF_INFO_MS
    call.sendDtmf(prm)


def transfer(call: pj.Call, target_uri: str, replaces: pj.Call | None) -> None:
    """REFER: Refer-To the target (blind), or to the consultation call's peer with Replaces."""
    op = pj.CallOpParam(True)
    if replaces is not None:
        call.xferReplaces(replaces, op)
    else:
        call.xfer(target_uri, op)


def audio_of(call: pj.Call) -> pj.AudioMedia | None:
    try:
        if not call.hasMedia() or media_status(call) not in ("active", "remote_hold"):
            return None
        return call.getAudioMedia(-1)
    except pj.Error:
        return None


def bridge(calls: Iterable[pj.Call]) -> int:
    """Connect every call's audio to every other's (the conference bridge mixes them), but
    none from a far-muted call; the audio device side is the audio bridge's business. Returns
    the links made."""
    legs = [(c, m) for c in calls if (m := audio_of(c)) is not None]
    links = 0
    for source, a in legs:
        for _, b in legs:
            if a is b:
                continue
            try:
                if not far_muted(source):
                    a.startTransmit(b)
                    links += 1
                    continue
            except pj.Error as exc:
                log.warning("conference link failed: %s", exc.info())
                continue
            try:
                a.stopTransmit(b)
            except pj.Error as exc:  # not linked in the first place
                log.debug("conference unlink: %s", exc.info())
    return links


def unbridge(left: Iterable[pj.Call], others: Iterable[pj.Call]) -> None:
    """Take calls out of the conference: no audio between them and the others any more (nor
    between two that leave together, as Split does)."""
    gone = [m for m in (audio_of(c) for c in left) if m is not None]
    rest = [m for m in (audio_of(c) for c in others) if m is not None]
    for a in gone:
        for b in gone + rest:
            if a is b:
                continue
            for source, sink in ((a, b), (b, a)):
                try:
                    source.stopTransmit(sink)
                except pj.Error as exc:
                    log.debug("conference unlink: %s", exc.info())


CallOp = HoldCall | SendDtmfCall | TransferCall | ConferenceCalls


class CallOperations:
    """The adapter's part for established calls; `calls` is the adapter's own dict (core id ->
    the one live SipCall), so no reference to a call is ever kept here."""

    def __init__(
        self,
        calls: dict[str, SipCall],
        feed: Callable[[Input], None],
        relink: Callable[[SipCall], None] | None = None,
    ) -> None:
        self.calls = calls
        self._feed = feed
        # the sound device's link of a call whose far mute changed (the engine's audio)
        self._relink = relink
        self.conference: tuple[str, ...] = ()  # core ids whose audio is bridged together
        # hold wanted per call: a hold/resume asked while a re-INVITE is still pending is
        # refused by pjsua (PJ_EINVALIDOP) and is sent when that offer/answer completes
        self._want_hold: dict[str, bool] = {}
        self._retry: set[str] = set()
        self._info_ready: set[str] = set()  # calls whose last DTMF INFO was answered

    def _queue_info(self, call: SipCall, digits: str) -> None:
        dropped = call.info_dtmf.add(digits)
        if dropped:
            log.warning("call %s: %d DTMF digits dropped (queue full)", call.core_id, dropped)
        call.on_info_answered = self._info_answered
        self._send_info(call)

    def _info_answered(self, call: SipCall) -> None:
        # inside onCallTsxState: the next INFO goes on the engine loop's next turn
        if call.info_dtmf.waiting:
            self._info_ready.add(call.core_id)

    def _send_info(self, call: SipCall) -> None:
        digit = call.info_dtmf.next_digit()
        if digit is None:
            return
        try:
            send_info_digit(call, digit)
        except pj.Error as exc:
            log.warning("DTMF INFO on %s failed: %s", call.core_id, exc.info())
            call.info_dtmf.clear()

    def retry_pending(self) -> None:
        """Outside any callback (the engine loop): send the holds/resumes that had to wait,
        and the DTMF INFOs whose previous one was answered."""
        if self._info_ready:
            ready, self._info_ready = self._info_ready, set()
            for core_id in ready:
                if (call := self.calls.get(core_id)) is not None:
                    self._send_info(call)
        retry, self._retry = self._retry, set()
        for core_id in retry:
            call, want = self.calls.get(core_id), self._want_hold.get(core_id)
            if call is None or want is None:
                continue
            try:
                set_hold(call, want)
            except pj.Error as exc:
                log.warning("hold=%s on %s failed: %s", want, core_id, exc.info())
                self._want_hold.pop(core_id, None)
                self._feed(CallMediaChanged(core_id, media_status(call)))

    def execute(self, cmd: CallOp) -> None:
        """A failure is logged and reported to the core as a fact."""
        if isinstance(cmd, ConferenceCalls):
            self._conference(cmd)
            return
        call = self.calls.get(cmd.call)
        if call is None:
            return
        try:
            match cmd:
                case HoldCall():
                    self._want_hold[cmd.call] = cmd.hold
                    set_hold(call, cmd.hold)
                case SendDtmfCall() if cmd.method == "info":
                    self._queue_info(call, cmd.digits)
                case SendDtmfCall():
                    call.dialDtmf(cmd.digits)  # RFC 2833 telephone-events in the RTP stream
                case TransferCall():
                    call.on_transfer = self.on_transfer
                    other = self.calls.get(cmd.replaces) if cmd.replaces else None
                    if cmd.replaces and other is None:
                        raise ValueError(f"no call {cmd.replaces} to replace")
                    transfer(call, cmd.target_uri, other)
        except (pj.Error, ValueError) as exc:
            if isinstance(cmd, HoldCall) and isinstance(exc, pj.Error) and exc.status == EBUSY:
                log.info("hold=%s on %s waits for the pending re-INVITE", cmd.hold, cmd.call)
                return
            text = exc.info() if isinstance(exc, pj.Error) else str(exc)
            log.warning("%s on %s failed: %s", type(cmd).__name__, cmd.call, text)
            if isinstance(cmd, HoldCall):
                self._feed(CallMediaChanged(cmd.call, media_status(call)))
            elif isinstance(cmd, TransferCall):
                self._feed(TransferStatus(cmd.call, 500, text[:80], True))

    def _conference(self, cmd: ConferenceCalls) -> None:
        left = [c for i in self.conference if i not in cmd.calls and (c := self.calls.get(i))]
        self.conference = cmd.calls
        changed = []
        for call in [*left, *self._legs()]:
            muted = call.core_id in cmd.muted and call.core_id in cmd.calls
            if far_muted(call) != muted:
                call.far_muted = muted
                changed.append(call)
        unbridge(left, self._legs())
        links = bridge(self._legs())
        for call in changed:
            if self._relink is not None:
                self._relink(call)
        log.info("conference %s (muted %s): %d audio links", cmd.calls, cmd.muted, links)

    def _legs(self) -> list[SipCall]:
        return [c for i in self.conference if (c := self.calls.get(i)) is not None]

    def on_media(self, call: SipCall) -> None:
        """Hold state for the core, and the conference links a re-INVITE may have re-created."""
        if self.calls.get(call.core_id) is not call:
            return
        status = media_status(call)
        want = self._want_hold.get(call.core_id)
        log.debug("media of %s: %s (hold wanted: %s)", call.core_id, status, want)
        settled = status in ("active", "local_hold", "remote_hold")
        if want is not None and settled and (status == "local_hold") != want:
            # pjsua is still inside this offer/answer: the engine loop sends it next turn
            self._retry.add(call.core_id)
            return
        self._want_hold.pop(call.core_id, None)
        self.conference = tuple(i for i in self.conference if i in self.calls)
        if call.core_id in self.conference and status == "active":
            bridge(self._legs())
        self._feed(CallMediaChanged(call.core_id, status))

    def on_transfer(self, call: SipCall, prm: Any) -> None:
        final = bool(prm.finalNotify)
        code = int(prm.statusCode)
        if final or code >= 200:
            prm.cont = False  # the outcome is known: no further NOTIFYs wanted
        self._feed(TransferStatus(call.core_id, code, str(prm.reason), final))
