"""Call flows on disk: private files, bounded, surviving a restart; the recorder
groups captured log entries into user calls off the SIP thread."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from app.callflow.model import FlowMeta, Packet
from app.engine import callflow as recorder_module
from app.engine.callflow import FlowRecorder
from app.store.callflows import FlowStore
from tests.unit.test_callflow_model import PHONE_ADDR, entry, request, response


def _packet(n: int, size: int = 200) -> Packet:
    data = request("INVITE", "sip:bob@x", f"c{n}") + b"x" * size
    return Packet(float(n), True, "UDP", PHONE_ADDR, "127.0.0.1:5060", data, len(data))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_flows_are_private_and_read_back_byte_for_byte(tmp_path: Path) -> None:
    store = FlowStore(tmp_path)
    odd = b"SIP/2.0 200 OK\r\nSubject: \xff\xfe caf\xe9\r\nCall-ID: z\r\n\r\n"
    packets = [_packet(1), Packet(2.5, False, "TCP", "", "[::1]:5060", odd, len(odd) + 10)]
    store.write_meta(FlowMeta(1, started=1.0, call="o1", direction="out", history_id=9))
    store.append(1, packets)
    assert _mode(store.dir) == 0o700
    assert {_mode(p) for p in store.dir.iterdir()} == {0o600}
    flow = store.load(1)
    assert flow is not None and flow.packets == packets
    assert flow.meta.history_id == 9 and flow.meta.call == "o1"
    assert store.resolve("last") == 1 and store.resolve("1") == 1 and store.resolve("2") is None
    assert store.for_history(9) == 1


def test_a_torn_last_line_and_a_broken_meta_cost_only_themselves(tmp_path: Path) -> None:
    store = FlowStore(tmp_path)
    store.append(3, [_packet(1), _packet(2)])
    with (store.dir / "000003.jsonl").open("ab") as f:
        f.write(b'{"t": 3, "d": "tx", "m": "INVI')  # the engine died mid-write
    (store.dir / "000003.json").write_bytes(b'{"flow": "x", "history_id": "7", "direction": 5')
    flow = store.load(3)
    assert flow is not None and [p.t for p in flow.packets] == [1.0, 2.0]
    assert flow.meta == FlowMeta(3)
    (store.dir / "000003.json").write_bytes(b'{"history_id": "7", "state": "Talking"}')
    meta = store.meta(3)
    assert meta is not None and meta.history_id == 0 and meta.state == "Talking"


def test_the_oldest_flows_go_beyond_the_count_or_the_size(tmp_path: Path) -> None:
    store = FlowStore(tmp_path, max_flows=3, max_bytes=10**9)
    for n in range(1, 6):
        store.write_meta(FlowMeta(n))
        store.append(n, [_packet(n)])
    assert store.prune(keep={1}) == [2, 3]  # a live flow is never dropped
    assert store.ids() == [1, 4, 5]
    one = sum(p.stat().st_size for p in store.dir.glob("000004.*"))
    store.max_bytes = one * 2
    store.max_flows = 10
    assert store.prune() == [1]
    assert store.ids() == [4, 5] and store.new_id() == 6


def _entries_of_a_redirected_call() -> list[str]:
    c1, c2 = "leg-1", "leg-2"
    return [
        entry("TX", request("INVITE", "sip:bob@x", c1)),
        entry("RX", response(302, "Moved Temporarily", c1)),
        entry("TX", request("ACK", "sip:bob@x", c1)),
        entry("TX", request("INVITE", "sip:carol@x", c2)),
        entry("RX", response(200, "OK", c2)),
    ]


def test_the_recorder_groups_a_redirected_call_and_ignores_the_rest(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    rec = FlowRecorder(FlowStore(tmp_path), events.append)
    rec.start("0.0.0.0:5070")
    try:
        e = _entries_of_a_redirected_call()
        rec.capture((1.0, entry("TX", request("REGISTER", "sip:x", "reg"))))  # not a call
        rec.capture((2.0, e[0]))  # sent before the adapter knows the Call-ID
        rec.link("o1", "leg-1")
        rec.on_call({"id": "o1", "direction": "out", "state": "Connecting", "remote_uri": "b"})
        rec.capture((2.1, e[1]))
        rec.capture((2.2, e[2]))
        rec.capture((2.3, e[3]))
        rec.link("o1", "leg-2")  # the redirect's new leg: the same user call
        rec.capture((2.4, e[4]))
        rec.capture((2.5, entry("RX", b"garbage that only claims to be SIP")))
        call = {"id": "o1", "direction": "out", "state": "Finished", "remote_uri": "sip:carol@x"}
        rec.on_call({**call, "extra": {"original_uri": "sip:bob@x"}}, history_id=12)
    finally:
        rec.stop()
    store = FlowStore(tmp_path)
    assert store.ids() == [1]
    flow = store.load(1)
    assert flow is not None
    assert [p.t for p in flow.packets] == [2.0, 2.1, 2.2, 2.3, 2.4]
    assert {p.local for p in flow.packets} == {PHONE_ADDR}  # learnt from this phone's Via
    meta = flow.meta
    assert (meta.call, meta.state, meta.history_id, meta.ended) == ("o1", "Finished", 12, True)
    assert (meta.original_uri, meta.remote_uri, meta.started) == ("sip:bob@x", "sip:carol@x", 2.0)
    assert events and events[-1]["ev"] == "call_flow"
    assert events[-1]["flow"] == 1 and events[-1]["ended"]


def test_a_flow_closes_after_the_grace_and_keeps_within_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recorder_module, "GRACE_S", 0.2)
    store = FlowStore(tmp_path, max_flow_bytes=3000)
    rec = FlowRecorder(store)
    rec.start()
    try:
        big = request("INVITE", "sip:bob@x", "big", extra="X-Pad: " + "p" * 900 + "\r\n")
        rec.link("o1", "big")
        for n in range(6):
            rec.capture((float(n), entry("TX", big)))
        rec.on_call({"id": "o1", "state": "CallFailed", "code": 408})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (store.meta(1) or FlowMeta(1)).ended:
            time.sleep(0.05)
        meta = store.meta(1)
        assert meta is not None and meta.ended, "the flow did not close after its grace"
        flow = store.load(1)
        assert flow is not None and 1 <= len(flow.packets) < 6
        assert meta.dropped == 6 - len(flow.packets)
        rec.link("o1", "late")  # a new call under a reused id after closing: a new flow
        rec.capture((9.0, entry("TX", request("INVITE", "sip:x@y", "late"))))
    finally:
        rec.stop()
    assert store.ids() == [1, 2]


def test_flows_left_open_by_a_dead_engine_are_closed_at_the_next_start(tmp_path: Path) -> None:
    store = FlowStore(tmp_path)
    store.write_meta(FlowMeta(5, state="Talking"))
    store.append(5, [_packet(1)])
    rec = FlowRecorder(store)
    rec.start()
    rec.stop()
    meta = store.meta(5)
    assert meta is not None and meta.ended and meta.state == "Talking"
    assert os.listdir(store.dir)
