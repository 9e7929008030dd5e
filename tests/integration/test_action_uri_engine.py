"""The real engine driven only over Action URI, its events checked over Action URL.

SIPp plays the far ends, a small HTTP server on 127.0.0.1 plays the CRM that receives the
events; the control socket is only read (never written) except to reload settings.
"""

from __future__ import annotations

import logging
import re
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from app.phone.settings import AccountSettings, RemoteSettings, Settings
from app.store.settings import save_settings
from tests.engine_harness import EngineClient, EngineProcess, running_engine
from tests.sipnet import HOST, Sipp, free_port, kamailio, start_registered

pytestmark = pytest.mark.sip

CALL_EVENTS = ("incoming_call", "outgoing_call", "call_established", "call_terminated")
VARS = "remote=$remote&call_id=$call_id&local=$local&user=$active_user&host=$active_host"


@dataclass
class Received:
    event: str
    values: dict[str, str]
    at: float


class Receiver:
    """A CRM stand-in: records each Action URL GET."""

    def __init__(self) -> None:
        self.events: list[Received] = []
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                values = dict(parse_qsl(parts.query, keep_blank_values=True))
                with outer._cond:
                    outer.events.append(Received(parts.path.strip("/"), values, time.monotonic()))
                    outer._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def urls(self, events: tuple[str, ...] = CALL_EVENTS) -> dict[str, str]:
        return {e: f"http://{HOST}:{self.port}/{e}?{VARS}" for e in events}

    def wait(self, event: str, count: int = 1, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [r for r in self.events if r.event == event]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [r.event for r in self.events]
                    raise TimeoutError(f"no {event} in {timeout} s; got {got}")
                self._cond.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def write_settings(config_dir: Path, uri_port: int, urls: dict[str, str], **account: Any) -> None:
    remote = RemoteSettings(
        action_uri_enabled=True,
        action_uri_port=uri_port,
        action_uri_allow=["127.0.0.1"],
        action_uri_prompt=False,  # the prompt itself: tests/gui/test_action_uri_screencapture.py
        action_urls=urls,
    )
    accounts = [AccountSettings(**account)] if account else []
    save_settings(config_dir, Settings(accounts=accounts, remote=remote))


def get(port: int, target: str, source: str = HOST) -> tuple[int, bytes]:
    """One raw HTTP/1.0 request from the chosen source address; (status, body)."""
    with socket.create_connection((HOST, port), timeout=10, source_address=(source, 0)) as s:
        s.sendall(f"GET {target} HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def sipp_call_id(sipp: Sipp, method: str = "INVITE") -> str:
    match = re.search(rf"^{method} .*?^Call-ID: *(\S+)", sipp.messages(), re.M | re.S)
    assert match, sipp.messages()[-2000:]
    return match.group(1)


def test_a_whole_call_only_through_action_uri(
    tmp_path: Path, config_dir: Path, receiver: Receiver
) -> None:
    uri_port = free_port()
    with kamailio(tmp_path / "kam") as kam:
        callee = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=30)
        start_registered(kam, "2001", callee)
        write_settings(
            config_dir, uri_port, receiver.urls(), user="alice", server=HOST, port=kam.port
        )
        with running_engine(config_dir) as (_engine, client):
            client.wait_account("Registered")
            assert get(uri_port, "/servlet?number=2001") == (200, b"OK\n")
            client.wait_call("Talking")
            receiver.wait("call_established")
            assert get(uri_port, "/servlet?key=CALLEND")[0] == 200
            client.wait_call("Finished")
            receiver.wait("call_terminated")
            assert callee.wait(15) == 0, callee.messages()[-2000:]
        sip_id = sipp_call_id(callee)
    calls = [r for r in receiver.events if r.event in CALL_EVENTS]
    assert [r.event for r in calls] == ["outgoing_call", "call_established", "call_terminated"]
    for r in calls:
        assert r.values["remote"] == f"sip:2001@{kam.domain}"
        assert r.values["call_id"] == sip_id
        assert r.values["local"] == f"sip:alice@{kam.domain}"
        assert (r.values["user"], r.values["host"]) == ("alice", kam.domain)
    assert "BYE sip:" in callee.messages()


def _incoming(tmp_path: Path, engine: EngineProcess, name: str) -> Sipp:
    caller = Sipp(
        "uac-call-expect-200.xml",
        free_port(),
        tmp_path / f"sipp-{name}",
        target=f"{HOST}:{engine.port}",
        service="deskphone",
        timeout=20,
    )
    return caller.start()


def test_incoming_calls_answered_with_answer_and_asw_call_id(
    tmp_path: Path, config_dir: Path, receiver: Receiver
) -> None:
    uri_port = free_port()
    write_settings(config_dir, uri_port, receiver.urls())
    with running_engine(config_dir) as (engine, client):
        # key=ANSWER answers the ringing call.
        caller = _incoming(tmp_path, engine, "answer")
        client.wait_call("CallIn", 20)
        assert get(uri_port, "/servlet?key=ANSWER")[0] == 200
        client.wait_call("Talking", 20)
        assert caller.wait(20) == 0, caller.messages()[-2000:]
        first = receiver.wait("incoming_call", timeout=20)[0]
        assert first.values["call_id"] == sipp_call_id(caller)
        receiver.wait("call_terminated", timeout=20)

        # ASW:<call-id> with the id the incoming_call event carried. A wrong id answers nothing.
        since = len(client.events)
        caller = _incoming(tmp_path, engine, "asw")
        call_id = receiver.wait("incoming_call", 2, timeout=20)[1].values["call_id"]
        assert call_id == sipp_call_id(caller) and call_id != first.values["call_id"]
        assert get(uri_port, "/servlet?key=ASW:no-such-call")[0] == 200
        time.sleep(0.5)
        assert not [e for e in client.events[since:] if e.get("state") == "Talking"]
        assert get(uri_port, f"/servlet?key=ASW:{quote(call_id, safe='')}")[0] == 200
        client.wait_call("Talking", 20, since=since)
        assert caller.wait(20) == 0, caller.messages()[-2000:]
        client.wait_call("Finished", 20, since=since)
    established = receiver.wait("call_established", 2)
    assert [r.values["call_id"] for r in established] == [first.values["call_id"], call_id]


def test_outsider_gets_403_and_garbage_400_and_the_phone_keeps_working(
    tmp_path: Path, config_dir: Path, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    uri_port = free_port()
    write_settings(config_dir, uri_port, receiver.urls())
    with running_engine(config_dir) as (engine, client):
        assert get(uri_port, "/servlet?key=OK", source="127.0.0.2")[0] == 403
        assert get(uri_port, "/servlet?number=2001", source="127.0.0.2")[0] == 403
        malformed = [
            "/servlet",
            "/servlet?key=",
            "/servlet?key=NOPE",
            "/servlet?number=",
            "/servlet?number=12%2034",
            "/servlet?dnd=maybe",
            "/servlet?key=ASW:%00",
            "/servlet?accounts=1",
            "/servlet?phonecfg=set",
            "/servlet?key=" + ";".join(["1"] * 40),
        ]
        statuses = []
        for i in range(100):
            target = malformed[i % len(malformed)]
            statuses.append(get(uri_port, target + ("&" if "?" in target else "?") + f"_={i}")[0])
        assert statuses == [400] * 100
        # The phone still works: a call answered over Action URI connects.
        caller = _incoming(tmp_path, engine, "after-garbage")
        client.wait_call("CallIn")
        assert get(uri_port, "/servlet?key=OK")[0] == 200
        client.wait_call("Talking")
        assert caller.wait(20) == 0
        report = get(uri_port, "/servlet?phonecfg=get")
        assert report[0] == 200 and b'"dnd": false' in report[1]
    log = engine.log_text()
    assert "refused 127.0.0.2: address not allowed" in log
    assert log.count("action URI: bad request from 127.0.0.1") >= 100


def _dial_to_talking(uri_port: int, client: EngineClient, target: str) -> float:
    since = len(client.events)
    started = time.monotonic()
    assert get(uri_port, f"/servlet?number={quote(target, safe='')}")[0] == 200
    talking = client.wait_call("Talking", since=since)
    elapsed = float(talking["_rx"]) - started
    assert get(uri_port, "/servlet?key=CALLEND")[0] == 200
    client.wait_for(lambda e: e.get("ev") == "call_removed", since=since, timeout=10)
    return elapsed


def test_a_receiver_that_never_answers_does_not_delay_the_call(
    tmp_path: Path, config_dir: Path, receiver: Receiver
) -> None:
    rounds = 3
    callee = Sipp(
        "uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", calls=2 * rounds, timeout=60
    ).listen()
    target = f"sip:2001@{HOST}:{callee.port}"
    uri_port = free_port()
    write_settings(config_dir, uri_port, receiver.urls())
    # A receiver that accepts the connection (the kernel does, via the backlog) and never answers.
    dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dead.bind((HOST, 0))
    dead.listen(64)
    dead_url = f"http://{HOST}:{dead.getsockname()[1]}/never?{VARS}"
    try:
        with running_engine(config_dir) as (engine, client):
            healthy = [_dial_to_talking(uri_port, client, target) for _ in range(rounds)]
            urls = {e: dead_url for e in CALL_EVENTS}
            write_settings(config_dir, uri_port, urls)
            client.send("reload_settings")
            client.wait_for(lambda e: e.get("ev") == "settings_reloaded")
            slow = [_dial_to_talking(uri_port, client, target) for _ in range(rounds)]
            deadline = time.monotonic() + 15
            while "no answer within" not in engine.log_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            log = engine.log_text()
        assert callee.wait(20) == 0
    finally:
        dead.close()
    logging.getLogger(__name__).warning(
        "dial to Talking: healthy receiver %s, dead receiver %s (seconds)",
        [f"{t:.3f}" for t in healthy],
        [f"{t:.3f}" for t in slow],
    )
    print(f"\nDIAL->TALKING healthy={healthy} dead={slow}")
    # Each dead request waits 2 s; had sending blocked SIP, each call would take 2 s longer.
    assert statistics.median(slow) - statistics.median(healthy) < 0.3
    assert max(slow) < 1.5
    assert re.search(r"action URL outgoing_call -> 127\.0\.0\.1:\d+/never: no answer within", log)
    # The healthy receiver got the first rounds, in order, and nothing after the reload.
    names = [r.event for r in receiver.events]
    assert names == ["outgoing_call", "call_established", "call_terminated"] * rounds


def test_settings_reload_moves_stops_and_restarts_the_server(
    tmp_path: Path, config_dir: Path, receiver: Receiver
) -> None:
    first, second = free_port(), free_port()
    write_settings(config_dir, first, {})
    with running_engine(config_dir) as (_engine, client):
        assert get(first, "/servlet?dnd=on")[0] == 200
        client.wait_for(
            lambda e: e.get("ev") == "screen" and "dnd" in e["screen"]["status"]["icons"]
        )
        # New port and Action URLs, DND off in the file: the server moves, the receiver hears
        # of the change the reload made and of the ones made over Action URI after it.
        write_settings(config_dir, second, receiver.urls(("dnd_on", "dnd_off")))
        client.send("reload_settings")
        client.wait_for(lambda e: e.get("ev") == "settings_reloaded")
        with pytest.raises(OSError):
            get(first, "/servlet?key=OK")
        receiver.wait("dnd_off")
        assert get(second, "/servlet?dnd=on")[0] == 200
        receiver.wait("dnd_on")
        assert get(second, "/servlet?key=DNDOFF")[0] == 200
        receiver.wait("dnd_off", 2)
        # Disabled: nothing listens any more.
        save_settings(config_dir, Settings())
        client.send("reload_settings")
        client.wait_for(lambda e: e.get("ev") == "settings_reloaded", since=len(client.events))
        with pytest.raises(OSError):
            get(second, "/servlet?key=OK")
    assert [r.event for r in receiver.events] == ["dnd_off", "dnd_on", "dnd_off"]
