from __future__ import annotations

import json

import pytest

from app.phone.messages import Answer, Dial, Hangup, HangupAll
from app.protocol import MAX_LINE, ProtocolError, decode, encode, event, intent, to_input


def test_round_trip_and_version() -> None:
    msg = intent("dial", target="2001")
    assert decode(encode(msg).rstrip(b"\n")) == msg
    assert event("pong")["v"] == 1 and "ts" in event("pong")
    with pytest.raises(ProtocolError, match="protocol version 2"):
        decode(json.dumps({"v": 2, "op": "dial"}).encode())


@pytest.mark.parametrize("raw", [b"nope", b"[1,2]", b"\xff\xfe", b'"str"'])
def test_garbage_is_refused(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(raw)


def test_too_long_is_refused() -> None:
    with pytest.raises(ProtocolError, match="too long"):
        decode(b"x" * (MAX_LINE + 1))


def test_intents_map_to_core_inputs() -> None:
    assert to_input(intent("dial", target="1", account=2)) == Dial("1", 2)
    assert to_input(intent("answer")) == Answer(None)
    assert to_input(intent("hangup", call="o1")) == Hangup("o1")
    assert to_input(intent("hangup_all")) == HangupAll()
    assert to_input(intent("ping")) is None
    for bad in (
        intent("dial"),
        intent("dial", target=5),
        intent("dial", target="1", account="x"),
        intent("hangup", call=3),
        intent("explode"),
    ):
        with pytest.raises(ProtocolError):
            to_input(bad)
