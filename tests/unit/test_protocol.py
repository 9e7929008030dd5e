from __future__ import annotations

import json

import pytest

from app.engine.ops import to_input
from app.phone.messages import Answer, Dial, Hangup, HangupAll
from app.protocol import (
    MAX_LINE,
    ProtocolError,
    decode,
    encode,
    event,
    intent,
    parse_ready,
    ready_line,
)


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


def test_ready_line_is_found_whatever_other_threads_wrote_around_it() -> None:
    line = ready_line("/run/user/0/deskphone/engine sock", 5062)
    assert line.startswith(b"\n") and line.endswith(b"\n")
    assert parse_ready(line.lstrip(b"\n")) == 5062
    # an ALSA message that had no newline yet, then our line (one write), as read line by line
    glued = b"ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM" + line
    assert [parse_ready(part + b"\n") for part in glued.split(b"\n")[:-1]] == [None, 5062]
    assert parse_ready(b"READY /x 58796ALSA lib conf.c:1\n") is None  # what once broke start-up
    assert parse_ready(b"engine: no READY here\n") is None
