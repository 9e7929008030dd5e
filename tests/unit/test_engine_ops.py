"""The engine's op table (app/engine/ops.py): each row read and handled, refusals answered.

The host here records what each op asked of the engine; tests/integration/test_engine_sip.py
and the GUI tests drive the same table through the real engine.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.engine.ops import OPS, dispatch
from app.phone.messages import Answer, Dial, Hangup, HangupAll, Input, RedirectConfirm
from app.protocol import intent

# The ops the engine answered before the table (the wire protocol, version 1): none may go.
WIRE_OPS = {
    "dial", "answer", "hangup", "hangup_all", "redirect_confirm", "key", "text", "hello",
    "ping", "snapshot", "status", "reload_settings", "quit", "debug_abort", "remote_screen",
    "remote_prompt_answer",
}  # fmt: skip


class Remote:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object, object]] = []

    def screen_arrived(self, request_id: int, png: str) -> None:
        self.calls.append(("screen", request_id, png))

    def prompt_answered(self, ip: str, allowed: bool) -> None:
        self.calls.append(("prompt", ip, allowed))


class Host:
    """ops.OpHost, recording."""

    def __init__(self, test_hooks: bool = False) -> None:
        self.test_hooks = test_hooks
        self.remote = Remote()
        self.did: list[tuple[str, object]] = []
        self.replies: list[tuple[int, dict[str, Any]]] = []

    def feed(self, msg: Input) -> None:
        self.did.append(("feed", msg))

    def press_key(self, key: str, key_tone: bool = True) -> None:
        self.did.append(("key", (key, key_tone)))

    def type_text(self, text: str) -> None:
        self.did.append(("text", text))

    def reload_settings(self) -> None:
        self.did.append(("reload", None))

    def snapshot(self) -> dict[str, Any]:
        return {"accounts": [], "calls": []}

    def status(self) -> dict[str, Any]:
        return {"pid": 1}

    def reply(self, client: int, message: dict[str, Any]) -> None:
        self.replies.append((client, message))

    def stop(self) -> None:
        self.did.append(("stop", None))


def run(msg: dict[str, Any], host: Host | None = None) -> Host:
    host = host or Host()
    dispatch(host, 7, msg)
    return host


def errors(host: Host) -> list[str]:
    return [m["text"] for _, m in host.replies if m["ev"] == "error"]


def test_the_table_holds_every_op_of_the_wire_protocol_once() -> None:
    assert set(OPS) == WIRE_OPS
    assert all(name == op.name for name, op in OPS.items())


@pytest.mark.parametrize(
    ("msg", "fed"),
    [
        (intent("dial", target="2001", account=2), Dial("2001", 2)),
        (intent("answer", call="i1"), Answer("i1")),
        (intent("hangup"), Hangup(None)),
        (intent("hangup_all"), HangupAll()),
        (intent("redirect_confirm", accept=False), RedirectConfirm(None, False)),
    ],
)
def test_core_ops_feed_the_phone_core(msg: dict[str, Any], fed: Input) -> None:
    host = run(msg)
    assert host.did == [("feed", fed)] and host.replies == []


def test_engine_ops_reach_their_handler() -> None:
    host = Host()
    for msg in (
        intent("key", key="5"),
        intent("text", text="alice"),
        intent("reload_settings"),
        intent("remote_screen", id="3", png="iVBO"),
        intent("remote_prompt_answer", ip="127.0.0.2", allowed=True),
        intent("hello", client="ui", pid=42),
        intent("quit"),
    ):
        dispatch(host, 7, msg)
    assert host.did == [
        ("key", ("5", True)),  # the window's key: with its key tone
        ("text", "alice"),
        ("reload", None),
        ("stop", None),
    ]
    assert host.remote.calls == [("screen", 3, "iVBO"), ("prompt", "127.0.0.2", True)]
    assert host.replies == []


def test_queries_answer_the_asking_client() -> None:
    host = Host()
    for name in ("ping", "snapshot", "status"):
        dispatch(host, 7, intent(name))
    assert [(c, m["ev"]) for c, m in host.replies] == [(7, "pong"), (7, "snapshot"), (7, "status")]
    pong, snapshot, status = (m for _, m in host.replies)
    assert pong["t"] is not None and pong["rx"] >= pong["t"]
    assert snapshot["calls"] == [] and status["pid"] == 1


@pytest.mark.parametrize(
    ("msg", "text"),
    [
        ({"v": 1, "op": ["dial"]}, "op must be a string"),
        (intent("explode"), "unknown op 'explode'"),
        (intent("dial"), "dial needs a target"),
        (intent("dial", target="1", account="x"), "account must be an integer"),
        (intent("hangup", call=3), "call must be a string"),
        (intent("redirect_confirm", accept="yes"), "accept must be true or false"),
        (intent("remote_screen", id="x"), "id must be an integer"),
        (intent("debug_abort"), "op 'debug_abort' not allowed"),  # only with --test-hooks
    ],
)
def test_a_refused_message_is_answered_and_changes_nothing(msg: dict[str, Any], text: str) -> None:
    host = run(msg)
    assert errors(host) == [text]
    assert host.did == [] and host.remote.calls == []
