"""The engine's sound: the DeviceBridge and the pjsua2 bridge port, created once at start.

Runs on the engine's SIP thread, except `_on_status`, which the bridge's monitor thread calls:
it only stores the text, and the loop (`poll`) shows it. The core decides when tones and the
ringer sound (app/phone/tones_policy.py); this module carries its commands out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from app.audio.device_bridge import OK_TEXT, BridgeConfig, DeviceBridge, Mode
from app.audio.ringtone_loader import RingtoneLoader, is_builtin
from app.audio.ringtones import Ringtone, RingtoneError, builtin_ringtone
from app.audio.tone_plan import tone_for
from app.audio.tones import ToneError, parse_tone
from app.phone import intents as ui_intents
from app.phone.messages import (
    Command,
    MuteMic,
    Output,
    PlayTone,
    Publish,
    Ring,
    StopRing,
    StopTone,
    Then,
)
from app.phone.settings import AudioSettings, Settings
from app.phone.tones_policy import DialTone
from app.sip.audio_port import BridgePort, link_call_media

log = logging.getLogger("deskphone.audio")

# Key tones: the DTMF pair of the key, short, once (a desk phone's keypad feedback).
_ROWS = {"1": 697, "2": 697, "3": 697, "4": 770, "5": 770, "6": 770}
_ROWS |= {"7": 852, "8": 852, "9": 852, "*": 941, "0": 941, "#": 941}
_COLS = {"1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336}
_COLS |= {"0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477}
KEY_TONE_MS = 80
# s the conference clock runs on after the last call: pjmedia adds and removes a call's port
# only on a clock tick, so the ticks after a hang-up let the removal through.
CLOCK_LINGER = 2.0


def bridge_config(audio: AudioSettings) -> BridgeConfig:
    return BridgeConfig(
        handset=audio.handset_device,
        handsfree=audio.handsfree_device,
        ringer=audio.ringer_device,
    )


class EngineAudio:
    def __init__(
        self,
        settings: Callable[[], Settings],
        publish: Callable[[str, dict[str, Any]], None],
        show_error: Callable[[str], None],
        in_call: Callable[[], bool],
        warn: Callable[[str], None] | None = None,
        dialing: Callable[[], bool] | None = None,
        media_clock: Callable[[bool], None] | None = None,
    ) -> None:
        self._settings = settings
        self._publish = publish
        self._show_error = show_error
        # Device trouble is a line on the call screen, not a pop-up: a pop-up would take the
        # soft keys (Hold, End Call) from the user in the middle of the call.
        self._warn = warn or show_error
        self._in_call = in_call
        # The dial screen is up: the user is about to place a call (devices open now, so the
        # ringback's first sample is not held up by opening them).
        self._dialing = dialing or (lambda: False)
        # pjmedia's conference clock: on while a call exists and CLOCK_LINGER after.
        self._media_clock = media_clock
        self._clock_on = media_clock is not None  # SipStack.start() leaves it running
        self._clock_wanted_at = time.monotonic()
        self.bridge: DeviceBridge | None = None
        self.port: BridgePort | None = None
        self._status_lock = threading.Lock()
        self._status_new: str | None = None
        self._status_shown = ""
        self._warned_in_call = False
        self._tone: tuple[str, str] | None = None  # (kind, call) waiting for its first sample
        self._tone_requested = 0.0
        self.dial_tone = DialTone()
        self._turn_key: str | None = None  # the key of this loop turn (poll() forgets it)
        self._ring_requested = 0.0  # a Ring whose first sample poll() has not reported yet
        self.ringtones = RingtoneLoader()  # file ringtones are read off this thread

    # ---- life cycle ----------------------------------------------------------------------
    def start(self) -> None:
        """After SipStack.start(): look the sound devices up and create the bridge port (once).
        Nothing is opened here: the bridge opens a device when a call, tone or ring needs it."""
        audio = self._settings().audio
        self.ringtones.want(audio.ringtone)
        bridge = DeviceBridge(bridge_config(audio))
        bridge.set_volume("headset", audio.volume_handset)
        bridge.set_volume("speaker", audio.volume_handsfree)
        bridge.set_volume("ringer", audio.volume_ringer)
        bridge.on_status(self._on_status)
        bridge.start()
        self.bridge = bridge
        self._on_status(bridge.status)
        port = BridgePort(bridge)
        port.create()
        self.port = port
        log.info("audio: %s", bridge.status)

    def shutdown(self) -> None:
        """Before libDestroy(): the port goes while pjsua2 still lives, then the streams."""
        port, self.port = self.port, None
        if port is not None:
            port.destroy()  # pjsua removes a port's connections when it is destroyed
        if self.bridge is not None:
            self.bridge.close()

    def on_media(self, call: Any) -> None:
        """onCallMediaState: connect the call's audio (also early media) to the bridge port."""
        port, bridge = self.port, self.bridge
        if port is None:
            return
        self._run_clock(True)
        if bridge is not None:
            bridge.hold(True)
        before = set(port.connected)
        log.info("call %s: %s", getattr(call, "core_id", "?"), link_call_media(call, port))
        if bridge is not None and port.connected - before:
            # A call's audio just connected: no stale microphone audio, and the ring
            # statistics describe the call, not the idle time when nobody read the microphone.
            bridge.mic.clear()
            bridge.far.reset_stats()
            bridge.mic.reset_stats()

    # ---- commands from the core ----------------------------------------------------------
    def execute(self, cmd: Command) -> bool:
        """Carry out an audio command; False when `cmd` is not one."""
        bridge = self.bridge
        if isinstance(cmd, MuteMic):  # the core muted by itself (an intercom call)
            return self.handle_intent(ui_intents.Mute(cmd.on), lambda _call: [])
        if not isinstance(cmd, PlayTone | StopTone | Ring | StopRing):
            return False
        if bridge is None:
            return True
        if isinstance(cmd, PlayTone):
            self.dial_tone.core_play()
            self._play_tone(bridge, cmd)
        elif isinstance(cmd, StopTone):
            if self.dial_tone.core_stop():
                self._tone = None
                bridge.stop_tone()
        elif isinstance(cmd, Ring):
            self._ring_requested = time.monotonic()
            bridge.ring(self._ringtone(cmd.ringtone))
        else:
            self._ring_requested = 0.0
            bridge.silence()
        return True

    def _play_tone(self, bridge: DeviceBridge, cmd: PlayTone) -> None:
        audio = self._settings().audio
        try:
            spec = tone_for(audio.tone_country, cmd.kind, audio.custom_tones)
        except (ToneError, KeyError) as exc:
            self._show_error(f"Tone {cmd.kind}: {exc}")
            bridge.stop_tone()
            return
        self._tone, self._tone_requested = (cmd.kind, cmd.call), time.monotonic()
        bridge.play_tone(spec)

    def _ringtone(self, name: str) -> Ringtone:
        """A built-in at once; a file only once the loader has it (Ring1 until then)."""
        try:
            if is_builtin(name):
                return builtin_ringtone(name)
            got = self.ringtones.get(name)
            if isinstance(got, RingtoneError):
                raise got
        except RingtoneError as exc:
            self._show_error(f"Ringtone: {exc}")
            return builtin_ringtone("Ring1")
        if got is None:
            log.warning("ringtone %r is still being read: Ring1 for this call", name[:200])
            return builtin_ringtone("Ring1")
        return got

    def key_pressed(self, key: str) -> None:
        """Keypad feedback while dialing (settings.audio.key_tones); a digit ends the dial tone.

        Runs just before the handset handles the key, so an OffHook in this turn knows the key
        that opened the dial screen (tones_policy.DialTone)."""
        self._turn_key = key
        if self.dial_tone.key(key):
            self._stop_dial_tone()
        if self.bridge is None or key not in _ROWS or not self._settings().audio.key_tones:
            return
        self.bridge.play_key_tone(parse_tone(f"!{_ROWS[key]}+{_COLS[key]}/{KEY_TONE_MS}"))

    def _stop_dial_tone(self) -> None:
        self._tone = None
        if self.bridge is not None:
            self.bridge.stop_tone()

    # ---- handset intents -----------------------------------------------------------------
    def handle_intent(self, intent: object, silence: Callable[[str | None], list[Output]]) -> bool:
        """Off/on hook (dial tone), mute, HEADSET/SPEAKER, volume keys and Silence; False when
        not an audio intent."""
        bridge = self.bridge
        if isinstance(intent, ui_intents.OffHook):
            if self.dial_tone.off_hook(self._turn_key, self._in_call()) and bridge is not None:
                self._play_tone(bridge, PlayTone("dial", ""))
        elif isinstance(intent, ui_intents.OnHook):
            if self.dial_tone.on_hook():
                self._stop_dial_tone()
        elif isinstance(intent, ui_intents.Silence):
            for out in silence(intent.call):  # the core's StopRing
                if not isinstance(out, Publish | Then):
                    self.execute(out)
        elif isinstance(intent, ui_intents.Mute):
            if bridge is not None:
                bridge.set_mic_muted(intent.on)
            self._publish("audio", {**self.state(), "muted": intent.on})
        elif isinstance(intent, ui_intents.SelectAudioMode):
            if bridge is not None:
                bridge.set_mode(intent.mode)
            self._publish("audio", self.state())
        elif isinstance(intent, ui_intents.VolumeStep):
            if bridge is not None:
                target = bridge.mode.value if self._in_call() else "ringer"
                bridge.set_volume(target, bridge.volume(target) + intent.delta)
            self._publish("audio", self.state())
        else:
            return False
        return True

    # ---- the loop's turn -----------------------------------------------------------------
    @property
    def tone_pending(self) -> bool:
        """A tone or ringtone was started and its first sample is still awaited (poll()
        reports it)."""
        return self._tone is not None or bool(self._ring_requested)

    def _run_clock(self, on: bool) -> None:
        if on:
            self._clock_wanted_at = time.monotonic()
        if on == self._clock_on or self._media_clock is None:
            return
        if not on and time.monotonic() - self._clock_wanted_at < CLOCK_LINGER:
            return
        self._clock_on = on
        self._media_clock(on)
        log.debug("pjmedia clock %s", "on" if on else "off")

    @property
    def media_clock_on(self) -> bool:
        return self._clock_on

    def _hold_devices(self) -> None:
        """Devices and the conference clock follow what the phone is doing (idle costs
        nothing): a live call holds both, the dial screen holds the devices."""
        in_call = self._in_call()
        self._run_clock(in_call)
        if self.bridge is not None:
            self.bridge.hold(in_call or self._dialing())

    def poll(self) -> None:
        """Show device trouble, and report when a tone's first sample reached PortAudio."""
        self._turn_key = None  # an OffHook from now on came from typed text, not a key
        self._hold_devices()
        if self.dial_tone.check(self._in_call()):
            self._stop_dial_tone()
        with self._status_lock:
            text, self._status_new = self._status_new, None
        if text is not None:
            self._publish("audio", self.state())
            if text == OK_TEXT:
                self._warn("")
            elif self._in_call() and text != self._status_shown:
                self._status_shown = text
                self._warn(text)
        bridge = self.bridge
        if bridge is None:
            return
        if not bridge.ok and self._in_call() and not self._warned_in_call:
            # No popup at start-up (it would take the first key press): the user hears
            # nothing when a call is up, so the phone says why then.
            self._warned_in_call = True
            self._status_shown = bridge.status
            self._warn(bridge.status)
        if self._ring_requested and bridge.ring_started_at is not None:
            requested, self._ring_requested = self._ring_requested, 0.0
            self._publish(
                "ring_started", {"requested": requested, "started": bridge.ring_started_at}
            )
        if self._tone is not None and bridge.tone_started_at is not None:
            kind, call = self._tone
            self._tone = None
            self._publish(
                "tone_started",
                {
                    "kind": kind,
                    "call": call,
                    "requested": self._tone_requested,
                    "started": bridge.tone_started_at,
                },
            )

    def _on_status(self, text: str) -> None:
        with self._status_lock:
            self._status_new = text

    def state(self) -> dict[str, Any]:
        bridge = self.bridge
        if bridge is None:
            return {"status": "Audio not started", "ok": False}
        port = self.port
        stats = bridge.stats()
        return {
            "far_ms": [stats.far.mean_latency_ms, stats.far.p95_latency_ms],
            "mic_ms": [stats.mic.mean_latency_ms, stats.mic.p95_latency_ms],
            "far_drops": [stats.far.overruns, stats.far.underruns],
            "mic_drops": [stats.mic.overruns, stats.mic.underruns],
            "play_rate": stats.play_rate,
            "status": bridge.status,
            "ok": bridge.ok,
            "mode": str(bridge.mode),
            "volume": {t: bridge.volume(t) for t in ("headset", "speaker", "ringer")},
            "frames_in": port.frames_in if port else 0,
            "frames_out": port.frames_out if port else 0,
            "port_seconds": port.seconds if port else 0.0,
            "open_streams": stats.open_streams,
            "opens": bridge.opens,
            "xruns": stats.xruns,
            "bursts": stats.bursts,
            "media_clock": self._clock_on,
        }

    def apply_settings(self, old: AudioSettings, new: AudioSettings) -> None:
        """Settings saved: new devices reopen the streams; new volumes apply at once; a file
        ringtone is read again (it may be a new file under the same name)."""
        self.ringtones.want(new.ringtone, fresh=True)
        bridge = self.bridge
        if bridge is None:
            return
        for target, level in (
            ("headset", new.volume_handset),
            ("speaker", new.volume_handsfree),
            ("ringer", new.volume_ringer),
        ):
            bridge.set_volume(target, level)
        devices = (new.handset_device, new.handsfree_device, new.ringer_device)
        if devices != (old.handset_device, old.handsfree_device, old.ringer_device):
            bridge.set_devices(*devices)


__all__ = ["EngineAudio", "Mode"]
