"""Forward-always: calls per second the engine handles, at increasing SIPp rates.

One engine, no account, forward-always on. For each rate, SIPp places rate × duration calls;
each should end with the engine's 302, sent statelessly before pjsua makes a call of it
(app/sip/flood_guard.py). A 503 (the guard refusing a call it would have let ring), a timeout or
another code is a failed call; the engine dying is a failure of the whole run. The table shows
the highest rate with every call forwarded and the trail of all rates.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.phone.settings import ForwardRule, Settings
from app.store.settings import save_settings
from tests.bench.table import Row
from tests.engine_harness import running_engine
from tests.sipnet import HOST, Sipp, free_port

SCENARIO = Path(__file__).resolve().parent / "peers" / "uac-forward-or-503.xml"


@dataclass
class RateResult:
    rate: int
    calls: int
    forwarded: int
    refused: int
    seconds: float
    engine_alive: bool

    @property
    def failed(self) -> int:
        return self.calls - self.forwarded - self.refused

    def brief(self) -> str:
        text = f"{self.rate}/s: {self.forwarded} fwd"
        if self.refused:
            text += f" + {self.refused} 503"
        if self.failed:
            text += f" + {self.failed} FAILED"
        return text + ("" if self.engine_alive else " (engine died)")


def _one_rate(work: Path, engine_port: int, rate: int, seconds: float) -> tuple[int, int, int]:
    calls = max(1, int(rate * seconds))
    sipp = Sipp(
        str(SCENARIO),
        free_port(),
        work / f"rate-{rate}",
        target=f"{HOST}:{engine_port}",
        service="deskphone",
        calls=calls,
        timeout=seconds + 30,
        extra=["-r", str(rate), "-rp", "1000"],
    )
    try:
        sipp.run()
    finally:
        sipp.stop()
    log = sipp.log_file.read_text(errors="replace") if sipp.log_file.exists() else ""
    forwarded = sum(1 for line in log.splitlines() if line.startswith("FWD "))
    refused = sum(1 for line in log.splitlines() if line.startswith("REFUSED "))
    return calls, forwarded, refused


def measure_rates(rates: list[int], seconds: float) -> list[RateResult]:
    results: list[RateResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-forward-") as tmp:
        config = Path(tmp) / "config"
        config.mkdir()
        settings = Settings()
        settings.forward.phone.always = ForwardRule(True, f"sip:carol@{HOST}:5999")
        save_settings(config, settings)
        with running_engine(config) as (engine, _client):
            assert engine.proc is not None
            for rate in rates:
                t0 = time.monotonic()
                calls, fwd, refused = _one_rate(Path(tmp), engine.port, rate, seconds)
                alive = engine.proc.poll() is None
                results.append(RateResult(rate, calls, fwd, refused, time.monotonic() - t0, alive))
                if not alive:
                    break  # an engine restart is a failure: higher rates say nothing more
                time.sleep(1.5)  # the guard's window and the media slots' free delay pass
    return results


def forward_rows(results: list[RateResult], seconds: float) -> list[Row]:
    all_fwd = [r for r in results if r.forwarded == r.calls and r.engine_alive]
    no_fail = [r for r in results if r.failed == 0 and r.engine_alive]
    trail = "; ".join(r.brief() for r in results)
    rows = [
        Row(
            "forward-always: calls/s with every call forwarded",
            f"{max(r.rate for r in all_fwd)} calls/s" if all_fwd else "none",
            f"SIPp UAC, {seconds:.0f} s per rate: {trail}",
        )
    ]
    if no_fail:
        top = max(no_fail, key=lambda r: r.rate)
        rows.append(
            Row(
                "forward-always: engine restarts up to the highest rate",
                "0" if all(r.engine_alive for r in results) else "1",
                f"highest rate with no failed call {top.rate}/s ({top.refused} of its calls got "
                f"a 503); highest rate tried {results[-1].rate}/s",
            )
        )
    return rows


def bench_forward(rates: list[int], seconds: float) -> list[Row]:
    return forward_rows(measure_rates(rates, seconds), seconds)
