"""Call liveness: a call whose peer vanished (no BYE, no RTP) must still end.

pjsua2 2.15.1 has no RTP inactivity timeout, and a vanished peer sends nothing, so the only
thing that notices is SIP: session timers (RFC 4028). With the timer always on, DeskPhone asks
for Session-Expires 90 s (the smallest Min-SE pjsip accepts) and refreshes at half of it; a
refresh nobody answers fails after the 32 s transaction timeout and pjsip ends the call, so a
dead call lasts at most about 80 s instead of forever. Peers without timer support are
unaffected: we are then the refresher and the refresh is an ordinary re-INVITE/UPDATE.
"""

from __future__ import annotations

import pjsua2 as pj

SESSION_EXPIRES_S = 90


def with_liveness(cfg: pj.AccountConfig) -> pj.AccountConfig:
    cfg.callConfig.timerUse = pj.PJSUA_SIP_TIMER_ALWAYS
    cfg.callConfig.timerSessExpiresSec = SESSION_EXPIRES_S
    cfg.callConfig.timerMinSESec = SESSION_EXPIRES_S
    return cfg
