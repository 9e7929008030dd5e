"""Ringback, ringtone and call audio of the REAL engine process on a private PulseAudio set
up as a desktop (repo root):

    python tests/bench/ringback_bench.py [--calls 20] [--seconds 10]

prints the call rows of the bench table (tests/bench/call_bench.py). The pieces here:
- 180 sent on the wire -> first ringback sample handed to PortAudio: a small UDP UAS in this
  process answers the engine's INVITEs and notes time.monotonic() just before sending the 180;
  the engine reports the monotonic time its PortAudio callback took the tone's first sample
  (`tone_started`). Both use CLOCK_MONOTONIC of the same machine.
- SIPp's INVITE sent -> first ringtone sample (`ring_started`), the phone idle before each call;
- a call whose RTP a SIPp peer echoes back: the bridge's added latency each way, drops and
  refills, CPU and RSS of the engine.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.audio.desktop_rig import wait_idle  # noqa: E402
from tests.audio.engine_rig import audio_status, target, uas  # noqa: E402
from tests.bench.table import cpu_over  # noqa: E402
from tests.engine_harness import EngineClient  # noqa: E402
from tests.sipnet import HOST, Sipp, free_port  # noqa: E402


class RingingUas:
    """Answers each INVITE with 100 and 180 (no SDP), then 480 once told to; ACKs ignored."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.sent_180: list[float] = []
        self._invite: tuple[str, Any] | None = None
        self._got = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            text = data.decode(errors="replace")
            if not text.startswith("INVITE "):
                continue
            if self._invite is not None and _header(text, "Call-ID") == _header(
                self._invite[0], "Call-ID"
            ):
                continue  # a retransmission
            self._invite = (text, addr)
            self.sock.sendto(_response(text, 100, "Trying").encode(), addr)
            reply = _response(text, 180, "Ringing").encode()
            self.sent_180.append(time.monotonic())
            self.sock.sendto(reply, addr)
            self._got.set()

    def wait_invite(self, timeout: float) -> bool:
        ok = self._got.wait(timeout)
        self._got.clear()
        return ok

    def reject(self) -> None:
        if self._invite is not None:
            text, addr = self._invite
            self.sock.sendto(_response(text, 480, "Temporarily Unavailable").encode(), addr)


def _header(msg: str, name: str) -> str:
    for line in msg.split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def _response(invite: str, code: int, reason: str) -> str:
    to = _header(invite, "To")
    if code > 100 and ";tag=" not in to:
        to += ";tag=bench" + _header(invite, "Call-ID")[:8]
    lines = [
        f"SIP/2.0 {code} {reason}",
        *(f"Via: {v}" for v in _vias(invite)),
        f"From: {_header(invite, 'From')}",
        f"To: {to}",
        f"Call-ID: {_header(invite, 'Call-ID')}",
        f"CSeq: {_header(invite, 'CSeq')}",
        "Content-Length: 0",
    ]
    return "\r\n".join(lines) + "\r\n\r\n"


def _vias(msg: str) -> list[str]:
    return [
        line.partition(":")[2].strip()
        for line in msg.split("\r\n\r\n")[0].split("\r\n")
        if line.lower().startswith(("via:", "v:"))
    ]


def ringback_starts(client: EngineClient, count: int, dial_screen: bool = True) -> list[float]:
    """180 sent -> first ringback sample (ms). With `dial_screen` the user opens the dial screen
    (SPEAKER: devices open, dial tone) a second before the call goes out, as when typing a
    number; without it the call goes out in one go (history, directory) from an idle phone."""
    peer = RingingUas()
    delays: list[float] = []
    for _ in range(count):
        if dial_screen:
            client.send("key", key="SPEAKER")
            time.sleep(1.0)
        else:
            wait_idle(client)
        since = len(client.events)
        client.send("dial", target=f"sip:bob@{HOST}:{peer.port}")
        assert peer.wait_invite(5), "no INVITE"
        ev = client.wait_for(lambda e: e.get("ev") == "tone_started", 5, since)
        delays.append(1000 * (ev["started"] - peer.sent_180[-1]))
        peer.reject()
        client.wait_call("CallFailed", 5, since)
        time.sleep(0.2)
    return delays


def ringtone_starts(client: EngineClient, port: int, workdir: Path, count: int) -> list[float]:
    """SIPp's INVITE sent -> first ringtone sample (ms), each call to an idle phone."""
    delays: list[float] = []
    for i in range(count):
        wait_idle(client)
        caller = Sipp(
            "audio/uac-ring.xml",
            free_port(),
            workdir / str(i),
            target=f"{HOST}:{port}",
            service="alice",
            keys={"alert": "<http://127.0.0.1/Ring1.wav>"},
            timeout=30,
        ).start()
        since = len(client.events)
        ring = client.wait_for(lambda e: e.get("ev") == "ring_started", 10, since)
        client.wait_call("CallIn", 10, since)
        client.send("key", key="X")  # Reject
        client.wait_call("Finished", 10, since)
        caller.wait(15)
        delays.append(1000 * (ring["started"] - _invite_sent(caller)))
    return delays


def _invite_sent(sipp: Sipp) -> float:
    """When SIPp sent its INVITE, on this machine's monotonic clock (SIPp logs wall time)."""
    sent = r"^-+ (\S+ \S+)\n(?:UDP|TCP) message sent[^\n]*\n\nINVITE "
    stamps = re.findall(sent, sipp.messages(), re.M)
    if not stamps:
        raise RuntimeError("SIPp logged no INVITE")
    wall = datetime.strptime(stamps[0][:26], "%Y-%m-%d %H:%M:%S.%f").timestamp()
    return wall - (time.time() - time.monotonic())


def echo_call(
    client: EngineClient,
    pid: int,
    workdir: Path,
    seconds: float,
    scenario: str = "uas-200-echo.xml",
) -> dict[str, Any]:
    """One call to a SIPp that echoes RTP, measured for `seconds` once it talks. Raises if the
    call did not last: a row over a call that ended early would measure an idle engine."""
    sipp = uas(workdir, scenario, {}, extra=["-rtp_echo"], timeout=seconds + 60)
    since = len(client.events)
    client.send("dial", target=target(sipp))
    talking = client.wait_call("Talking", 10, since)
    time.sleep(1.0)
    before = audio_status(client)
    cpu, rss = cpu_over(pid, seconds)
    after = audio_status(client)
    ended = [
        e for e in client.events[since:]
        if e.get("ev") == "call" and e.get("id") == talking.get("id")
        and e.get("state") in ("Finished", "CallFailed")
    ]  # fmt: skip
    if ended:
        raise RuntimeError(f"the call ended before the {seconds:.0f} s were over: {ended[0]}")
    client.send("hangup")
    client.wait_call("Finished", 10, since)
    sipp.wait(15)
    ticks = {k: after["ticks"][k] - before["ticks"][k] for k in ("device", "own")}
    spent = after["callback_seconds"] - before["callback_seconds"]
    return {
        "cpu": cpu,
        "rss": rss,
        "state": after,
        # the device callbacks' time (conference tick included) per 20 ms frame played
        "port_us": 1e6 * spent / max(1, ticks["device"]),
        "ticks": ticks,
        "mic_drops": [a - b for a, b in zip(after["mic_drops"], before["mic_drops"], strict=True)],
        # over the measured call only: the bridge's life also counts each stream's priming
        # callbacks (flagged underflow) of the ringback and ringtone phases before it
        "xruns": after["xruns"] - before["xruns"],
        "bursts": after["bursts"] - before["bursts"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    from tests.bench.call_bench import bench_call
    from tests.bench.table import render

    print(render(bench_call(args.calls, args.seconds)))


if __name__ == "__main__":
    main()
