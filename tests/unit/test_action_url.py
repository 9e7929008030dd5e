"""Action URL: `$variable` expansion and the non-blocking sender, against receivers on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.remote.action_url import EVENTS, VARIABLES, ActionUrlSender, call_vars, expand, split_uri

# ---- expansion --------------------------------------------------------------------------------


def test_every_yealink_event_and_variable_is_known() -> None:
    names = (
        "setup_completed registered unregistered register_failed off_hook on_hook incoming_call "
        "outgoing_call call_established call_terminated missed_call hold unhold mute unmute "
        "dnd_on dnd_off always_fwd_on always_fwd_off busy_fwd_on busy_fwd_off no_answer_fwd_on "
        "no_answer_fwd_off forward_incoming_call reject_incoming_call transfer_call "
        "blind_transfer_call attended_transfer_call transfer_finished transfer_failed"
    )
    yealink = names.split()
    assert set(yealink) < set(EVENTS)
    assert "call_redirected" in EVENTS
    assert len(set(EVENTS)) == len(EVENTS)
    assert set(VARIABLES) == {
        "mac", "ip", "model", "firmware", "active_url", "active_user", "active_host", "local",
        "remote", "display_local", "display_remote", "call_id", "callerID", "calledNumber",
    }  # fmt: skip


def test_expand_replaces_and_encodes() -> None:
    values = {
        "remote": "sip:2001@127.0.0.1:5070",
        "display_remote": "Anna & Bo",
        "call_id": "o3",
        "callerID": "Anna",
        "local": "sip:1001@pbx",
    }
    url = expand(
        "http://127.0.0.1/e?r=$remote&n=$display_remote&c=$call_id&id=$callerID&l=$local&m=$mac",
        values,
    )
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert query == {
        "r": ["sip:2001@127.0.0.1:5070"],
        "n": ["Anna & Bo"],
        "c": ["o3"],
        "id": ["Anna"],
        "l": ["sip:1001@pbx"],
        "m": [""],
    }
    assert "%26" in url and " " not in url


def test_expand_prefers_the_longest_name_and_leaves_unknown_words() -> None:
    values = {"call_id": "X", "callerID": "Y", "display_local": "D", "local": "L"}
    assert expand("$callerID-$call_id-$display_local-$local-$nope-$", values) == "Y-X-D-L-$nope-$"
    assert expand("$localx", values) == "Lx"  # the phone replaces text, not words


def test_split_uri_and_call_vars() -> None:
    assert split_uri('"Bob" <sip:2001@203.0.113.1:5070;transport=udp>') == (
        "2001",
        "203.0.113.1:5070",
    )
    assert split_uri("tel:+4930123") == ("+4930123", "")
    out = call_vars(
        account_uri="sip:1001@pbx.example",
        remote_uri='"Bob" <sip:2001@203.0.113.1>',
        call_id="o1",
        incoming=False,
        local_name="Alice",
        remote_name="Bob",
    )
    assert out["remote"] == "sip:2001@203.0.113.1"
    assert out["local"] == out["active_url"] == "sip:1001@pbx.example"
    assert (out["active_user"], out["active_host"]) == ("1001", "pbx.example")
    assert (out["callerID"], out["calledNumber"]) == ("Alice", "2001")
    incoming = call_vars(account_uri="sip:1001@pbx", remote_uri="sip:2001@h", incoming=True)
    assert (incoming["callerID"], incoming["calledNumber"]) == ("2001", "1001")


# ---- receivers --------------------------------------------------------------------------------


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records each request's path and query."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, dict[str, list[str]]]] = []
        self.got = threading.Event()
        hits, got = self.hits, self.got

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                hits.append((parts.path, parse_qs(parts.query, keep_blank_values=True)))
                got.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def dead_port() -> Iterator[int]:
    """Accepts TCP connections (the kernel does) but never answers a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock.getsockname()[1]
    sock.close()


def test_events_arrive_in_order_with_their_values(receiver: Receiver) -> None:
    base = f"http://127.0.0.1:{receiver.port}"
    urls = {
        "outgoing_call": base + "/out?remote=$remote&call_id=$call_id&mac=$mac",
        "call_established": base + "/up?remote=$remote&call_id=$call_id",
        "call_terminated": base + "/down?remote=$remote&call_id=$call_id&user=$active_user",
    }
    sender = ActionUrlSender(urls, {"mac": "001565aabbcc"}, timeout=2.0)
    try:
        for n in range(20):
            values = call_vars(
                account_uri="sip:1001@127.0.0.1",
                remote_uri=f"sip:20{n:02d}@127.0.0.1",
                call_id=f"o{n}",
                incoming=False,
            )
            for event in ("outgoing_call", "call_established", "call_terminated"):
                assert sender.emit(event, values)
        assert sender.flush(10)
    finally:
        sender.stop()
    assert [path for path, _ in receiver.hits] == ["/out", "/up", "/down"] * 20
    for i, (_, query) in enumerate(receiver.hits):
        n = i // 3
        assert query["remote"] == [f"sip:20{n:02d}@127.0.0.1"]
        assert query["call_id"] == [f"o{n}"]
    assert receiver.hits[0][1]["mac"] == ["001565aabbcc"]
    assert receiver.hits[2][1]["user"] == ["1001"]


def test_unconfigured_unknown_and_bad_urls_are_not_sent(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="deskphone.remote"):
        sender = ActionUrlSender(
            {"hold": "ftp://127.0.0.1/x", "bogus": f"http://127.0.0.1:{receiver.port}/"}
        )
        try:
            assert not sender.emit("hold")
            assert not sender.emit("mute")  # nothing configured
            assert not sender.emit("bogus")
        finally:
            sender.stop()
    assert "unknown event 'bogus'" in caplog.text
    assert "not an http(s) URL" in caplog.text
    assert receiver.hits == []


def test_dead_receiver_never_delays_emit_and_is_logged(
    dead_port: int, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    urls = {
        "incoming_call": f"http://127.0.0.1:{dead_port}/in?c=$call_id",
        "call_established": f"http://127.0.0.1:{receiver.port}/up?c=$call_id",
    }
    sender = ActionUrlSender(urls, timeout=0.3, queue_size=4)
    with caplog.at_level(logging.INFO, logger="deskphone.remote"):
        try:
            worst = 0.0
            for n in range(10):  # more than the queue holds: the extra ones are dropped
                started = time.perf_counter()
                sender.emit("incoming_call", {"call_id": f"i{n}"})
                worst = max(worst, time.perf_counter() - started)
            started = time.perf_counter()
            assert sender.emit("call_established", {"call_id": "i0"})
            worst = max(worst, time.perf_counter() - started)
            # The live receiver is served by its own worker, not behind the dead one.
            assert receiver.got.wait(1.0)
            assert receiver.hits[0][1]["c"] == ["i0"]
            assert worst < 0.01, f"emit took {worst * 1000:.1f} ms"
            assert sender.flush(5)
        finally:
            sender.stop()
    assert "no answer within 0.3 s" in caplog.text
    assert "not keeping up, event dropped" in caplog.text


def test_refused_connection_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sender = ActionUrlSender({"dnd_on": f"http://127.0.0.1:{port}/dnd"}, timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="deskphone.remote"):
        try:
            assert sender.emit("dnd_on")
            assert sender.flush(3)
        finally:
            sender.stop()
    assert "action URL dnd_on -> 127.0.0.1" in caplog.text
    assert "failed" in caplog.text


def test_stop_is_prompt_even_with_a_dead_receiver(dead_port: int) -> None:
    sender = ActionUrlSender({"mute": f"http://127.0.0.1:{dead_port}/m"}, timeout=0.5)
    for _ in range(5):
        sender.emit("mute")
    started = time.monotonic()
    sender.stop(timeout=2.0)
    assert time.monotonic() - started < 1.5
    assert not sender.emit("mute")
