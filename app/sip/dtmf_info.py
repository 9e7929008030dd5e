"""DTMF as SIP INFO: one INFO transaction at a time per call.

pjsua's `sendDtmf` with the SIP INFO method sends one INFO per digit back to back. Through a
proxy with several UDP workers (Kamailio) the second can overtake the first, and a UAS must
answer a request whose CSeq is lower than the last one it saw with 500 (RFC 3261 §12.2.2): that
digit is lost. So each digit waits for the previous INFO's final response (docs/pjsua2.md §15).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import pjsua2 as pj

# Digits a call may hold back while its INFOs are answered; more typed in one go are dropped
# (a pasted number is a few dozen digits; the text op is bounded before this anyway).
MAX_QUEUED = 64


class InfoDtmf:
    """The digits of one call still to send, and whether an INFO of ours is unanswered."""

    def __init__(self) -> None:
        self._digits: deque[str] = deque()
        self.in_flight = False

    def add(self, digits: str) -> int:
        """Queue digits; returns how many did not fit."""
        room = MAX_QUEUED - len(self._digits)
        self._digits.extend(digits[: max(0, room)])
        return max(0, len(digits) - max(0, room))

    def next_digit(self) -> str | None:
        """The digit to send now (the call is then waiting for its answer), or None."""
        if self.in_flight or not self._digits:
            return None
        self.in_flight = True
        return self._digits.popleft()

    def answered(self) -> None:
        self.in_flight = False

    def clear(self) -> None:
        self._digits.clear()
        self.in_flight = False

    @property
    def waiting(self) -> int:
        return len(self._digits)


def info_answered(prm: Any) -> bool:
    """Whether a call's transaction event is the final answer to an INFO it sent. Counted once:
    over UDP the transaction reaches COMPLETED with the answer and TERMINATED 5 s later; over
    TCP, or on a timeout (408), it goes straight to TERMINATED."""
    try:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return False
        state_event = event.body.tsxState
        tsx = state_event.tsx
        if tsx.role != pj.PJSIP_ROLE_UAC or tsx.method != "INFO" or tsx.statusCode < 200:
            return False
        if tsx.state == pj.PJSIP_TSX_STATE_COMPLETED:
            return True
        return bool(
            tsx.state == pj.PJSIP_TSX_STATE_TERMINATED
            and state_event.prevState < pj.PJSIP_TSX_STATE_COMPLETED
        )
    except Exception:  # an odd event body: not ours
        return False
