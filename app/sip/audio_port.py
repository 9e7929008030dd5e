"""The calls' link to the sound devices: slot 0 of pjsua's conference bridge.

pjsua runs with no sound device; slot 0 (the master port) is ticked by the playback device's
callback (app/sip/master_port.py, app/audio/conference_clock.py). A call's audio connected to
slot 0 is what the speaker plays, and slot 0 connected to the call is the microphone. Connect
and disconnect only, from the SIP thread: pjsua applies both on the conference's next tick.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Protocol

import pjsua2 as pj

from app.sip.call import far_muted

log = logging.getLogger("deskphone.sip")


class BridgePort(Protocol):
    """Slot 0 as pjsua2's AudioMedia (any call's media can transmit to it), with the calls
    whose audio goes through it."""

    connected: set[int]  # pjsua call ids

    def startTransmit(self, sink: Any) -> None: ...

    def stopTransmit(self, sink: Any) -> None: ...


def bridge_port(endpoint: Any) -> BridgePort:
    """AudDevManager's own AudioMedia for slot 0 (alive until libDestroy()), carrying the
    connected calls' ids. SIP thread, after setNoDev()."""
    media = endpoint.audDevManager().getPlaybackDevMedia()
    media.connected = set()
    port: BridgePort = media
    return port


def _audio_indexes(info: Any) -> tuple[list[int], list[int]]:
    """(media to connect, media to disconnect) of a call, by media index."""
    live, idle = [], []
    for i, media in enumerate(info.media):
        if media.type != pj.PJMEDIA_TYPE_AUDIO:
            continue
        if media.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
            live.append(i)
        else:
            idle.append(i)
    return live, idle


def link_call_media(call: Any, port: BridgePort) -> str:
    """Connect a call's active audio (early media too) to the port both ways; disconnect it
    when on hold or gone. A far-muted conference call is heard by nobody: only the port's
    audio goes to it. Runs on the SIP thread (onCallMediaState, or a far mute changing).
    Returns what it did."""
    info = call.getInfo()
    live, idle = _audio_indexes(info)
    done = []
    for index in live:
        media = call.getAudioMedia(index)
        if far_muted(call):
            with contextlib.suppress(pj.Error):  # it was not connected
                media.stopTransmit(port)
        else:
            media.startTransmit(port)
        port.startTransmit(media)
        port.connected.add(int(info.id))
        done.append(f"audio {index} connected" + (" (far muted)" if far_muted(call) else ""))
    for index in idle:
        try:
            media = call.getAudioMedia(index)
        except pj.Error:
            continue  # no conference slot any more: nothing flows
        try:
            media.stopTransmit(port)
            port.stopTransmit(media)
        except pj.Error:
            pass
        done.append(f"audio {index} disconnected")
    if not live:
        port.connected.discard(int(info.id))
    return ", ".join(done) or "no audio media"
