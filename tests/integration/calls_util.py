"""Helpers for the calls tests: SIPp callers, an RTP listener, SIP log parsing."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.engine_harness import EngineClient
from tests.sipnet import HOST, Sipp, free_even_port_pair, free_port

_ENTRY = re.compile(
    r"^-+ \d{4}-\d\d-\d\d [\d:.]+\n(UDP|TCP) message (received|sent)[^\n]*\n\n"
    r"(.*?)(?=^-+ \d{4}-|\Z)",
    re.MULTILINE | re.DOTALL,
)


def sip_messages(sipp: Sipp, direction: str = "received") -> list[str]:
    """Every SIP message SIPp received (or sent), in order, from its message log."""
    return [m.group(3) for m in _ENTRY.finditer(sipp.messages()) if m.group(2) == direction]


def exchange(sipp: Sipp) -> list[tuple[str, str]]:
    """(received|sent, message) of every SIP message in SIPp's log, in order."""
    return [(m.group(2), m.group(3)) for m in _ENTRY.finditer(sipp.messages())]


def requests(sipp: Sipp, method: str) -> list[str]:
    return [m for m in sip_messages(sipp) if m.startswith(f"{method} ")]


def responses(sipp: Sipp) -> list[int]:
    return [int(m.split()[1]) for m in sip_messages(sipp) if m.startswith("SIP/2.0 ")]


def caller(
    workdir: Path, target: str, service: str = "deskphone", rtp_port: int = 0, **keys: str
) -> Sipp:
    """SIPp running tests/peers/calls/uac-serve.xml against `target` (host:port)."""
    return Sipp(
        "calls/uac-serve.xml",
        free_port(),
        workdir / "sipp",
        target=target,
        service=service,
        keys={
            "rtpport": str(rtp_port or free_even_port_pair()),
            "pai_name": keys.pop("pai_name", "Boss"),
            "pai_user": keys.pop("pai_user", "5551234"),
            **keys,
        },
        timeout=40,
    )


def uac(
    workdir: Path, scenario: str, target: str, service: str = "deskphone", timeout: float = 20
) -> Sipp:
    """SIPp running the UAC `scenario` once from a free port against `target`, calling `service`."""
    return Sipp(
        scenario, free_port(), workdir / "sipp", target=target, service=service, timeout=timeout
    )


def direct(engine_port: int) -> str:
    return f"{HOST}:{engine_port}"


@dataclass
class RtpListener:
    """A UDP socket standing in for the peer's media port: what pjsua2 sends lands here."""

    port: int = field(default_factory=free_even_port_pair)
    packets: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((HOST, self.port))
        self._sock.settimeout(0.2)
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                data, _ = self._sock.recvfrom(2048)
            except OSError:
                continue
            self.packets.append(data)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self._sock.close()

    def payload_types(self) -> list[int]:
        return [p[1] & 0x7F for p in self.packets if len(p) >= 12 and p[0] >> 6 == 2]

    def dtmf_events(self) -> list[int]:
        """RFC 2833/4733 event codes with the end bit set, one per digit (retransmits merged)."""
        seen: list[tuple[int, int]] = []
        for p in self.packets:
            if len(p) >= 16 and p[0] >> 6 == 2 and p[1] & 0x7F == 101 and p[13] & 0x80:
                stamp = int.from_bytes(p[4:8], "big")
                if (stamp, p[12]) not in seen:
                    seen.append((stamp, p[12]))
        return [event for _, event in seen]

    def wait(self, pred: Any, timeout: float = 5.0) -> bool:
        return wait_until(pred, timeout)


def call_event(client: EngineClient, state: str, since: int = 0, **match: Any) -> dict[str, Any]:
    def ok(e: dict[str, Any]) -> bool:
        if e.get("ev") != "call" or e.get("state") != state:
            return False
        return all(e.get(k) == v for k, v in match.items())

    return client.wait_for(ok, 15, since)


def screen_event(client: EngineClient, name: str, since: int = 0) -> dict[str, Any]:
    ev = client.wait_for(
        lambda e: e.get("ev") == "screen" and e["screen"]["name"] == name, 10, since
    )
    screen: dict[str, Any] = ev["screen"]
    return screen


def sdp_direction(message: str) -> str:
    found = re.findall(r"^a=(sendrecv|sendonly|recvonly|inactive)\s*$", message, re.MULTILINE)
    return found[-1] if found else "sendrecv"


def wait_until(pred: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return bool(pred())


def dismiss_popup(client: EngineClient, settle: float = 0.3) -> None:
    """A warning pop-up (e.g. no sound device on a test machine) owns the soft keys: X acks it.
    Waits `settle` seconds first so that a pop-up still on its way has shown."""
    time.sleep(settle)
    screens = [e for e in client.events if e.get("ev") == "screen"]
    if screens and screens[-1]["screen"].get("popup"):
        since = len(client.events)
        client.send("key", key="X")
        client.wait_for(
            lambda e: e.get("ev") == "screen" and not e["screen"].get("popup"), 5, since
        )
