"""Real-time scheduling for the sound devices' callback threads, where the system allows it.

PortAudio's ALSA callback threads run at normal priority unless asked otherwise, and every
callback of ours is Python. On a loaded machine (two CPU hogs per core measured here, or a CI
runner) such a thread woke tens of ms late, past the 60-80 ms the device buffers, and the sound
server played the gap: 10-60 ms holes in tones and far-end audio, and a sine measured 6 Hz off.
PulseAudio and PipeWire run their own audio threads round-robin for the same reason.

The callback thread asks for SCHED_RR once, at a priority below the sound server's (PulseAudio
uses 5), the first time it calls back. Allowed for root and for users given an RLIMIT_RTPRIO
(audio group, rtkit-less setups); refused (EPERM) otherwise, and then nothing changes. A callback
does at most 1-2 ms of work per 20 ms block, so a real-time thread cannot starve the desktop.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("deskphone.audio")

PRIORITY = 3  # SCHED_RR; PulseAudio's own threads run at 5
_local = threading.local()
_refused = False  # logged once per process


def raise_this_thread() -> bool:
    """Make the calling thread SCHED_RR (once per thread). True when it is."""
    global _refused
    done: bool | None = getattr(_local, "done", None)
    if done is not None:
        return done
    ok = False
    policy = getattr(os, "SCHED_RR", None)
    if policy is not None and not _refused:
        try:
            # pid 0: on Linux the calling thread alone, not the whole process
            os.sched_setscheduler(0, policy, os.sched_param(PRIORITY))
            ok = True
        except OSError as exc:
            _refused = True
            log.info("audio threads keep normal priority (real-time refused: %s)", exc)
    _local.done = ok
    return ok
