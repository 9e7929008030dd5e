"""The Action URI server over real sockets on 127.0.0.1 (and 127.0.0.2 as an outsider)."""

from __future__ import annotations

import json
import logging
import queue
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from app.phone.settings import RemoteSettings
from app.remote.access import Caller, PromptBroker, basic_header
from app.remote.action_uri import RemoteAction
from app.remote.http_server import ActionUriServer


def tiny_png() -> bytes:
    """A valid 2x1 RGB PNG, built here so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00\x00\x00\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Engine:
    def __init__(self) -> None:
        self.actions: queue.Queue[list[RemoteAction]] = queue.Queue()
        self.png: bytes | None = tiny_png()
        self.snapshot: dict[str, Any] = {
            "accounts": [
                {
                    "index": 0,
                    "label": "1001",
                    "uri": "sip:1001@127.0.0.1",
                    "state": "Registered",
                    "code": 200,
                }
            ],
            "dnd": False,
            "forward": {"always": True, "busy": False, "no_answer": False, "always_target": "2001"},
            "calls": [],
        }

    def submit(self, actions: list[RemoteAction]) -> None:
        self.actions.put_nowait(actions)

    def state(self) -> dict[str, Any]:
        return self.snapshot

    def screenshot(self) -> bytes | None:
        return self.png

    def drained(self) -> list[list[RemoteAction]]:
        out = []
        while not self.actions.empty():
            out.append(self.actions.get_nowait())
        return out


def settings(**overrides: Any) -> RemoteSettings:
    values: dict[str, Any] = {
        "action_uri_enabled": True,
        "action_uri_port": 0,
        "action_uri_allow": ["127.0.0.1"],
        "action_uri_prompt": False,
    }
    values.update(overrides)
    return RemoteSettings(**values)


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def serve(engine: Engine) -> Iterator[Any]:
    servers: list[ActionUriServer] = []

    def start(s: RemoteSettings, **kwargs: Any) -> ActionUriServer:
        server = ActionUriServer(s, engine.submit, engine.state, engine.screenshot, **kwargs)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def http(
    port: int,
    target: str,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request over a fresh socket whose source address we choose."""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
        if raw is None:
            lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        s.sendall(raw)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    parsed = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return status, parsed, body


def test_disabled_server_answers_403(serve: Any, engine: Engine) -> None:
    server = serve(settings(action_uri_enabled=False))
    assert http(server.port, "/servlet?key=OK")[0] == 403
    assert engine.drained() == []


def test_keys_reach_the_engine_in_order(serve: Any, engine: Engine) -> None:
    server = serve(settings())
    status, _, body = http(server.port, "/servlet?key=ASW;MUTE")
    assert (status, body) == (200, b"OK\n")
    status, _, _ = http(server.port, "/servlet?number=2001&outgoing_uri=1001%40127.0.0.1")
    assert status == 200
    assert engine.drained() == [
        [RemoteAction("answer"), RemoteAction("key", "MUTE")],
        [RemoteAction("dial", "2001", account_uri="1001@127.0.0.1")],
    ]


def test_outsider_address_gets_403_and_is_logged(
    serve: Any, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(settings())
    with caplog.at_level(logging.WARNING, logger="deskphone.remote"):
        assert http(server.port, "/servlet?key=OK", source="127.0.0.2")[0] == 403
        assert http(server.port, "/screencapture", source="127.0.0.2")[0] == 403
        garbage = b"\x16\x03\x01 nonsense\r\n\r\n"
        assert http(server.port, "", source="127.0.0.2", raw=garbage)[0] == 403
    assert "refused 127.0.0.2: address not allowed" in caplog.text
    assert engine.drained() == []
    # A wildcard entry lets it in.
    server.update_settings(settings(action_uri_allow=["203.0.113.1", "127.0.0.*"]))
    assert http(server.port, "/servlet?key=OK", source="127.0.0.2")[0] == 200
    assert engine.drained() == [[RemoteAction("key", "OK")]]


def test_basic_auth(serve: Any, engine: Engine) -> None:
    server = serve(settings(action_uri_user="admin", action_uri_password="s3cret"))
    status, headers, _ = http(server.port, "/servlet?key=OK")
    assert status == 401 and headers["www-authenticate"].startswith("Basic")
    wrong = {"Authorization": basic_header("admin", "guess")}
    assert http(server.port, "/servlet?key=OK", headers=wrong)[0] == 403
    assert engine.drained() == []
    # A stock client that only sends credentials after the challenge gets through.
    url = f"http://127.0.0.1:{server.port}/servlet?key=OK"
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, "admin", "s3cret")
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
    with opener.open(url, timeout=5) as response:
        assert response.status == 200
    assert engine.drained() == [[RemoteAction("key", "OK")]]


def test_prompt_accepted_declined_and_unanswered(serve: Any, engine: Engine) -> None:
    prompts: queue.Queue[Caller] = queue.Queue()
    broker = PromptBroker(prompts.put_nowait)  # the engine only queues the dialog
    server = serve(settings(action_uri_prompt=True), prompter=broker, prompt_timeout=0.5)
    port = server.port

    # Unanswered: 403 after the timeout; the prompt was shown once.
    started = time.monotonic()
    assert http(port, "/servlet?key=OK")[0] == 403
    assert 0.4 < time.monotonic() - started < 3
    assert prompts.get_nowait().key == "127.0.0.1"

    # The "UI" says yes while a request waits.
    server.handler.prompt_timeout = 5.0
    result: list[int] = []
    waiting = threading.Thread(target=lambda: result.append(http(port, "/servlet?key=1")[0]))
    waiting.start()
    time.sleep(0.2)
    assert waiting.is_alive()  # the HTTP thread waits, not the UI
    broker.answer("127.0.0.1", True)
    waiting.join(5)
    assert result == [200]
    assert engine.drained() == [[RemoteAction("key", "1")]]

    # Declined: refused at once.
    broker.answer("127.0.0.1", False)
    started = time.monotonic()
    assert http(port, "/servlet?key=1")[0] == 403
    assert time.monotonic() - started < 1
    assert engine.drained() == []


def malformed_requests() -> list[bytes]:
    bad_queries = [
        "key=", "key=NOPE", "key=L99", "key=ASW:%20", "number=", "number=a%20b", "dnd=maybe",
        "phonecfg=put", "phonecfg=get&fw=7", "frob=1", "=1", "key=%ff%fe", "key=1%0d%0a",
        "key=" + ";".join("1" * 40), "key=" + "A" * 3000, "&".join(["t=1"] * 80),
    ]  # fmt: skip
    requests = [
        f"GET /servlet?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for q in bad_queries
    ]
    requests += [
        b"GET /servlet?key=OK HTTP/9.9\r\n\r\n",
        b"GET /servlet?key=OK JUNK/1.0\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # a TLS hello on plain HTTP
        b"GET /servlet?key=OK HTTP/1.1 extra\r\n\r\n",
        b"FROB /servlet?key=OK HTTP/1.1\r\n\r\n",
        b"GET /" + b"x" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET /servlet?key=OK HTTP/1.1\r\n" + b"X-A: b\r\n" * 120 + b"\r\n",
        b"GET /servlet?key=\xff\xfe HTTP/1.1\r\n\r\n",
    ]
    return [requests[i % len(requests)] for i in range(100)]


def test_100_malformed_requests_get_400_and_the_server_keeps_working(
    serve: Any, engine: Engine
) -> None:
    server = serve(settings())
    statuses = []
    for raw in malformed_requests():
        try:
            statuses.append(http(server.port, "", raw=raw)[0])
        except (IndexError, ValueError):
            statuses.append(0)  # no status line at all
    assert len(statuses) == 100
    assert statuses == [400] * 100, statuses
    assert engine.drained() == []
    assert http(server.port, "/servlet?key=OK")[0] == 200
    assert engine.drained() == [[RemoteAction("key", "OK")]]


def test_screencapture_returns_the_engines_png(serve: Any, engine: Engine) -> None:
    server = serve(settings())
    status, headers, body = http(server.port, "/screencapture")
    assert status == 200
    assert headers["content-type"] == "image/png"
    assert body == engine.png
    engine.png = None
    assert http(server.port, "/screencapture")[0] == 503


def test_phonecfg_report(serve: Any) -> None:
    server = serve(settings())
    status, headers, body = http(server.port, "/servlet?phonecfg=get&accounts=1&dnd=1&fw=1")
    assert status == 200 and headers["content-type"] == "application/json"
    report = json.loads(body)
    assert report["accounts"][0]["state"] == "Registered"
    assert report["dnd"] is False
    assert report["forward"]["always"] is True


def test_connection_cap_and_idle_clients(serve: Any, engine: Engine) -> None:
    server = serve(settings(), max_clients=2)
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(2)]
    time.sleep(0.2)
    try:
        status, _, body = http(server.port, "/servlet?key=OK")
        assert (status, body) == (503, b"busy\n")
    finally:
        for s in idle:
            s.close()
    deadline = time.monotonic() + 3
    while http(server.port, "/servlet?key=OK")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert RemoteAction("key", "OK") in [a for batch in engine.drained() for a in batch]


def test_stop_releases_waiting_requests_and_the_port(serve: Any, engine: Engine) -> None:
    broker = PromptBroker(lambda caller: None)
    server = serve(settings(action_uri_prompt=True), prompter=broker, prompt_timeout=30)
    port = server.port
    result: list[int] = []
    waiting = threading.Thread(target=lambda: result.append(http(port, "/servlet?key=OK")[0]))
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    waiting.join(5)
    assert time.monotonic() - started < 3
    assert result == [503]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    # Rebinding on a settings change: same callbacks, new port.
    again = serve(settings(action_uri_port=0))
    again.update_settings(settings(action_uri_port=port))
    assert again.port == port
    broker.answer("127.0.0.1", True)
    assert http(port, "/servlet?key=OK")[0] == 200
