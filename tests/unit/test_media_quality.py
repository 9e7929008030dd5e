"""pjsua's quality knob split in two (app/sip/media_quality.py): the conference gets the small
resampling filter, speex gets its quality 8 back. pjsua2 runs in a child process: one
Endpoint per process, and a unit test run must not hold one."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.engine_harness import ROOT

CHILD = """
import json
import pjsua2 as pj
from app.sip.media_quality import CONFERENCE_QUALITY, restore_speex_quality
ep = pj.Endpoint()
ep.libCreate()
cfg = pj.EpConfig()
cfg.logConfig.consoleLevel = 0
cfg.logConfig.level = 0
cfg.medConfig.quality = CONFERENCE_QUALITY
ep.libInit(cfg)
codecs = [c.codecId for c in ep.codecEnum2()]
print(json.dumps({"speex": restore_speex_quality(), "codecs": codecs}))
ep.libDestroy()
"""


def test_conference_quality_is_the_small_filter() -> None:
    from app.sip.media_quality import CONFERENCE_QUALITY

    assert 3 <= CONFERENCE_QUALITY <= 4  # pjsua_aud.c: 3-4 small filter, 5+ large, <3 linear


def test_speex_quality_is_put_back_for_every_rate() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["speex"] == {"8000": 0, "16000": 0, "32000": 0}
    assert "speex/16000/1" in got["codecs"] and "PCMU/8000/1" in got["codecs"]
