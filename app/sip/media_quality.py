"""pjsua's one `quality` knob, split in two: a cheaper resampler for the conference, the same
speex quality as before.

pjsua derives two things from `MediaConfig.quality` (default 8): the conference bridge's
resampler (pjsua_aud.c `pjsua_aud_subsys_init`: 5-10 the large libresample filter, 3-4 the
small one, below 3 linear) and speex's encoder quality (`codec_cfg.speex.quality`). A G.711 or
G.722 call at 8 kHz on the 16 kHz conference is resampled both ways on every tick: measured in
the engine's playback callback, a tick cost 275 µs of CPU with the large filter, 176 µs with
the small one, 157 µs linear (docs/audio.md §8). So the engine asks for quality 4 (the small
filter, still a windowed-sinc resampler; linear would alias), then puts speex back to the
quality 8 it had (`pjmedia_codec_speex_set_param`, per clock rate, after `libInit()`).
"""

from __future__ import annotations

import ctypes
import logging

from app.sip.pj_module import pjsua_library

log = logging.getLogger("deskphone.sip")

CONFERENCE_QUALITY = 4  # pjsua: 3-4 = the conference's small resampling filter
SPEEX_QUALITY = 8  # what pjsua's default quality (PJSUA_DEFAULT_CODEC_QUALITY) gave speex
_SPEEX_RATES = (8000, 16000, 32000)


def restore_speex_quality() -> dict[int, int]:
    """After libInit(): speex encodes at SPEEX_QUALITY again (complexity -1: its default, as
    pjsua registered it). Returns each clock rate's pj_status_t (0 = done). Logged, never
    raised: a wheel without speex just skips it."""
    lib = pjsua_library()
    fn = getattr(lib, "pjmedia_codec_speex_set_param", None)
    if fn is None:
        log.info("no speex in this pjsua2 build: nothing to restore")
        return {}
    fn.argtypes = [ctypes.c_uint, ctypes.c_int, ctypes.c_int]
    fn.restype = ctypes.c_int
    statuses: dict[int, int] = {}
    for rate in _SPEEX_RATES:
        statuses[rate] = status = int(fn(rate, SPEEX_QUALITY, -1))
        if status != 0:
            log.warning("speex/%d: quality not restored (status %d)", rate, status)
    return statuses
