"""Voice Mail (linekey.X.type 12): calls the voice mail of the key's account.

What it dials: the key's `value` when it has one, else the account's Voice Mail number
(Yealink's voice_mail.number.X), which the engine hands over in KeyFeatures.voice_mail. The
value-first order is DeskPhone's choice (docs/yealink.md §13). In a call, the call is held
first and the voice mail called as a new call, as a pickup key does. No number at all: the
Set Voice Mail form asks for the account's number, as Message -> Voice Mail -> Connect does;
its Save stores the number and dials it.
"""

from __future__ import annotations

from app.phone.handset import screens as S
from app.phone.handset.linekeys.base import KeyHost, Slot
from app.phone.handset.screens import LineKeyView
from app.phone.intents import Intent, NewCall
from app.phone.messages import Dial


def mailbox_number(slot: Slot, host: KeyHost) -> str:
    """The number the key calls; "" when neither the key nor its account has one. A key
    without a line works on the first account, as Yealink's default line is account 1."""
    return slot.key.value.strip() or host.features.voice_mail.get(slot.key.line or 1, "")


class VoiceMail:
    name = "Voice Mail"
    holds_calls = False
    watches = False

    def draw(self, slot: Slot, number: int, focus: str | None) -> LineKeyView:
        return LineKeyView(label=slot.key.label or self.name, icon="voice_mail_key")

    def light(self, slot: Slot) -> tuple[str, str]:
        # no Yealink LED rule found for this key (docs/yealink.md §5): dark, as Speed Dial
        return S.LED_OFF, S.LED_OFF

    def press(self, slot: Slot, host: KeyHost) -> list[Intent]:
        number = mailbox_number(slot, host)
        if not number:
            host.ask_voice_mail(slot.key.line or 1)
            return []
        hold = [NewCall()] if host.live() else []
        return [*hold, Dial(number, slot.key.line or 1)]


VOICE_MAIL_KEY = VoiceMail()
