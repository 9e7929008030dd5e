"""What becomes of the handset's intents: the one dispatch the engine and the tests share.

The handset only asks (app/phone/intents.py). Call intents go to the phone core; settings
intents (DND, forward) change the settings; the rest (missed-call counter, settings dialog,
audio path) belong to the engine. `run_intents` decides which is which and calls the host
for each, so the engine and a test rig built on the real core act on a key alike.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from app.phone import intents as ui
from app.phone.call_control import CONTROL_INPUTS, ControlInput
from app.phone.core import PhoneCore
from app.phone.forward import SECONDS_PER_RING, code_error, code_to_dial
from app.phone.messages import Answer, Dial, Hangup, HangupAll
from app.phone.model import CallState
from app.phone.settings import Settings
from app.phone.settings.checks import dial_target
from app.phone.settings.forward import MAX_RINGS

log = logging.getLogger("deskphone.engine")

CoreIntent = (
    Dial | Answer | Hangup | HangupAll | ui.ForwardCall | ui.Intercom | ui.DirectedPickup
) | ControlInput
# Volume, the audio path and off/on hook (the dial tone: tones_policy.DialTone) are the sound
# bridge's (Engine.audio_intent). Without a bridge they are dropped quietly: a pop-up on every
# off-hook would hide the dial screen.
AUDIO_INTENTS = (ui.OffHook, ui.OnHook, ui.VolumeStep, ui.SelectAudioMode)
T = TypeVar("T")


class IntentHost(Protocol):
    @property
    def core(self) -> PhoneCore: ...

    @property
    def settings(self) -> Settings: ...

    def feed(self, msg: CoreIntent) -> None: ...

    def edit_settings(self, change: Callable[[Settings], T]) -> T:
        """Apply `change` to the settings in use and to the saved ones; `change`'s result."""
        ...

    def clear_missed(self) -> None: ...

    def open_settings(self, section: str) -> None: ...

    def unsupported(self, name: str) -> None: ...

    def show_error(self, text: str) -> None: ...

    def audio_intent(self, intent: object) -> bool: ...


def to_core(intent: object, core: PhoneCore) -> CoreIntent | None:
    """The core input an intent stands for, or None when the core has no part in it."""
    if isinstance(intent, Dial | Answer | Hangup | HangupAll | ui.ForwardCall):
        return intent
    if isinstance(intent, ui.Intercom | ui.DirectedPickup):  # calls with extra headers
        return intent
    if isinstance(intent, CONTROL_INPUTS):
        # hold, resume, swap, transfer, conference, DTMF, mute, silence, redial
        return intent
    if isinstance(intent, ui.Reject):
        # Reject is a hang-up of the ringing call (the core answers normal_refuse_code)
        ringing = [c.id for c in core.calls.values() if c.state == CallState.CALLIN]
        target = intent.call or (ringing[0] if ringing else None)
        return Hangup(target) if target is not None else None
    return None


def change_settings(settings: Settings, intent: ui.SetDnd | ui.SetForward) -> list[Dial]:
    """Apply a DND or forward change to `settings`; the feature codes to dial, if any."""
    if isinstance(intent, ui.SetDnd):
        settings.dnd.enabled = intent.on
        return []
    before = copy.deepcopy(settings.forward.phone)
    rule = getattr(settings.forward.phone, intent.kind, None)
    if rule is None:
        return []
    rule.enabled, rule.target = intent.enabled, intent.target
    for name in ("on_code", "off_code"):
        code = getattr(intent, name)
        if code is not None and not code_error(code):  # the handset's form only types valid ones
            setattr(rule, name, code)
    if intent.kind == "no_answer" and intent.ring_seconds is not None:
        rings = round(intent.ring_seconds / SECONDS_PER_RING)
        settings.forward.phone.no_answer_rings = max(0, min(MAX_RINGS, rings))
    # As on the phone: switching a forward on or off dials its code to the server.
    return [Dial(code) for code in code_to_dial(before, settings.forward.phone)]


def set_voice_mail(settings: Settings, intent: ui.SetVoiceMail) -> bool:
    """Store an account's Voice Mail number; False when there is no such account or the
    number is not one (app/phone/settings/checks.py `dial_target`)."""
    number = intent.number.strip()
    if not 0 < intent.account <= len(settings.accounts) or dial_target(number):
        return False
    settings.accounts[intent.account - 1].voice_mail = number
    return True


def run_intents(host: IntentHost, intents: list[object]) -> None:
    for intent in intents:
        # The sound bridge acts on mute, silence, volume and HEADSET/SPEAKER; mute and silence
        # still go to the core too, which keeps their state for the screen and the history.
        audio = host.audio_intent(intent)
        core_input = to_core(intent, host.core)
        if core_input is not None:
            host.feed(core_input)
        elif isinstance(intent, ui.SetDnd | ui.SetForward):
            dials = host.edit_settings(functools.partial(change_settings, intent=intent))
            for dial in dials:
                host.feed(dial)
        elif isinstance(intent, ui.SetVoiceMail):
            if not host.edit_settings(functools.partial(set_voice_mail, intent=intent)):
                host.show_error(f"Not a voice mail number: {intent.number[:40]}")
        elif isinstance(intent, ui.ClearMissed):
            host.clear_missed()
        elif isinstance(intent, ui.OpenSettings):
            host.open_settings(intent.section)
        elif audio or isinstance(intent, (*AUDIO_INTENTS, ui.Reject)):  # Reject: none ringing
            log.debug("handset intent %s: nothing to do", type(intent).__name__)
        else:
            host.unsupported(type(intent).__name__)
