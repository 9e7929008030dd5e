"""The engine's sound: pjmedia's conference clock, the calls' link to it, and the DeviceBridge.

Runs on the engine's SIP thread, except the status reports of the bridge's monitor thread,
which audio_status.py keeps until the loop (`poll`) shows them. The core decides when tones
and the ringer sound (app/phone/tones_policy.py); this module carries its commands out.

The conference clock exists from the start (calls need it, sound or not). The DeviceBridge,
with PortAudio, loads the first time sound is needed (app/engine/sound_loader.py);
until then the sound wanted (tone, ringtone, mode, volumes, mute) is kept here and handed to
the bridge when it arrives. Beside it: audio_settings.py (settings -> bridge devices and
volumes), audio_state.py (the state published to the UI), audio_status.py (device trouble
told to the user), key_tones.py (keypad feedback).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.audio.bridge_config import Mode
from app.audio.conference_clock import Conference, ConferenceClock
from app.audio.ringtone_loader import RingtoneLoader, is_builtin
from app.audio.tone_plan import tone_for
from app.audio.tones import ToneError, ToneSpec, parse_tone
from app.engine.audio_settings import (
    VOLUME_KEYS,
    bridge_config,
    configured_devices,
    devices,
    volumes,
)
from app.engine.audio_state import audio_state
from app.engine.audio_status import SoundStatus
from app.engine.key_tones import key_tone
from app.engine.sound_loader import SoundLoader
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

if TYPE_CHECKING:
    from app.audio.device_bridge import DeviceBridge
    from app.audio.ringtones import Ringtone

log = logging.getLogger("deskphone.audio")

# s the conference clock runs on after the last call: pjmedia adds and removes a call's port
# only on a clock tick, so the ticks after a hang-up let the removal through.
CLOCK_LINGER = 2.0


class EngineAudio:
    def __init__(
        self,
        settings: Callable[[], Settings],
        publish: Callable[[str, dict[str, Any]], None],
        show_error: Callable[[str], None],
        in_call: Callable[[], bool],
        warn: Callable[[str], None] | None = None,
        dialing: Callable[[], bool] | None = None,
    ) -> None:
        self._settings = settings
        self._publish = publish
        self._show_error = show_error
        self._in_call = in_call
        # The dial screen is up: the user is about to place a call (devices open now, so the
        # ringback's first sample is not held up by opening them).
        self._dialing = dialing or (lambda: False)
        # pjmedia's conference clock: on while a call exists and CLOCK_LINGER after.
        self.clock = ConferenceClock(None)
        self._clock_wanted_at = time.monotonic()
        self._problem = ""  # sound cannot work at all (said once a call is up)
        self.bridge: DeviceBridge | None = None
        self.port: BridgePort | None = None
        self._loader: SoundLoader[DeviceBridge] = SoundLoader(self._make_bridge)
        # What the bridge is to do; kept here while it loads and handed over when it arrives.
        audio = settings().audio
        self._volume = volumes(audio)
        self._mode = Mode.HEADSET
        self._muted = False
        self._tone_spec: ToneSpec | None = None
        self._ring_name: str | None = None
        # Device trouble is a line on the call screen, not a pop-up: a pop-up would take the
        # soft keys (Hold, End Call) from the user in the middle of the call.
        self._status = SoundStatus(
            lambda: publish("audio", self.state()), warn or show_error, in_call
        )
        self._tone: tuple[str, str] | None = None  # (kind, call) waiting for its first sample
        self._tone_requested = 0.0
        self.dial_tone = DialTone()
        self._turn_key: str | None = None  # the key of this loop turn (poll() forgets it)
        self._ring_requested = 0.0  # a Ring whose first sample poll() has not reported yet
        self.ringtones = RingtoneLoader()  # file ringtones are read off this thread

    # ---- life cycle ----------------------------------------------------------------------
    def start(
        self,
        conference: Conference | None,
        port: BridgePort | None,
        problem: str = "",
        wake: Callable[[], None] | None = None,
    ) -> None:
        """After SipStack.start(): the conference's clock and the calls' link to it. No sound
        library is loaded here (sound_loader.py); `wake` ends the loop's wait when it is."""
        self.clock = ConferenceClock(conference)
        self.port = port
        self._problem = problem
        self._loader.ready = self._status.wake = wake
        self.ringtones.want(self._settings().audio.ringtone)  # a file: read before it rings
        if problem:
            self._status.report(problem)

    def _make_bridge(self) -> DeviceBridge:
        """On the loader's thread: PortAudio (its device list) and the bridge."""
        from app.audio.device_bridge import DeviceBridge
        from app.audio.ringtones import builtin_ringtone
        from app.audio.tone_synth import prepare

        audio = self._settings().audio
        bridge = DeviceBridge(bridge_config(audio), self.clock)
        bridge.on_status(self._status.report)
        bridge.start()
        # Synthesised once (cached), here rather than on the SIP thread when a call rings or a
        # key is pressed: the ringtones (20-60 ms each) and the key tones' sine tables (~4 ms
        # a frequency). A ringtone chosen by Alert-Info is synthesised when it first rings.
        builtin_ringtone("Ring1")
        if is_builtin(audio.ringtone):
            builtin_ringtone(audio.ringtone)
        for tone in filter(None, map(key_tone, "0123456789*#")):
            prepare(parse_tone(tone))
        return bridge

    def _need_sound(self) -> None:
        if self.bridge is None:
            self._loader.request()

    def _adopt(self) -> None:
        """The bridge has loaded: hand it what is wanted now (SIP thread)."""
        bridge = self._loader.take()
        if bridge is None:
            if self._loader.error and not self._problem:
                self._problem = self._loader.error
                self._status.report(self._problem)
            return
        self.bridge = bridge
        for target, level in self._volume.items():
            bridge.set_volume(target, level)
        bridge.set_mode(self._mode)
        bridge.set_mic_muted(self._muted)
        audio = self._settings().audio
        if devices(audio) != configured_devices(bridge.config):
            bridge.set_devices(*devices(audio))
        if self._tone_spec is not None:
            bridge.play_tone(self._tone_spec)
        if self._ring_name is not None:
            bridge.ring(self._ringtone(self._ring_name))
        self._hold_devices()
        self._status.report(bridge.status)
        log.info("audio: sound loaded: %s", bridge.status)

    def shutdown(self) -> None:
        """Before libDestroy(): no conference tick from here on, then the streams close."""
        self.clock.close()
        self.port = None
        bridge = self.bridge or self._loader.abandon(5.0)
        if bridge is not None:
            bridge.close()

    def on_media(self, call: Any) -> None:
        """onCallMediaState: connect the call's audio (also early media) to the devices."""
        port = self.port
        if port is None:
            return
        self._run_clock(True)
        self._need_sound()
        bridge = self.bridge
        if bridge is not None:
            bridge.hold(True)
        before = set(port.connected)
        log.info("call %s: %s", getattr(call, "core_id", "?"), link_call_media(call, port))
        if bridge is not None and port.connected - before:
            # A call's audio just connected: no stale microphone audio, and the ring
            # statistics describe the call, not the idle time when nobody read the microphone.
            bridge.mic.clear()
            bridge.mic.reset_stats()

    # ---- commands from the core ----------------------------------------------------------
    def execute(self, cmd: Command) -> bool:
        """Carry out an audio command; False when `cmd` is not one."""
        if isinstance(cmd, MuteMic):  # the core muted by itself (an intercom call)
            return self.handle_intent(ui_intents.Mute(cmd.on), lambda _call: [])
        if not isinstance(cmd, PlayTone | StopTone | Ring | StopRing):
            return False
        self._need_sound()
        bridge = self.bridge
        if isinstance(cmd, PlayTone):
            self.dial_tone.core_play()
            self._play_tone(cmd)
        elif isinstance(cmd, StopTone):
            if self.dial_tone.core_stop():
                self._stop_tone()
        elif isinstance(cmd, Ring):
            self._ring_requested = time.monotonic()
            self._ring_name = cmd.ringtone
            if bridge is not None:
                bridge.ring(self._ringtone(cmd.ringtone))
        else:
            self._ring_requested = 0.0
            self._ring_name = None
            if bridge is not None:
                bridge.silence()
        return True

    def _play_tone(self, cmd: PlayTone) -> None:
        audio = self._settings().audio
        try:
            spec = tone_for(audio.tone_country, cmd.kind, audio.custom_tones)
        except (ToneError, KeyError) as exc:
            self._show_error(f"Tone {cmd.kind}: {exc}")
            self._stop_tone()
            return
        self._tone, self._tone_requested = (cmd.kind, cmd.call), time.monotonic()
        self._tone_spec = spec
        if self.bridge is not None:
            self.bridge.play_tone(spec)

    def _stop_tone(self) -> None:
        self._tone = None
        self._tone_spec = None
        if self.bridge is not None:
            self.bridge.stop_tone()

    def _ringtone(self, name: str) -> Ringtone:
        return self.ringtones.ringtone(name, self._show_error)

    def key_pressed(self, key: str) -> None:
        """Keypad feedback while dialing (settings.audio.key_tones); a digit ends the dial tone.

        Runs just before the handset handles the key, so an OffHook in this turn knows the key
        that opened the dial screen (tones_policy.DialTone)."""
        self._turn_key = key
        self._need_sound()  # the user is at the phone: a call or a tone may follow
        if self.dial_tone.key(key):
            self._stop_tone()
        tone = key_tone(key)
        if self.bridge is None or tone is None or not self._settings().audio.key_tones:
            return  # a key tone played late (while sound loads) would be no feedback
        self.bridge.play_key_tone(parse_tone(tone))

    # ---- handset intents -----------------------------------------------------------------
    def handle_intent(self, intent: object, silence: Callable[[str | None], list[Output]]) -> bool:
        """Off/on hook (dial tone), mute, HEADSET/SPEAKER, volume keys and Silence; False when
        not an audio intent."""
        bridge = self.bridge
        if isinstance(intent, ui_intents.OffHook):
            self._need_sound()
            if self.dial_tone.off_hook(self._turn_key, self._in_call()):
                self._play_tone(PlayTone("dial", ""))
        elif isinstance(intent, ui_intents.OnHook):
            if self.dial_tone.on_hook():
                self._stop_tone()
        elif isinstance(intent, ui_intents.Silence):
            for out in silence(intent.call):  # the core's StopRing
                if not isinstance(out, Publish | Then):
                    self.execute(out)
        elif isinstance(intent, ui_intents.Mute):
            self._muted = intent.on
            if bridge is not None:
                bridge.set_mic_muted(intent.on)
            self._publish("audio", {**self.state(), "muted": intent.on})
        elif isinstance(intent, ui_intents.SelectAudioMode):
            self._mode = Mode("headset" if intent.mode in ("handset", "headset") else "speaker")
            if bridge is not None:
                bridge.set_mode(self._mode)
            self._publish("audio", self.state())
        elif isinstance(intent, ui_intents.VolumeStep):
            target = self._mode.value if self._in_call() else "ringer"
            self._volume[target] = max(0, min(15, self._volume[target] + intent.delta))
            if bridge is not None:
                bridge.set_volume(target, self._volume[target])
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
        if on == self.clock.wanted:
            return
        if not on and time.monotonic() - self._clock_wanted_at < CLOCK_LINGER:
            return
        self.clock.want(on)
        log.debug("pjmedia clock %s", "on" if on else "off")

    @property
    def media_clock_on(self) -> bool:
        return self.clock.wanted

    def _hold_devices(self) -> None:
        """Devices and the conference clock follow what the phone is doing (idle costs
        nothing): a live call holds both, the dial screen holds the devices."""
        in_call = self._in_call()
        self._run_clock(in_call)
        held = in_call or self._dialing()
        if held:
            self._need_sound()
        if self.bridge is not None:
            self.bridge.hold(held)

    def poll(self) -> None:
        """Show device trouble, and report when a tone's first sample reached PortAudio."""
        self._turn_key = None  # an OffHook from now on came from typed text, not a key
        if self.bridge is None and self._loader.requested:
            self._adopt()
        self._hold_devices()
        if self.dial_tone.check(self._in_call()):
            self._stop_tone()
        bridge = self.bridge
        self._status.show(bridge.status if bridge is not None else self._problem)
        if bridge is None:
            return
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

    def state(self) -> dict[str, Any]:
        return audio_state(self._problem, str(self._mode), self._volume, self.clock, self.bridge)

    def apply_settings(self, old: AudioSettings, new: AudioSettings) -> None:
        """Settings saved: new devices reopen the streams; new volumes apply at once; a file
        ringtone is read again (it may be a new file under the same name)."""
        self.ringtones.want(new.ringtone, fresh=True)
        for target, key in VOLUME_KEYS.items():
            self._volume[target] = int(getattr(new, key))
        bridge = self.bridge
        if bridge is None:
            return
        for target, level in self._volume.items():
            bridge.set_volume(target, level)
        if devices(new) != devices(old):
            bridge.set_devices(*devices(new))


__all__ = ["EngineAudio", "Mode"]
