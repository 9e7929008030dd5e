"""The engine's control ops, one row each: its name, how its message is read, what handles it.

A client sends `{"v": 1, "op": NAME, ...}` (app/protocol.py has the wire format). `dispatch`
finds the op's row in OPS, reads the message into a typed request with the row's reader and
passes that to the row's handler, on the SIP thread. A message with no row, or one its reader
refuses, gets an `error` event back and changes nothing. Adding an op is one row plus one
handler: docs/extending.md, "Adding an engine op".
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

from app.phone.call_control import ControlInput
from app.phone.messages import Answer, Dial, Hangup, HangupAll, Input, RedirectConfirm
from app.protocol import ProtocolError, event

log = logging.getLogger("deskphone.engine")

Msg = dict[str, Any]
R = TypeVar("R")
CoreInput = Input | ControlInput  # what the phone core takes from a client: `to_core` rows


class RemoteOps(Protocol):
    """The window's answers to the Action URI's questions (app/engine/remote.py)."""

    def screen_arrived(self, request_id: int, png: str) -> None: ...

    def prompt_answered(self, ip: str, allowed: bool) -> None: ...


class OpHost(Protocol):
    """The engine as its ops see it (app/engine/runtime.py); called on the SIP thread only."""

    @property
    def test_hooks(self) -> bool: ...

    @property
    def remote(self) -> RemoteOps: ...

    def feed(self, msg: CoreInput) -> None: ...

    def press_key(self, key: str, key_tone: bool = True) -> None: ...

    def type_text(self, text: str) -> None: ...

    def reload_settings(self) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...

    def status(self) -> dict[str, Any]: ...

    def reply(self, client: int, message: dict[str, Any]) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Op(Generic[R]):
    """One control op: how its message is read and which engine method handles it."""

    name: str
    read: Callable[[Msg], R]  # raises ProtocolError with a sentence for the client
    handle: Callable[[OpHost, int, R], None]  # (engine, client id, request)
    test_hook: bool = False  # refused unless the engine runs with --test-hooks


# ---- readers: a message's fields, checked, into a request ----------------------------------


def _opt_str(msg: Msg, key: str) -> str | None:
    value = msg.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"{key} must be a string")
    return value


def _nothing(msg: Msg) -> None:
    return None


def read_dial(msg: Msg) -> Dial:
    target = _opt_str(msg, "target")
    if not target:
        raise ProtocolError("dial needs a target")
    account = msg.get("account")
    if account is not None and not isinstance(account, int):
        raise ProtocolError("account must be an integer")
    return Dial(target, account)


def read_redirect_confirm(msg: Msg) -> RedirectConfirm:
    accept = msg.get("accept", True)
    if not isinstance(accept, bool):
        raise ProtocolError("accept must be true or false")
    return RedirectConfirm(_opt_str(msg, "call"), accept)


@dataclass(frozen=True)
class Hello:
    """The `hello` op: which client connected (`ui`, a test) and its pid."""

    client: str
    pid: object


@dataclass(frozen=True)
class Ping:
    """The `ping` op: answered with a pong carrying `ts` back."""

    ts: object  # echoed back as the pong's `t`, whatever the client sent


@dataclass(frozen=True)
class ScreenImage:
    """The window's answer to a screen capture the engine asked for (Action URI)."""

    request_id: int
    png: str  # base64, checked by the receiver


@dataclass(frozen=True)
class PromptAnswer:
    """The user's answer to an "Allow remote control?" box."""

    ip: str  # the broker's key: the address, or one request of a web browser (access.Caller)
    allowed: bool


def read_screen_image(msg: Msg) -> ScreenImage:
    try:
        request_id = int(msg.get("id", 0) or 0)
    except (TypeError, ValueError):
        raise ProtocolError("id must be an integer") from None
    return ScreenImage(request_id, str(msg.get("png", "")))


# ---- handlers -------------------------------------------------------------------------------


def to_core(host: OpHost, client: int, request: CoreInput) -> None:
    host.feed(request)


def on_key(host: OpHost, client: int, key: str) -> None:
    host.press_key(key)


def on_text(host: OpHost, client: int, text: str) -> None:
    host.type_text(text)


def on_hello(host: OpHost, client: int, hello: Hello) -> None:
    log.info("control client %d: %s pid %s", client, hello.client, hello.pid)


def on_ping(host: OpHost, client: int, ping: Ping) -> None:
    host.reply(client, event("pong", t=ping.ts, rx=time.monotonic()))


def on_reload_settings(host: OpHost, client: int, _: None) -> None:
    host.reload_settings()


def on_snapshot(host: OpHost, client: int, _: None) -> None:
    host.reply(client, event("snapshot", **host.snapshot()))


def on_status(host: OpHost, client: int, _: None) -> None:
    host.reply(client, event("status", **host.status()))


def on_screen_image(host: OpHost, client: int, image: ScreenImage) -> None:
    host.remote.screen_arrived(image.request_id, image.png)


def on_prompt_answer(host: OpHost, client: int, answer: PromptAnswer) -> None:
    host.remote.prompt_answered(answer.ip, answer.allowed)


def on_quit(host: OpHost, client: int, _: None) -> None:
    host.stop()


def on_debug_abort(host: OpHost, client: int, _: None) -> None:
    log.warning("debug_abort: aborting the engine on request")
    os.abort()


def _table(*ops: Op[Any]) -> Mapping[str, Op[Any]]:
    table = {op.name: op for op in ops}
    assert len(table) == len(ops), "two rows with one op name"
    return table


OPS: Final = _table(
    # The phone core's intents: the core decides what they mean.
    Op("dial", read_dial, to_core),
    Op("answer", lambda m: Answer(_opt_str(m, "call")), to_core),
    Op("hangup", lambda m: Hangup(_opt_str(m, "call")), to_core),
    Op("hangup_all", lambda m: HangupAll(), to_core),
    Op("redirect_confirm", read_redirect_confirm, to_core),
    # The handset's keys and typed text, exactly as on the faceplate.
    Op("key", lambda m: str(m.get("key", "")), on_key),
    Op("text", lambda m: str(m.get("text", "")), on_text),
    # The control connection itself.
    Op("hello", lambda m: Hello(str(m.get("client")), m.get("pid")), on_hello),
    Op("ping", lambda m: Ping(m.get("ts")), on_ping),
    Op("snapshot", _nothing, on_snapshot),
    Op("status", _nothing, on_status),
    Op("reload_settings", _nothing, on_reload_settings),  # the window saved settings.json
    Op("quit", _nothing, on_quit),
    Op("debug_abort", _nothing, on_debug_abort, test_hook=True),
    # Action URI: the window's answers to `remote_screencapture` and `remote_prompt` events.
    Op("remote_screen", read_screen_image, on_screen_image),
    Op(
        "remote_prompt_answer",
        lambda m: PromptAnswer(
            str(m.get("key") or m.get("ip") or "")[:80], m.get("allowed") is True
        ),
        on_prompt_answer,
    ),
)


def read(msg: Msg) -> tuple[Op[Any], Any]:
    """The op's row and its request; ProtocolError when there is no such op or a bad field."""
    name = msg.get("op")
    if not isinstance(name, str):
        raise ProtocolError("op must be a string")
    op = OPS.get(name)
    if op is None:
        raise ProtocolError(f"unknown op {name!r}")
    return op, op.read(msg)


def to_input(msg: Msg) -> CoreInput | None:
    """The phone-core input a message asks for; None for the engine's own ops."""
    op, request = read(msg)
    return request if op.handle is to_core else None


def dispatch(host: OpHost, client: int, msg: Msg) -> None:
    """Carry out one client message; a refused one is answered with an `error` event."""
    try:
        op, request = read(msg)
    except ProtocolError as exc:
        host.reply(client, event("error", text=str(exc)))
        return
    if op.test_hook and not host.test_hooks:
        host.reply(client, event("error", text=f"op {op.name!r} not allowed"))
        return
    op.handle(host, client, request)
