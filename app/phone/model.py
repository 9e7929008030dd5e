"""Words and values shared by the phone core, the engine and the UI.

The enum values are Yealink's own names (the ones its custom soft key layouts use), so logs,
the control protocol and Action URL events read like the real handset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class RegState(StrEnum):
    NO_SERVICE = "NoService"
    REGISTERING = "Registering"
    REGISTERED = "Registered"
    FAILED = "RegisterFailed"
    UNREGISTERED = "Unregistered"
    LOCAL = "Local"  # the embedded account used when none is configured: direct IP calls only


class CallState(StrEnum):
    DIALING = "Dialing"
    CONNECTING = "Connecting"
    RINGBACK = "RingBack"
    CALLIN = "CallIn"
    TALKING = "Talking"
    HOLD = "Hold"
    HELD = "Held"
    FAILED = "CallFailed"
    FINISHED = "Finished"


class Direction(StrEnum):
    OUTGOING = "out"
    INCOMING = "in"


# Texts exactly as Yealink's English GUI shows them (docs/yealink.md §6).
REG_TEXT: dict[RegState, str] = {
    RegState.NO_SERVICE: "No Service",
    RegState.REGISTERING: "Registering",
    RegState.REGISTERED: "Registered",
    RegState.FAILED: "Register failed!",
    RegState.UNREGISTERED: "Unregistered",
    RegState.LOCAL: "Registered",
}

CALL_TEXT: dict[CallState, str] = {
    CallState.DIALING: "Dial",
    CallState.CONNECTING: "Connecting...",
    CallState.RINGBACK: "Ringing",
    CallState.CALLIN: "Incoming call",
    CallState.TALKING: "Talking",
    CallState.HOLD: "Hold",
    CallState.HELD: "Held",
    CallState.FAILED: "Call failed!",
    CallState.FINISHED: "Call Finish",
}

# The caller's screen shows the reason of the final response with these words.
FAILURE_TEXT: dict[int, str] = {
    400: "Bad request!",
    403: "Forbidden number!",
    404: "Not found!",
    408: "Invite request no response!",
    480: "Temporarily unavailable!",
    484: "Address is incomplete!",
    486: "Busy here!",
    488: "Not acceptable here!",
    600: "Busy here!",
    603: "Decline",
}


def failure_text(code: int, reason: str = "") -> str:
    """The pop-up text for a failed call: Yealink's words where it has them, else the reason."""
    if code in FAILURE_TEXT:
        return FAILURE_TEXT[code]
    if reason:
        return f"{reason}!" if not reason.endswith("!") else reason
    return "Call failed!"


@dataclass
class AccountView:
    """What the display and the control protocol know about one account."""

    index: int
    label: str
    uri: str
    state: RegState
    code: int = 0
    reason: str = ""
    expires: int = 0


@dataclass
class CallView:
    """What the display and the control protocol know about one call."""

    id: str
    account: int
    direction: Direction
    remote_uri: str
    remote_name: str = ""
    state: CallState = CallState.CONNECTING
    code: int = 0
    reason: str = ""
    text: str = ""  # the line the call screen shows under the state, e.g. "Busy here!"
    started: float = 0.0  # monotonic time the call was created
    answered: float = 0.0  # monotonic time it reached Talking, 0 before
    ended: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)
    encrypted: bool = False  # the media runs over SRTP (a padlock on the call screen)


_CALL_FIELDS = tuple(f.name for f in fields(CallView))


def call_dict(view: CallView) -> dict[str, Any]:
    """A call as an event: what `asdict()` gives without its recursive deep copy (every field
    is an immutable value but `extra`, a flat dict of strings), about 10x cheaper."""
    data = {name: getattr(view, name) for name in _CALL_FIELDS}
    data["extra"] = dict(view.extra)
    return data
