"""INVITE floods at the real engine (issue 11, stack-notes §9: pjsua2 aborts at about 70/s).

SIPp sends INVITEs with SDP for 10 s at each rate; each ringing call is CANCELled at once and any
refusal ACKed. The engine must stay the same process and keep answering OPTIONS all along.
Engine without an account, to keep one flood from disturbing the next (a fresh engine per rate).
Rates the engine does not survive today are strict xfails carrying the measured result, so CI
stays green while the defect stays visible; a fix turns them into XPASS failures to promote.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.engine_harness import running_engine
from tests.sipnet import Sipp, free_port, sip_options_ping

pytestmark = [pytest.mark.sip, pytest.mark.slow]

SCENARIO = str(Path(__file__).resolve().parent / "peers" / "uac-invite-flood.xml")
SECONDS = 10


def flood(tmp_path: Path, config_dir: Path, rate: int) -> tuple[bool, str]:
    """(survived, what happened) for `rate` INVITEs/s during SECONDS."""
    with running_engine(config_dir) as (engine, _client):
        assert engine.proc is not None
        sipp = Sipp(
            SCENARIO,
            free_port(),
            tmp_path / "sipp",
            target=f"127.0.0.1:{engine.port}",
            service="deskphone",
            calls=rate * SECONDS,
            timeout=SECONDS + 8,
            extra=["-r", str(rate), "-rp", "1000", "-recv_timeout", "4000"],
        )
        sipp.start()
        started = time.monotonic()
        missed_pings = 0
        try:
            while sipp.proc is not None and sipp.proc.poll() is None:
                if engine.proc.poll() is not None:
                    break
                if not sip_options_ping(engine.port, 1.0):
                    missed_pings += 1
                time.sleep(0.25)
                if time.monotonic() - started > SECONDS + 10:
                    break
        finally:
            sipp.stop()
        elapsed = time.monotonic() - started
        code = engine.proc.poll()
        if code is not None:
            tail = engine.output.decode(errors="replace")[-400:]
            return False, f"engine exited {code} after {elapsed:.1f} s: {tail}"
        answered = any(sip_options_ping(engine.port, 1.0) for _ in range(3))
        if not answered:
            return False, f"engine alive but no OPTIONS answer after the flood ({elapsed:.1f} s)"
        sent = sipp.messages().count("\nINVITE sip:")
        if sent < rate * SECONDS * 0.9:  # the flood must really have happened
            return False, f"SIPp sent only {sent} INVITEs: {sipp.messages()[-800:]}"
        return True, (
            f"survived {sent} INVITEs in {elapsed:.1f} s; OPTIONS missed during flood: "
            f"{missed_pings}"
        )


ABORT_REASON = (
    "measured 2026-11 (pjsua2 2.15.1): at {rate}/s the engine aborts (SIGABRT) within 0.5 s, "
    "after about 33 INVITEs, with pj_ioqueue_register_sock2: Assertion "
    "`!pj_list_empty(&ioqueue->free_list)' (media sockets per INVITE exhaust the select "
    "ioqueue); 50/s survives 10 s (500 INVITEs, every one rang and was CANCELled)"
)


def _aborts(rate: int) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=ABORT_REASON.format(rate=rate))


@pytest.mark.parametrize(
    "rate", [50, pytest.param(100, marks=_aborts(100)), pytest.param(200, marks=_aborts(200))]
)
def test_engine_survives_invite_flood(tmp_path: Path, config_dir: Path, rate: int) -> None:
    survived, what = flood(tmp_path, config_dir, rate)
    print(f"rate {rate}/s: {what}")
    assert survived, f"{rate} INVITEs/s: {what}"
