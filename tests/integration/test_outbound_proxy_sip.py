"""Outbound proxy, end to end: the real engine, SIPp as the proxy, all on 127.0.0.1.

The account's registrar (server:port) is an address where only a silent recorder listens; the
outbound proxy is SIPp (tests/peers/proxy/uas-proxy-register-call.xml), which answers REGISTER
and plays the callee. Everything the phone sends must reach the proxy over the account's
transport, still addressed to the registrar (Request-URI, To) and with a loose-route Route header
naming the proxy; the registrar's address must receive nothing at all.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.engine_harness import EngineClient, running_engine, write_account
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

SCENARIO = "proxy/uas-proxy-register-call.xml"

# One entry of SIPp's -trace_msg log: the dashes line, "UDP|TCP message received|sent ...", body.
_ENTRY = re.compile(
    r"^-+ \d{4}-\d\d-\d\d [\d:.]+\n(UDP|TCP) message (received|sent)[^\n]*\n\n"
    r"(.*?)(?=^-+ \d{4}-|\Z)",
    re.MULTILINE | re.DOTALL,
)


@dataclass
class Received:
    transport: str
    text: str

    @property
    def start_line(self) -> str:
        return self.text.split("\r\n", 1)[0].split("\n", 1)[0].strip()

    def headers(self, name: str) -> list[str]:
        """Values of header `name` (full name, case-insensitive) in the message head."""
        head = self.text.split("\n\n", 1)[0]
        found = re.findall(rf"^{re.escape(name)}:[ \t]*(.*?)\r?$", head, re.I | re.M)
        return [v.strip() for v in found]


def received(proxy: Sipp) -> list[Received]:
    return [
        Received(m.group(1), m.group(3))
        for m in _ENTRY.finditer(proxy.messages())
        if m.group(2) == "received"
    ]


def requests(proxy: Sipp, method: str) -> list[Received]:
    return [r for r in received(proxy) if r.start_line.startswith(f"{method} ")]


def uri_parts(name_addr: str) -> tuple[str, frozenset[str]]:
    """`<sip:h:p;a;b=C>` -> ("sip:h:p", {"a", "b=c"}): pjsip orders URI parameters its own way."""
    uri = name_addr.strip().removeprefix("<").split(">", 1)[0]
    base, *params = uri.split(";")
    return base, frozenset(p.lower() for p in params)


@dataclass
class Silent:
    """UDP and TCP listeners at the registrar's address that record bytes and never answer."""

    port: int
    data: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind((HOST, self.port))
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.bind((HOST, self.port))
        self._tcp.listen(4)
        for sock in (self._udp, self._tcp):
            sock.settimeout(0.1)
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conns: list[socket.socket] = []
        while not self._stop:
            with contextlib.suppress(OSError):
                self.data.append(self._udp.recv(65535))
            try:
                conn, _ = self._tcp.accept()
                conn.settimeout(0.05)
                conns.append(conn)
                self.data.append(b"<tcp connection accepted>")
            except OSError:
                pass
            for conn in conns:
                try:
                    chunk = conn.recv(65535)
                except OSError:
                    continue
                if chunk:
                    self.data.append(chunk)
        for conn in conns:
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self._udp.close()
        self._tcp.close()


def wait_registered(
    client: EngineClient, registrar: Silent, proxy: Sipp, timeout: float = 15.0
) -> None:
    """Registered, failing at once (with what arrived) if the registrar's address hears anything."""
    deadline = time.monotonic() + timeout
    while not registrar.data:
        try:
            client.wait_account("Registered", 0.2)
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                got = [r.start_line for r in received(proxy)]
                pytest.fail(f"not registered in {timeout:.0f} s; the proxy received {got}")
    time.sleep(0.3)  # the rest of what was sent there, for the message
    pytest.fail(f"the registrar's own address was contacted: {registrar.data[:3]!r}")


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_register_and_call_go_to_the_outbound_proxy_not_the_registrar(
    tmp_path: Path, config_dir: Path, transport: str
) -> None:
    tcp = transport == "tcp"
    registrar = Silent(free_port())
    proxy = Sipp(
        SCENARIO,
        free_port(),
        tmp_path / "sipp",
        calls=2,  # the REGISTER dialog and the INVITE dialog
        timeout=30,
        extra=["-t", "t1"] if tcp else [],
    )
    try:
        proxy.start()
        proxy.wait_listening(tcp=tcp)
        write_account(
            config_dir,
            "alice",
            HOST,
            registrar.port,
            transport=transport,
            outbound_proxy=f"{HOST}:{proxy.port}",
        )
        with running_engine(config_dir) as (_engine, client):
            wait_registered(client, registrar, proxy)
            client.send("dial", target="2001")
            talking = client.wait_call("Talking", 15)
            assert talking["remote_uri"] == f"sip:2001@{HOST}:{registrar.port}"
            client.send("hangup")
            client.wait_call("Finished")
            assert proxy.wait(15) == 0, proxy.messages()[-3000:]
    finally:
        proxy.stop()
        registrar.close()

    wire = "TCP" if tcp else "UDP"
    tparam = ";transport=tcp" if tcp else ""
    route = uri_parts(f"<sip:{HOST}:{proxy.port};lr{tparam}>")
    assert {r.transport for r in received(proxy)} == {wire}

    register = requests(proxy, "REGISTER")[0]
    assert register.start_line == f"REGISTER sip:{HOST}:{registrar.port}{tparam} SIP/2.0"
    assert [uri_parts(v) for v in register.headers("Route")] == [route]
    assert register.headers("To")[0] == f"<sip:alice@{HOST}>"
    assert register.headers("Via")[0].startswith(f"SIP/2.0/{wire} ")

    invite = requests(proxy, "INVITE")[0]
    assert invite.start_line == f"INVITE sip:2001@{HOST}:{registrar.port} SIP/2.0"
    assert [uri_parts(v) for v in invite.headers("Route")] == [route]
    # pjsip leaves the port out of To/From (RFC 3261 table 1; allow_port_in_fromto_hdr is off)
    assert invite.headers("To")[0].strip("<>") == f"sip:2001@{HOST}"
    assert invite.headers("Via")[0].startswith(f"SIP/2.0/{wire} ")

    # In the dialog the proxy's Record-Route is the route: the BYE comes back through it.
    bye = requests(proxy, "BYE")[0]
    rr = uri_parts(f"<sip:{HOST}:{proxy.port};lr;transport={wire}>")
    assert [uri_parts(v) for v in bye.headers("Route")] == [rr]

    assert registrar.data == [], registrar.data[:3]
