"""Which new calls that would ring may reach pjsua: the media socket budget, shared fairly.

Why a budget (docs/pjsua2.md §9): pjsua opens an RTP and an RTCP socket for every INVITE it
takes, and a closed socket's slot in the 64-slot ioqueue comes back only 0.5 s later; about 33
new calls in half a second abort the process. So the calls let through, live or ended within the
last `window_s`, must stay within `budget` (24 units: at most 48 slots, room left for outgoing
legs). Calls the SIP layer answers itself (forwarded, refused, dropped) cost nothing here.

Why shares: one source flooding must not take the budget from everyone else; a scanner at
300 INVITEs/s used to leave the PBX's own call a 503. Every source other than a trusted server
(the registrar or outbound proxy, `IncomingPolicy.trusted`) gets at most `share` admissions
per window and `live_share` ringing calls at once, and all of them together leave `reserved`
units and one of pjsua's four call slots (PJSUA_MAX_CALLS, docs/pjsua2.md §1) to the servers.
Pure bookkeeping, no pjsip: times are passed in.
"""

from __future__ import annotations

from collections import deque

BUDGET = 24
WINDOW_S = 0.6  # > PJ_IOQUEUE_KEY_FREE_DELAY (0.5 s): a closed slot is surely back by then
SHARE = 8  # admissions per window for any one source that is not a trusted server
LIVE_SHARE = 2  # ringing or talking calls at once from one such source
RESERVED = 8  # units the other sources together always leave to the trusted servers
MAX_CALLS = 4  # PJSUA_MAX_CALLS in the wheel
MAX_TRACKED = 4096  # calls remembered by Call-ID (a flood of fresh Call-IDs is bounded)


PENDING_S = 5.0  # an admitted INVITE pjsua has not made a call of by then never will


class Admission:
    def __init__(
        self,
        budget: int = BUDGET,
        window_s: float = WINDOW_S,
        share: int = SHARE,
        live_share: int = LIVE_SHARE,
        reserved: int = RESERVED,
    ) -> None:
        self.budget, self.window_s = budget, window_s
        self.share, self.live_share, self.reserved = share, live_share, reserved
        self.admitted = 0
        self.refused = 0
        self._admits: deque[tuple[float, str, bool]] = deque()  # (time, source, trusted)
        self._ends: deque[float] = deque()
        self._pending: dict[str, tuple[float, str]] = {}  # Call-ID -> (time, stranger source)
        self._started: dict[str, str] = {}  # Call-ID -> stranger source, while it lasts
        self._live: dict[str, int] = {}  # stranger source -> its live calls

    def _expire(self, now: float) -> None:
        while self._admits and now - self._admits[0][0] > self.window_s:
            self._admits.popleft()
        while self._ends and now - self._ends[0] > self.window_s:
            self._ends.popleft()
        for call_id, (t, _) in list(self._pending.items()):
            if now - t <= PENDING_S:
                break  # insertion order is time order
            del self._pending[call_id]

    def usage(self, now: float, live_calls: int) -> int:
        """Media units in use: live calls, calls ended or admitted within the window."""
        self._expire(now)
        return live_calls + len(self._admits) + len(self._ends)

    def admit(
        self,
        now: float,
        live_calls: int,
        source: str = "",
        trusted: bool = True,
        call_id: str = "",
    ) -> bool:
        """Whether one more new call from `source` fits; counts it if so."""
        if self.usage(now, live_calls) + 1 > self.budget or (
            not trusted and not self._stranger_fits(source, live_calls)
        ):
            self.refused += 1
            return False
        self._admits.append((now, source, trusted))
        if not trusted and call_id and len(self._pending) < MAX_TRACKED:
            self._pending[call_id] = (now, source)
        self.admitted += 1
        return True

    def _stranger_fits(self, source: str, live_calls: int) -> bool:
        mine = sum(1 for _, s, t in self._admits if s == source and not t)
        strangers = sum(1 for _, _, t in self._admits if not t)
        return (
            mine < self.share
            and strangers < self.budget - self.reserved
            and self._live.get(source, 0) < self.live_share
            and sum(self._live.values()) < MAX_CALLS - 1
            and live_calls < MAX_CALLS
        )

    def call_started(self, call_id: str) -> None:
        """pjsua made a call of an admitted INVITE (it rings now)."""
        pending = self._pending.pop(call_id, None)
        if pending is not None:
            self._started[call_id] = pending[1]
            self._live[pending[1]] = self._live.get(pending[1], 0) + 1

    def call_ended(self, now: float, call_id: str = "") -> None:
        """A call's media sockets were just closed: their slots are busy for another 0.5 s."""
        self._ends.append(now)
        source = self._started.pop(call_id, None)
        if source is not None:
            self._live[source] -= 1
            if self._live[source] <= 0:
                del self._live[source]
