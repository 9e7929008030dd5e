"""Action URI and web pages: pages in the user's browser must not drive Action URI.

Real sockets on 127.0.0.1 (127.0.0.2+ stand in for other hosts); requests are written by
hand so the test controls Host, Origin, Sec-Fetch-Site and User-Agent exactly as a browser
under attack would send them.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.phone.settings import RemoteSettings
from app.remote import access
from app.remote.access import PromptBroker
from app.remote.action_uri import RemoteAction
from app.remote.http_server import ActionUriServer
from app.store.secrets import SecretStore
from app.store.settings import SETTINGS_FILE, load_settings
from tests.integration.test_remote_http import Engine, http

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


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


def raw_get(
    port: int, target: str, headers: list[tuple[str, str]], source: str = "127.0.0.1"
) -> tuple[int, dict[str, str], bytes]:
    """GET with exactly these header lines (no Host unless given)."""
    lines = [f"GET {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers), "Connection: close"]
    return http(port, "", source=source, raw=("\r\n".join(lines) + "\r\n\r\n").encode())


ATTACKS = [
    "/servlet?phonecfg=get",
    "/screencapture",
    "/servlet?number=900123456",
]


@pytest.mark.parametrize("target", ATTACKS)
def test_dns_rebinding_host_is_refused(serve: Any, engine: Engine, target: str) -> None:
    server = serve(settings())
    port = server.port
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}"):
        status, _, body = raw_get(port, target, [("Host", host), ("User-Agent", FIREFOX)])
        assert status == 403, (host, body)
    # Two Host headers, or one for another port of this machine: refused too.
    two = [("Host", f"127.0.0.1:{port}"), ("Host", "attacker.example")]
    assert raw_get(port, target, two)[0] == 403
    assert raw_get(port, target, [("Host", f"127.0.0.1:{port + 1}")])[0] == 403
    assert engine.drained() == []


def test_cross_site_requests_are_refused(serve: Any, engine: Engine) -> None:
    server = serve(settings())
    port = server.port
    host = ("Host", f"127.0.0.1:{port}")
    for extra in (
        [("Origin", "http://attacker.example")],
        [("Origin", "null")],
        [("Origin", f"http://localhost:{port + 1}")],
        [("Origin", f"https://127.0.0.1:{port}")],
        [("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Mode", "no-cors")],
        [("Sec-Fetch-Site", "same-site")],
    ):
        for target in ATTACKS:
            assert raw_get(port, target, [host, *extra])[0] == 403, (extra, target)
    assert engine.drained() == []


def test_the_phones_own_address_and_typed_urls_still_work(serve: Any, engine: Engine) -> None:
    server = serve(settings())
    port = server.port
    ok = [
        [("Host", f"127.0.0.1:{port}")],
        [("Host", f"localhost:{port}")],
        [("Host", "127.0.0.1")],  # an HTTP/1.0 tool that leaves the port out
        [],  # no Host at all: no browser sends that
        [("Host", f"127.0.0.1:{port}"), ("Sec-Fetch-Site", "none"), ("User-Agent", FIREFOX)],
        [("Host", f"127.0.0.1:{port}"), ("Origin", f"http://127.0.0.1:{port}")],
    ]
    for headers in ok:
        assert raw_get(port, "/servlet?key=OK", headers)[0] == 200, headers
    assert engine.drained() == [[RemoteAction("key", "OK")]] * len(ok)


def test_bind_any_accepts_the_address_the_client_reached(serve: Any, engine: Engine) -> None:
    server = serve(settings(action_uri_bind_any=True, action_uri_allow=["127.0.0.*"]))
    port = server.port

    # 0.0.0.0 listens on 127.0.0.3 too; the Host must name the address that was reached.
    def via(local: str, host: str) -> int:
        with socket.create_connection((local, port), timeout=5) as s:
            s.sendall(f"GET /servlet?key=OK HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            return int(s.recv(100).split()[1])

    assert via("127.0.0.3", f"127.0.0.3:{port}") == 200
    assert via("127.0.0.3", f"evil.example:{port}") == 403


def test_the_prompt_is_the_default_as_on_a_yealink(serve: Any, engine: Engine) -> None:
    assert RemoteSettings().action_uri_prompt is True
    defaults = RemoteSettings(action_uri_enabled=True, action_uri_port=0)
    server = serve(defaults, prompt_timeout=0.3)  # nobody can answer: refused
    assert http(server.port, "/servlet?number=900")[0] == 403
    assert engine.drained() == []


def test_one_yes_for_a_program_does_not_admit_browser_pages(serve: Any, engine: Engine) -> None:
    prompts: queue.Queue[Any] = queue.Queue()
    broker = PromptBroker(prompts.put_nowait)
    server = serve(settings(action_uri_prompt=True), prompter=broker, prompt_timeout=0.5)
    port = server.port
    host = ("Host", f"127.0.0.1:{port}")

    # A dialler program asks; the user says yes once; it is remembered for that program.
    waiting: list[int] = []
    thread = threading.Thread(
        target=lambda: waiting.append(raw_get(port, "/servlet?key=1", [host])[0])
    )
    thread.start()
    program = prompts.get(timeout=5)
    assert program.ip == "127.0.0.1" and program.remember
    broker.answer(program.key, True)
    thread.join(5)
    assert waiting == [200]
    assert raw_get(port, "/servlet?key=2", [host, ("User-Agent", "curl/8.5")])[0] == 200
    assert prompts.empty()

    # A page in an old browser (no Sec-Fetch-*, no Origin, no Referer from https) on the same
    # address is not covered by that yes: it is asked about, and refused unanswered.
    page = [host, ("User-Agent", FIREFOX)]
    assert raw_get(port, "/servlet?number=900123456", page)[0] == 403
    browser = prompts.get(timeout=1)
    assert not browser.remember and browser.key != program.key and "browser" in browser.label
    assert broker.pending() == []  # the unanswered question was withdrawn

    # A yes to one browser request admits that request only.
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(raw_get(port, "/servlet?key=3", page)[0])
    )
    thread.start()
    broker.answer(prompts.get(timeout=5).key, True)
    thread.join(5)
    assert result == [200]
    assert raw_get(port, "/servlet?number=900123456", page)[0] == 403
    assert [a for batch in engine.drained() for a in batch] == [
        RemoteAction("key", "1"),
        RemoteAction("key", "2"),
        RemoteAction("key", "3"),
    ]


def test_pending_prompts_are_capped(serve: Any, engine: Engine) -> None:
    shown: list[Any] = []
    withdrawn: list[str] = []
    broker = PromptBroker(shown.append, withdrawn.append)
    allow = {"action_uri_allow": ["127.0.0.*"], "action_uri_prompt": True}
    server = serve(settings(**allow), prompter=broker, prompt_timeout=2.0)
    port = server.port
    results: dict[str, tuple[int, float]] = {}

    def ask_from(source: str) -> None:
        started = time.monotonic()
        status = raw_get(port, "/servlet?key=OK", [], source=source)[0]
        results[source] = (status, time.monotonic() - started)

    sources = [f"127.0.0.{n}" for n in range(2, 14)]
    threads = [threading.Thread(target=ask_from, args=(s,)) for s in sources]
    for t in threads:
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join(10)
    assert len(shown) == access.MAX_PENDING_PROMPTS
    refused_at_once = [s for s, (code, took) in results.items() if code == 429 and took < 1.0]
    assert len(refused_at_once) == len(sources) - access.MAX_PENDING_PROMPTS
    assert sorted(withdrawn) == sorted(c.key for c in shown)  # questions closed after timeout
    assert engine.drained() == []


@pytest.mark.parametrize(("in_use", "prompt_after"), [(False, True), (True, False)])
def test_existing_settings_get_the_prompt_unless_a_program_relies_on_none(
    tmp_path: Path, in_use: bool, prompt_after: bool
) -> None:
    """Schema 2 wrote the old default (prompt off) into every file: where Action URI is off
    the new default applies; where it is on, the user's working set-up is kept."""
    raw = {"schema": 2, "remote": {"action_uri_enabled": in_use, "action_uri_prompt": False}}
    (tmp_path / SETTINGS_FILE).write_text(json.dumps(raw))
    loaded = load_settings(tmp_path, SecretStore(tmp_path, use_keyring=False))
    assert loaded.settings.remote.action_uri_prompt is prompt_after
    assert json.loads((tmp_path / SETTINGS_FILE).read_text())["schema"] == 3
