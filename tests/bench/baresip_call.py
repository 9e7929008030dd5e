"""One baresip call's CPU and memory, on the same private PulseAudio and SIPp echo peer as
DeskPhone's (tests/bench/call_bench.py), so the two figures compare like with like.

baresip 1.0 plays and records through its ALSA module on the same device DeskPhone's PortAudio
opens (ALSA's `default`, the pulse plugin, on a desktop-like private server); its codec is G.711
as DeskPhone's; it dials the SIPp UAS (uas-200-echo.xml with -rtp_echo) and quits, hanging up,
after the call. `baresip_idle` measures it registered to nothing and doing nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.audio.engine_rig import uas
from tests.audio.pulse import PulseServer
from tests.baresip_peer import CONFIG_HEAD
from tests.bench.table import cpu_over
from tests.sipnet import HOST, free_port

_CONFIG = (
    CONFIG_HEAD
    + """\
module\t\t\talsa.so
module_app\t\taccount.so
module_app\t\tmenu.so
audio_player\t\talsa,{device}
audio_source\t\talsa,{device}
audio_alert\t\talsa,{device}
rtp_ports\t\t{rtp_lo}-{rtp_hi}
"""
)
SETTLE_S = 4.0  # as for DeskPhone: the pulse plugin's first seconds are a start-up stall


def _home(work: Path, name: str, device: str) -> Path:
    if shutil.which("baresip") is None:
        raise RuntimeError("baresip is not installed")
    home = work / name
    home.mkdir(parents=True)
    rtp = free_port(udp_and_tcp=False) & ~1
    port = free_port()
    config = _CONFIG.format(host=HOST, port=port, rtp_lo=rtp, rtp_hi=rtp + 40, device=device)
    (home / "config").write_text(config)
    (home / "accounts").write_text(f"<sip:bench@{HOST}:{port}>;regint=0;audio_codecs=PCMA\n")
    return home


def baresip_idle(work: Path, pulse: PulseServer, seconds: float, device: str = "default") -> float:
    """CPU % of one core of baresip started with the same sound setup and left alone."""
    home = _home(work, "baresip-idle", device)
    proc = subprocess.Popen(
        ["baresip", "-f", str(home), "-t", str(int(seconds + 6))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**pulse.env, "HOME": str(home)},
        start_new_session=True,
    )
    try:
        time.sleep(3.0)
        cpu, _ = cpu_over(proc.pid, seconds)
        return cpu
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        proc.wait(5)


def baresip_call(
    work: Path, pulse: PulseServer, seconds: float, device: str = "default"
) -> tuple[float, int]:
    """(CPU % of one core during an established echoed call, RSS kB at its end)."""
    home = _home(work, "baresip-call", device)
    sipp = uas(work / "sipp-baresip", "uas-200-echo.xml", {}, extra=["-rtp_echo"])
    run_for = int(SETTLE_S + seconds + 3)
    out = open(home / "baresip.out", "wb")  # noqa: SIM115 (lives with the process)
    proc = subprocess.Popen(
        ["baresip", "-f", str(home), "-t", str(run_for), "-e", f"/dial sip:bob@{HOST}:{sipp.port}"],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**pulse.env, "HOME": str(home)},
        start_new_session=True,
    )
    try:
        _wait_established(sipp.message_file, 10)
        time.sleep(SETTLE_S)
        cpu, rss = cpu_over(proc.pid, seconds)
        if proc.poll() is not None:
            raise RuntimeError("baresip ended before the measurement did")
        proc.wait(run_for + 10)
        sipp.wait(15)
        return cpu, rss
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait(5)
        out.close()
        sipp.stop()


def _wait_established(messages: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = messages.read_text(errors="replace") if messages.exists() else ""
        if "ACK sip:" in text:
            return
        time.sleep(0.05)
    raise RuntimeError("baresip's call was not established (no ACK at the SIPp peer)")
