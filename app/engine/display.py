"""The handset display in the engine: keys in, screen out.

Keys from the window, and later from Action URI, go through the same pure `Handset`, so a key
pressed remotely acts exactly like one pressed on the faceplate. The screen is rebuilt after
each loop turn (never inside a pjsua2 callback, so it costs SIP nothing) and published only
when it changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from app.phone.blf import Watch, WatchKey
from app.phone.core import PhoneCore
from app.phone.forward import any_forward_on, rings_to_seconds
from app.phone.handset import Handset, HandsetFlags, HistoryItem
from app.phone.handset.flags import VoiceMailBox
from app.phone.handset.forms import ForwardRuleView
from app.phone.handset.linekeys.config import KeyFeatures, LineKey
from app.phone.handset.screens import ScreenModel
from app.phone.incoming import dnd_active
from app.phone.model import AccountView
from app.phone.settings import ForwardRule
from app.store.directory import Directory

log = logging.getLogger("deskphone.engine")


class KeySource(Protocol):
    """The configured line keys and what the watching ones see (engine/line_keys.py)."""

    @property
    def features(self) -> KeyFeatures: ...

    def key_list(self, accounts: Sequence[AccountView]) -> tuple[LineKey, ...] | None: ...

    def watches(self) -> dict[WatchKey, Watch]: ...


def _rule_view(rule: ForwardRule) -> ForwardRuleView:
    return ForwardRuleView(rule.enabled, rule.target, rule.on_code, rule.off_code)


class Display:
    def __init__(
        self,
        core: PhoneCore,
        publish: Callable[[str, dict[str, Any]], None],
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.core = core
        self._publish = publish
        # the same clock the core runs on, and the wall time the status bar shows: tests
        # pass fixed ones so the call timer and the date on a screenshot are known
        self._clock = clock
        self._wall = wall
        self.handset = Handset()
        self.history: list[HistoryItem] = []
        self.missed = 0
        self.directory: list[tuple[str, str]] = []
        self.error = ""
        self._error_id = 0
        self.message = ""
        self.message_from = ""
        self._message_id = 0
        self._last: ScreenModel | None = None
        self.audio_warning = ""  # why a call has no sound, shown on the call screen
        self.keys: KeySource | None = None  # None: one Line key per account

    def flags(self) -> HandsetFlags:
        settings = self.core.settings
        account = next(iter(self.core.accounts), 0)
        rules = settings.forward.phone
        transport = self.core.transport
        return HandsetFlags(
            audio_warning=self.audio_warning,
            dnd=dnd_active(settings, account),
            dnd_accounts=frozenset(a for a in self.core.accounts if dnd_active(settings, a)),
            forward_on=any_forward_on(settings.forward),
            forward={
                "always": _rule_view(rules.always),
                "busy": _rule_view(rules.busy),
                "no_answer": _rule_view(rules.no_answer),
            },
            no_answer_seconds=rings_to_seconds(rules.no_answer_rings),
            missed_count=self.missed,
            muted=self.core.muted,
            auto_answer=any(a.auto_answer for a in settings.accounts if a.enabled),
            sip_port_note=transport.note if transport else "",
            history=list(self.history),
            directory=list(self.directory),
            error=self.error,
            error_id=self._error_id,
            message=self.message,
            message_from=self.message_from,
            message_id=self._message_id,
            voice_mail=self.voice_mail(),
            voice_mail_popup=settings.features.voice_mail_popup,
            mail_power_led=settings.features.mail_power_led,
            conference=self.core.conference,
            far_muted=frozenset(self.core.far_muted),
            clock=self._wall(),
            dial_plan=self.core.dial_plan,
            **self._key_flags(),
        )

    def voice_mail(self) -> tuple[VoiceMailBox, ...]:
        """Every configured account's voice mail: its count (once its server sent one), its
        Voice Mail number and whether its count is shown (account.X.display_mwi.enable)."""
        boxes = []
        accounts = self.core.settings.accounts
        for view in self.core.accounts.values():
            if not 0 < view.index <= len(accounts):
                continue  # the local account has no voice mail
            acc, box = accounts[view.index - 1], self.core.mailboxes.get(view.index)
            new, old, arrived = (box.new, box.old, box.arrived) if box else (0, 0, 0)
            number, shown = acc.voice_mail, acc.display_mwi
            boxes.append(VoiceMailBox(view.index, view.label, number, new, old, shown, arrived))
        return tuple(boxes)

    def _key_flags(self) -> dict[str, Any]:
        if self.keys is None:
            return {}
        return {
            "line_keys": self.keys.key_list(list(self.core.accounts.values())),
            "key_features": self.keys.features,
            "watches": self.keys.watches(),
        }

    def load_directory(self, directory: Directory) -> None:
        """Contacts for the handset's Directory screen and the dialing matches."""
        if directory.warning:
            log.warning("directory: %s", directory.warning)
        self.directory = [(c.name, number) for c in directory.contacts() for number in c.numbers]

    def set_audio_warning(self, text: str) -> None:
        self.audio_warning = text

    def show_error(self, text: str) -> None:
        self.error = text
        self._error_id += 1

    def show_message(self, sender: str, body: str) -> None:
        """A SIP MESSAGE arrived: a pop-up once, and the MESSAGE key shows it again."""
        bare = sender.strip().strip("<>").removeprefix("sip:").removeprefix("sips:")
        self.message, self.message_from = body, bare
        self._message_id += 1

    def press(self, key: str) -> list[object]:
        self.sync()
        # the handset's Intents, widened for the engine's dispatch (it takes any object)
        return list(self.handset.press(key, self._clock()))

    def type_text(self, text: str) -> list[object]:
        self.sync()
        return list(self.handset.type_text(text, self._clock()))

    def tick(self) -> list[object]:
        self.sync()
        return list(self.handset.tick(self._clock()))

    def sync(self) -> None:
        calls = list(self.core.calls.values())
        self.handset.update(list(self.core.accounts.values()), calls, self.flags(), self._clock())

    def refresh(self, force: bool = False) -> None:
        self.sync()
        screen = self.handset.screen()  # a new model each time: compared field by field
        if force or screen != self._last:
            self._last = screen
            self._publish("screen", {"screen": screen.to_dict()})

    def current(self) -> dict[str, Any]:
        return self.handset.screen().to_dict()
