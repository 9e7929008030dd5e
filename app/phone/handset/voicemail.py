"""Voice mail on the handset, from its flags alone: the status bar's count,
the "New Voice Mail" pop-up, the Voice Mail list and the Set Voice Mail form (docs/yealink.md
§16). The keys that act on them are in voicemail_keys.py.

Only accounts whose count is shown (account.X.display_mwi.enable) count anywhere; the Voice
Mail list still lists every account, so each one's number can be dialled.
"""

from __future__ import annotations

from app.phone.handset.flags import HandsetFlags, VoiceMailBox
from app.phone.handset.forms import TEXT, Form, FormField
from app.phone.handset.screens import PopupView
from app.phone.settings.checks import DIAL_TARGET_MAX
from app.phone.texts import T, tr

BADGE_MAX = 99  # the status bar shows "99+" above this; the Voice Mail list the whole count

FORM_PREFIX = "voice_mail:"  # Set Voice Mail forms are "voice_mail:<account>"


def waiting(flags: HandsetFlags) -> list[VoiceMailBox]:
    """The shown accounts with new voice mail."""
    return [b for b in flags.voice_mail if b.waiting]


def new_count(flags: HandsetFlags) -> int | None:
    """New voice messages of the shown accounts; None when one waits without a count."""
    boxes = waiting(flags)
    if any(b.new is None for b in boxes):
        return None
    return sum(b.new or 0 for b in boxes)


def badge(flags: HandsetFlags) -> str:
    """The count beside the status bar's voice mail icon: "" with no count, "99+" above 99."""
    n = new_count(flags)
    if n is None:
        return ""
    return f"{BADGE_MAX}+" if n > BADGE_MAX else str(n)


def lamp_count(flags: HandsetFlags) -> int:
    """The power LED's voice mail input: new voice mail waits (unknown counts as one), unless
    phone_setting.mail_power_led_flash_enable is off."""
    if not flags.mail_power_led:
        return 0
    return sum(1 if b.new is None else b.new for b in waiting(flags))


def arrivals(flags: HandsetFlags) -> dict[int, int]:
    """How often new voice mail arrived, by account: what the pop-up was seen up to."""
    return {b.account: b.arrived for b in flags.voice_mail}


def seen_up_to(flags: HandsetFlags, acked: dict[int, int]) -> dict[int, int]:
    """`acked` against the flags now: counts start again from 0 when accounts are made anew."""
    return {a: min(n, acked.get(a, 0)) for a, n in arrivals(flags).items()}


def popup(flags: HandsetFlags, acked: dict[int, int]) -> PopupView | None:
    """The pop-up "N New Voice Mail(s)" after new voice mail arrived on a shown account, until
    seen (View or Exit); none when pop-ups are off or nothing new is left by then."""
    boxes = waiting(flags)
    fresh = any(b.arrived > acked.get(b.account, 0) for b in boxes)
    if not flags.voice_mail_popup or not fresh:
        return None
    n = new_count(flags)
    text = tr(T.VOICE_MAIL_WAITING) if n is None else tr(T.NEW_VOICE_MAIL, n=n)
    if len(boxes) > 1:  # per account when several have new voice mail
        text += "\n" + "\n".join(f"{b.label}: {'?' if b.new is None else b.new}" for b in boxes)
    return PopupView(text, "voice_mail", tr(T.VOICE_MAIL))


def rows(flags: HandsetFlags) -> tuple[list[str], list[str]]:
    """The Voice Mail list: each account, with "new/old" when its count is shown."""
    items = [b.label for b in flags.voice_mail]
    values = [_counts(b) if b.shown else "" for b in flags.voice_mail]
    return items, values


def _counts(box: VoiceMailBox) -> str:
    return f"{'?' if box.new is None else box.new}/{box.old}"


def voice_mail_form(box: VoiceMailBox) -> Form:
    """Set Voice Mail for one account: its number, typed on the keypad."""
    field = FormField(box.label, TEXT, box.number)
    limit = {0: DIAL_TARGET_MAX}
    return Form(f"{FORM_PREFIX}{box.account}", T.SET_VOICE_MAIL, [field], max_len=limit)


def form_account(form: Form | None) -> int | None:
    """The account a Set Voice Mail form is for; None for any other form."""
    if form is None or not form.id.startswith(FORM_PREFIX):
        return None
    number = form.id[len(FORM_PREFIX) :]
    return int(number) if number.isdigit() else None
