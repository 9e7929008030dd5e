"""The whole phone as a user runs it (window + engine): redirects and memory in a call.

- 302 → new INVITE with the window running: each call is a link handed to the running window
  (`deskphone sip:...` from a second launch, as a browser would), so the UI process renders
  every screen while the engine follows the 302; timed from a loopback capture as in
  redirect_bench.py. baresip in the same run, as there.
- RSS of the window and the engine at rest and during one answered call (SIPp answers and sends
  RTP), the whole phone being their sum.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.audio.pulse import PulseServer
from tests.bench.redirect_bench import Capture, far_ends, redirect_delays
from tests.bench.table import Row, median, pct, proc_usage
from tests.engine_harness import ROOT, deskphone_argv
from tests.sipnet import HOST, Sipp, free_port


def _env(base: dict[str, str] | None = None) -> dict[str, str]:
    # os.environ read now: the bench may have set DISPLAY
    return {**(base if base is not None else os.environ), "PYTHONPATH": str(ROOT)}


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids.extend(int(k) for k in (task / "children").read_text().split())
    return kids


@contextmanager
def running_app(config: Path, env: dict[str, str] | None = None) -> Iterator[tuple[int, int]]:
    """The whole app on 127.0.0.1; yields (UI pid, engine pid) once both are up."""
    proc = subprocess.Popen(
        deskphone_argv(config), env=_env(env), cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3)  # the window is up and the engine connected
        engines = _children(proc.pid)
        if not engines:
            raise RuntimeError("no engine process under the UI")
        yield proc.pid, engines[0]
    finally:
        proc.terminate()
        proc.wait(15)


def hand_link(config: Path, uri: str, env: dict[str, str] | None = None) -> None:
    """A second launch with a link: the running window dials it (app/desktop/single_instance)."""
    subprocess.run(
        deskphone_argv(config, uri), env=_env(env), cwd=ROOT, timeout=30, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _carol_invites(carol: Sipp) -> int:
    return carol.messages().count("\nINVITE sip:")


def bench_app_redirect(calls: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-app-redirect-") as tmp:
        work = Path(tmp)
        bob, carol = far_ends(work, calls, "app")
        cap = Capture(work / "app.pcap", [bob.port, carol.port])
        config = work / "config"
        config.mkdir()
        try:
            with running_app(config):
                for n in range(calls):
                    hand_link(config, f"sip:bob@{HOST}:{bob.port}")
                    deadline = time.monotonic() + 10
                    while _carol_invites(carol) <= n and time.monotonic() < deadline:
                        time.sleep(0.02)
                    time.sleep(0.3)  # the failed call's screen, then the next link
        finally:
            pcap = cap.stop()
            bob.stop()
            carol.stop()
        delays, _fresh = redirect_delays(pcap, bob.port, carol.port)
    if not delays:
        raise RuntimeError("no redirect seen in the capture")
    return [
        Row(
            "302 received → new INVITE sent, window running (link handed over), median",
            f"{median(delays):.3f} ms",
            f"p95 {pct(delays, 0.95):.3f} ms, max {max(delays):.3f} ms; {len(delays)}/{calls} "
            "links handed to the running window, loopback capture",
        )
    ]


def _memory_in_call(
    call_seconds: float, env: dict[str, str] | None
) -> tuple[tuple[int, int], tuple[int, int]]:
    """((window, engine) RSS kB at rest, the same after `call_seconds` of an answered call)."""
    with tempfile.TemporaryDirectory(prefix="bench-app-memory-") as tmp:
        work = Path(tmp)
        callee = Sipp("uas-180-200-rtp.xml", free_port(), work / "callee", timeout=60)
        callee.listen()
        config = work / "config"
        config.mkdir()
        try:
            with running_app(config, env) as (ui, engine):
                idle = proc_usage(ui)[1], proc_usage(engine)[1]
                hand_link(config, f"sip:carol@{HOST}:{callee.port}", env)
                time.sleep(call_seconds)  # answered after 0.5 s; RTP both ways meanwhile
                if "\nACK " not in callee.messages():
                    raise RuntimeError("the call was not answered")
                busy = proc_usage(ui)[1], proc_usage(engine)[1]
        finally:
            callee.stop()
    return idle, busy


def bench_app_memory(call_seconds: float) -> list[Row]:
    """With a private PulseAudio set up as a desktop (its default device through ALSA's pulse
    plugin), so the call's audio really flows through the sound server as on a user's PC."""
    server = PulseServer(desktop=True) if shutil.which("pulseaudio") else None
    if server is not None:
        server.start()
    env = server.env if server is not None else None  # made after the bench set DISPLAY
    try:
        idle, busy = _memory_in_call(call_seconds, env)
    finally:
        if server is not None:
            server.cleanup()
    sound = "private PulseAudio, default device" if server else "no sound server"
    mib = [kb / 1024 for kb in (*idle, *busy)]
    return [
        Row(
            "memory (RSS), whole phone during one call",
            f"{mib[2] + mib[3]:.0f} MiB",
            f"window {mib[2]:.0f} MiB + engine {mib[3]:.0f} MiB after {call_seconds:.0f} s of "
            f"call (SIPp sends RTP; {sound}); at rest before the call: window "
            f"{mib[0]:.0f} MiB + engine {mib[1]:.0f} MiB = {mib[0] + mib[1]:.0f} MiB",
        )
    ]
