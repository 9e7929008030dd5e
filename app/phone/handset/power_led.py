"""The power indicator LED: red, flashing fast while a call rings, slowly while voice mail or
a text message waits to be read, off otherwise.

Source: the SIP-T46G user guide's "Power Indicator LED" table (docs/yealink.md §5); the
T54W's power LED is taken to follow the same table. Colours and modes are the line keys' own
(screens.py), and the window flashes them with the same timer.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.phone.handset import screens as S
from app.phone.model import CallState, CallView

# (colour, mode) by what the phone is doing, most urgent first. Later guide editions add
# solid red for a busy, held or muted phone, each behind a setting that is off by default
# (docs/yealink.md §5): the defaults are what is drawn here.
RINGING = (S.RED, S.FAST)
WAITING = (S.RED, S.SLOW)
IDLE = (S.LED_OFF, S.LED_OFF)


def power_led(calls: Sequence[CallView], new_voice_mail: int, unread_texts: int) -> tuple[str, str]:
    """The LED for the live calls and the messages waiting. A ringing call silenced by the
    user is still ringing on the line (its line key flashes too), so the LED keeps flashing."""
    if any(c.state == CallState.CALLIN for c in calls):
        return RINGING
    if new_voice_mail > 0 or unread_texts > 0:
        return WAITING
    return IDLE
