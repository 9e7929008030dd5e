"""Do Not Disturb, call features (auto answer, call waiting, timeouts, hold) and redirects."""

from __future__ import annotations

from dataclasses import dataclass

import app.phone.settings.checks as checks
from app.phone.settings.declare import Choice, group, setting

REFUSE_CODES = (
    Choice(404, "404 Not Found"),
    Choice(480, "480 Temporarily Unavailable"),
    Choice(486, "486 Busy Here"),
    Choice(603, "603 Decline"),
)


# fmt: off
@dataclass
class DndSettings:
    """Do Not Disturb: phone-wide or per account."""

    enabled: bool = setting(
        False, "DND on (phone)", "features.dnd.enable",
        help="Do Not Disturb for the whole phone (Phone mode): calls are refused.",
    )
    per_account: bool = setting(
        False, "Mode", "features.dnd_mode",
        choices=(Choice(False, "Phone"), Choice(True, "Custom")),
        help="Phone: one DND for every account; Custom: each account's own DND switch.",
    )
    refuse_code: int = setting(
        480, "Refuse with", "features.dnd_refuse_code", choices=REFUSE_CODES,
        help="The SIP response that refuses a call while DND is on.",
    )


@dataclass
class RedirectSettings:
    """How a 3xx received on an outgoing call is followed."""

    mode: str = setting(
        "auto", "Policy", "mode", own=True,
        choices=(
            Choice("auto", "Follow redirects"),
            Choice("ask", "Ask before following"),
            Choice("never", "Never follow"),
        ),
        help="What to do when a call is answered with a redirect (3xx, e.g. 302 Moved "
        "Temporarily): call the new target, ask first, or end the call.",
    )
    max_redirects: int = setting(
        5, "At most", "max_redirects", own=True, lo=0, hi=20,
        help="Redirects followed for one call before it fails.",
    )
    block_prefixes: list[str] = setting(
        list, "Blocked prefixes", "block_prefixes", own=True, check=checks.dial_prefix,
        hint="one a line, e.g. 00\n1900",
        help="A redirect to a number starting with one of these is not followed (a guard "
        "against toll fraud), however the number is written: +/00, national or "
        "international (the tone country's), tel:, sip: or user@host.",
    )
    allow_sips_downgrade: bool = setting(
        False, "Allow sips: → sip: downgrade", "allow_sips_downgrade", own=True,
        help="Follow a redirect from a sips: target to a plain sip: one.",
    )


@dataclass
class IntercomSettings:
    """Intercom calls: accepted, answered by themselves, muted or not."""

    allow: bool = setting(
        True, "Accept intercom calls", "allow",
        help="An incoming intercom call is answered by itself when it came through a registered "
        "account's server with 'Accept SIP trust server only' on; off (and for direct IP "
        "calls): it rings like any call.",
    )
    mute: bool = setting(
        False, "Mute on intercom", "mute",
        help="The microphone is muted when an intercom call is answered by itself.",
    )
    tone: bool = setting(
        True, "Intercom tone", "tone",
        help="A warning tone plays when an intercom call is answered by itself.",
    )
    barge: bool = setting(
        False, "Intercom barge", "barge",
        help="An intercom call is answered even during another call (which is held); "
        "off: it rings as a waiting call.",
    )
    header: str = setting(
        "Call-Info: <sip:notused>;answer-after=0", "Intercom header", "header", own=True,
        check=checks.sip_header,
        help="The header an Intercom key's call carries so that the far phone answers it: "
        "'Name: value', e.g. 'Alert-Info: Intercom' or 'Call-Info: <sip:x>;answer-after=0'.",
    )


@dataclass
class FeatureSettings:
    """Call features: reject code, call waiting, timeouts, hold, redirects, intercom..."""

    normal_refuse_code: int = setting(
        486, "Reject with", "features.normal_refuse_code", choices=REFUSE_CODES,
        help="The SIP response sent when a call is rejected with the Reject soft key.",
    )
    auto_answer_delay: int = setting(
        1, "Auto answer delay (s)", "features.auto_answer_delay", lo=1, hi=4, hint="{lo}-{hi}",
        help="Seconds a call rings before an account with Auto answer on answers it.",
    )
    call_waiting: bool = setting(
        True, "Call waiting", "call_waiting.enable",
        help="A second call may ring during a call; off: it is refused as busy.",
    )
    call_waiting_tone: bool = setting(
        True, "Call waiting tone", "call_waiting.tone",
        help="Play the call waiting tone when a second call comes in.",
    )
    ringing_timeout: int = setting(
        120, "Ringing timeout (s)", "phone_setting.ringing_timeout", lo=1, hi=3600,
        help="An incoming call stops ringing after this long and is missed.",
    )
    ringback_timeout: int = setting(
        180, "Ringback timeout (s)", "phone_setting.ringback_timeout", lo=1, hi=3600,
        help="An outgoing call still ringing after this long is cancelled.",
    )
    hold_mode: str = setting(
        "sendonly", "Hold method", "sip.rfc2543_hold",
        choices=(
            Choice("sendonly", "a=sendonly", "0"),
            Choice("rfc2543", "RFC 2543 (c=0.0.0.0)", "1"),
        ),
        help="How a call is put on hold: a=sendonly, or the older RFC 2543 way (c=0.0.0.0).",
    )
    redirect: RedirectSettings = group(RedirectSettings, "Redirects (3xx)", "redirect")
    voice_mail_popup: bool = setting(
        True, "Voice mail pop-up", "features.voice_mail_popup.enable",
        help="New voice mail opens the \"New Voice Mail\" pop-up and a desktop notification.",
    )
    mail_power_led: bool = setting(
        True, "Power LED flashes for voice and text mail",
        "phone_setting.mail_power_led_flash_enable",
        help="The power LED flashes red slowly while new voice mail or an unread text message "
        "waits.",
    )
    intercom: IntercomSettings = group(IntercomSettings, "Intercom", "features.intercom")
# fmt: on
