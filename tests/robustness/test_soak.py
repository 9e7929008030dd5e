"""Soak: many short calls at 10 calls/s; zero failures, no leak.

Two runs, each against a fresh engine without an account: SIPp calls and the engine forwards
every call with 302 (forward-always), then SIPp calls, the test answers each call over the
control socket (the same path as the Answer key) and SIPp hangs up after TALK_MS.
Why not auto-answer and 1 s calls: auto-answer waits 1-4 s (Yealink's range) and applies only
to an idle phone, and overlapping calls are call waiting (answering one holds the other with a
re-INVITE); the pjsua2 wheel also caps live calls at 4 (PJSUA_MAX_CALLS, compile time). So
SIPp keeps one call at a time (-l 1) and each lasts TALK_MS, which still makes 10 calls/s.
Between the 100th finished call and the last, the engine's resident memory may grow less than
5 MB and its open file descriptors and threads may not grow at all.
DESKPHONE_SOAK_CALLS sets the count (CI: 200; `make soak`: 1000).
What the answered soak's growth is (measured, 1000 calls): pjsip keeps each ended call's dialog
(~12 KB pool), the BYE's server transaction and its 200 (~14 KB) for Timer J, 64*T1 = 32 s after
SIPp's BYE over UDP (RFC 3261 17.2.2), so the main heap holds about 28 KB x 320 calls at 10
calls/s and is flat from about call 400 on; at call 100 only 10 s of calls are held. Over TCP
(Timer J = 0) the same run grows 0.6 MB. The figures line splits the growth by kind of memory.
That state is not growth of the phone: the engine gives the freed pages back once no call has
been up for longer than Timer J (app/engine/heap.py). So the answered soak measures the end
figure after that quiet spell, and, when it runs long enough to reach the plateau (call 400),
also asserts that the plateau itself stays flat (< 1.5 MB from call 400 to the last call).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.engine.heap import QUIET_S
from app.phone.settings import ForwardRule, Settings
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, EngineProcess, running_engine
from tests.robustness.procstat import ProcStat, RssParts, proc_stat, rss_parts
from tests.sipnet import HOST, Sipp, free_port

pytestmark = [pytest.mark.sip, pytest.mark.slow]

CALLS = int(os.environ.get("DESKPHONE_SOAK_CALLS", "200"))
RATE = 10
TALK_MS = int(os.environ.get("DESKPHONE_SOAK_TALK_MS", "50"))
WARM = 100  # the baseline sample is taken at this finished call
PLATEAU = 400  # by now 40 s of calls went by: Timer J's hold (32 s) is full
PEERS = Path(__file__).resolve().parent / "peers"


def _finished(client: EngineClient) -> int:
    return sum(1 for e in list(client.events) if e.get("ev") == "call" and e["state"] == "Finished")


@contextmanager
def _answering(client: EngineClient) -> Iterator[None]:
    """Answer every ringing incoming call, as auto-answer would."""
    stop = threading.Event()

    def run() -> None:
        seen = 0
        answered: set[str] = set()
        while not stop.is_set():
            events = list(client.events)
            for e in events[seen:]:
                if e.get("ev") == "call" and e["state"] == "CallIn" and e["id"] not in answered:
                    answered.add(e["id"])
                    client.send("answer", call=e["id"])
            seen = len(events)
            time.sleep(0.01)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(2)


def soak(
    tmp_path: Path,
    engine: EngineProcess,
    client: EngineClient,
    scenario: str,
    extra: tuple[str, ...] = (),
    settle: bool = False,
) -> str:
    assert engine.proc is not None
    pid = engine.proc.pid
    idle = proc_stat(pid)
    sipp = Sipp(
        scenario,
        free_port(),
        tmp_path / "sipp",
        target=f"{HOST}:{engine.port}",
        service="deskphone",
        calls=CALLS,
        timeout=CALLS / RATE + 60,
        extra=["-r", str(RATE), "-rp", "1000", *extra],
    )
    sipp.start()
    warm: ProcStat | None = None
    warm_parts: RssParts | None = None
    plateau: ProcStat | None = None  # at call PLATEAU, once Timer J's hold is full
    trail: list[int] = []  # RSS in MB every 100 finished calls, for the report
    deadline = time.monotonic() + CALLS / RATE + 70
    try:
        while sipp.proc is not None and sipp.proc.poll() is None:
            assert engine.proc.poll() is None, engine.output.decode(errors="replace")[-600:]
            assert time.monotonic() < deadline, "soak did not finish in time"
            finished = _finished(client)
            if warm is None and finished >= min(WARM, CALLS // 2):
                warm = proc_stat(pid)
                warm_parts = rss_parts(pid)
            if plateau is None and finished >= PLATEAU:
                plateau = proc_stat(pid)
            if finished >= len(trail) * 100 + 100:
                trail.append(proc_stat(pid).rss_kb // 1024)
            time.sleep(0.05)
        code = sipp.wait(10)
    finally:
        sipp.stop()
    assert code == 0, f"SIPp exit {code}: {(sipp.workdir / (sipp.name + '.errors.log'))}"
    done = client.wait_for(lambda e: _finished(client) >= CALLS, 10) and _finished(client)
    time.sleep(1.0)  # the last calls' media slots and transactions wind down
    last = proc_stat(pid)  # right after the last call, pjsip's Timer J state still held
    if settle:
        time.sleep(QUIET_S + 4)  # pjsip frees it after 32 s, the engine then trims
    end = proc_stat(pid)
    end_parts = rss_parts(pid)
    assert warm is not None and warm_parts is not None
    assert engine.proc.poll() is None and engine.proc.pid == pid
    grow_kb = end.rss_kb - warm.rss_kb
    figures = (
        f"{CALLS} calls, {done} finished, 0 failed; RSS idle {idle.rss_kb / 1024:.1f} MB, "
        f"at call {min(WARM, CALLS // 2)} {warm.rss_kb / 1024:.1f} MB, "
        + (f"at call {PLATEAU} {plateau.rss_kb / 1024:.1f} MB, " if plateau else "")
        + f"after the last call {last.rss_kb / 1024:.1f} MB, "
        + (f"{QUIET_S + 4:.0f} s later " if settle else "end ")
        + f"{end.rss_kb / 1024:.1f} MB ({grow_kb / 1024:+.2f} MB); fds {idle.fds}/{warm.fds}/"
        f"{end.fds}; threads {idle.threads}/{warm.threads}/{end.threads}; RSS MB per 100 "
        f"calls {trail}; growth by kind: main heap "
        f"{(end_parts.heap_kb - warm_parts.heap_kb) / 1024:+.2f} MB, anonymous maps "
        f"{(end_parts.anon_kb - warm_parts.anon_kb) / 1024:+.2f} MB, files "
        f"{(end_parts.file_kb - warm_parts.file_kb) / 1024:+.2f} MB"
    )
    print(figures)
    assert grow_kb < 5 * 1024, figures
    if plateau is not None:
        assert last.rss_kb - plateau.rss_kb < 1.5 * 1024, figures
    assert end.fds <= max(warm.fds, idle.fds), figures
    assert end.threads <= max(warm.threads, idle.threads), figures
    return figures


def test_soak_forward_always(tmp_path: Path, config_dir: Path) -> None:
    settings = Settings()
    settings.forward.phone.always = ForwardRule(True, "sip:carol@127.0.0.1:5999")
    save_settings(config_dir, settings)
    with running_engine(config_dir) as (engine, client):
        soak(tmp_path, engine, client, "uac-call-expect-302.xml")
        forwarded = [
            e
            for e in client.events
            if e.get("ev") == "call"
            and e["state"] == "Finished"
            and e.get("extra", {}).get("result") == "forwarded"
        ]
        assert len(forwarded) == CALLS


def test_soak_answered_short_calls(tmp_path: Path, config_dir: Path) -> None:
    with running_engine(config_dir) as (engine, client), _answering(client):
        soak(
            tmp_path,
            engine,
            client,
            str(PEERS / "uac-short-call.xml"),
            ("-d", str(TALK_MS), "-l", "1"),
            settle=True,
        )
        talked = {
            e["id"] for e in client.events if e.get("ev") == "call" and e["state"] == "Talking"
        }
        assert len(talked) == CALLS
