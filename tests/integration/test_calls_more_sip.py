"""Calls end to end, part 2: transfer, call waiting with swap, history after restart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.phone.settings import ForwardRule, Settings
from app.store.history import CallHistory, CallResult, HistoryList
from app.store.settings import save_settings
from tests.engine_harness import running_engine
from tests.integration.calls_util import (
    call_event,
    caller,
    direct,
    requests,
    responses,
    screen_event,
    sdp_direction,
    wait_until,
)
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip


def answered_call(client: object, sipp: Sipp) -> str:
    call = call_event(client, "CallIn")  # type: ignore[arg-type]
    client.send("answer", call=call["id"])  # type: ignore[attr-defined]
    call_event(client, "Talking", 0, id=call["id"])  # type: ignore[arg-type]
    return str(call["id"])


def test_blind_transfer_sends_refer_to_the_target_and_leaves_the_call(
    tmp_path: Path, config_dir: Path
) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, direct(engine.port)).start()
        answered_call(client, sipp)
        client.send("key", key="F1")  # Transfer: holds the call, opens the transfer dial screen
        screen = screen_event(client, "dialing")
        assert screen["title"] == "Transfer" and screen["softkeys"][0] == "B Transfer"
        client.send("text", text="sip:carol@127.0.0.1:5999")
        # SIPp cannot take a REFER while it answers the hold's re-INVITE: a user types slower
        assert wait_until(lambda: "ACK sip:alice" in sipp.messages(), 5)
        client.send("key", key="F1")  # B Transfer
        ev = client.wait_for(lambda e: e.get("ev") == "call" and e.get("text") == "Transferring")
        assert ev["extra"]["transfer"] == "pending"
        ended = call_event(client, "Finished")
        assert ended["extra"]["transferred"] == "1"
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
    refer = requests(sipp, "REFER")
    assert len(refer) == 1
    assert re.search(r"^Refer-To: <?sip:carol@127\.0\.0\.1:5999>?\s*$", refer[0], re.MULTILINE)
    assert "Replaces" not in refer[0]
    assert [sdp_direction(m) for m in requests(sipp, "INVITE")] == ["sendonly"]
    assert requests(sipp, "BYE")  # the phone left the call after NOTIFY 200


def test_attended_transfer_sends_refer_with_replaces(tmp_path: Path, config_dir: Path) -> None:
    save_settings(config_dir, Settings())
    target = Sipp("uas-180-200-rtp.xml", free_port(), tmp_path / "sipp", timeout=40).listen()
    with running_engine(config_dir) as (engine, client):
        sipp = caller(tmp_path, direct(engine.port)).start()
        first = answered_call(client, sipp)
        client.send("key", key="F1")  # Transfer → consultation dial screen
        screen_event(client, "dialing")
        client.send("text", text=f"sip:bob@{HOST}:{target.port}")
        client.send("key", key="OK")  # Send: the consultation call
        consult = call_event(client, "Talking", 0, remote_uri=f"sip:bob@{HOST}:{target.port}")
        screen = screen_event(client, "talking", len(client.events) - 1)
        assert screen["softkeys"][0] == "Transfer"
        client.send("key", key="F1")  # Transfer now: attended
        call_event(client, "Finished", 0, id=first)
        call_event(client, "Finished", 0, id=consult["id"])
        assert sipp.wait(15) == 0, sipp.messages()[-2000:]
        assert target.wait(15) == 0
    refer = requests(sipp, "REFER")
    assert len(refer) == 1
    refer_to = re.search(r"^Refer-To: (.*)$", refer[0], re.MULTILINE)
    assert refer_to is not None
    assert f"bob@{HOST}:{target.port}" in refer_to.group(1) or "bob@" in refer_to.group(1)
    assert "Replaces=" in refer_to.group(1)


def test_call_waiting_rings_answer_holds_the_first_and_resume_swaps(
    tmp_path: Path, config_dir: Path
) -> None:
    save_settings(config_dir, Settings())
    with running_engine(config_dir) as (engine, client):
        first_peer = caller(tmp_path, direct(engine.port)).start()
        first = answered_call(client, first_peer)
        mark = len(client.events)
        second_peer = caller(tmp_path, direct(engine.port), pai_name="Carol").start()
        second = call_event(client, "CallIn", mark)
        screen = screen_event(client, "incoming", mark)
        assert screen["lines"][0] == "Carol" and screen["call_index"] == "2/2"
        client.send("key", key="F1")  # Answer: the first call goes on hold
        call_event(client, "Hold", mark, id=first)
        call_event(client, "Talking", mark, id=second["id"])
        mark = len(client.events)
        screen = screen_event(client, "talking", mark - 1)
        assert screen["softkeys"][1] == "Hold"  # no Swap key: Up/Down and Resume
        assert wait_until(lambda: len(requests(first_peer, "INVITE")) == 1, 5)
        client.send("key", key="UP")  # the first call, on hold
        screen = screen_event(client, "hold", mark)
        assert screen["softkeys"][1] == "Resume"
        client.send("key", key="F2")  # Resume: holds the second
        call_event(client, "Hold", mark, id=second["id"])
        call_event(client, "Talking", mark, id=first)
        assert wait_until(lambda: len(requests(first_peer, "INVITE")) == 2, 5)
        assert wait_until(lambda: len(requests(second_peer, "INVITE")) == 1, 5)
        # SIPp drops a call whose BYE overtakes the ACK of a re-INVITE it is still answering
        assert wait_until(lambda: len(requests(first_peer, "ACK")) == 2, 5)
        assert wait_until(lambda: len(requests(second_peer, "ACK")) == 1, 5)
        client.send("hangup", call=first)
        client.send("hangup", call=second["id"])
        assert first_peer.wait(15) == 0 and second_peer.wait(15) == 0
    assert [sdp_direction(m) for m in requests(first_peer, "INVITE")] == ["sendonly", "sendrecv"]
    assert [sdp_direction(m) for m in requests(second_peer, "INVITE")] == ["sendonly"]


def test_history_rows_are_right_after_a_restart(tmp_path: Path, config_dir: Path) -> None:
    settings = Settings()
    save_settings(config_dir, settings)
    work = tmp_path / "sipp"
    busy_peer = Sipp("redirect/uas-486.xml", free_port(), work, timeout=30).listen()
    with running_engine(config_dir) as (engine, client):
        # answered
        peer = caller(tmp_path, direct(engine.port), pai_name="Answered", pai_user="1001").start()
        call = answered_call(client, peer)
        client.send("hangup", call=call)
        assert peer.wait(15) == 0
        # missed: the caller gives up
        cancel = Sipp(
            "calls/uac-cancel.xml",
            free_port(),
            work,
            target=direct(engine.port),
            service="deskphone",
            timeout=20,
        )
        assert cancel.run() == 0, cancel.messages()[-1500:]
        assert responses(cancel)[-1] == 487
        # rejected by the user: 486
        mark = len(client.events)
        reject = caller(tmp_path, direct(engine.port), pai_name="Rejected", pai_user="1003")
        reject.start()
        call_event(client, "CallIn", mark)
        client.send("key", key="F4")
        assert reject.wait(15) != 0 and 486 in responses(reject)
        # DND: 480
        settings.dnd.enabled = True
        save_settings(config_dir, settings)
        client.send("reload_settings")
        client.wait_for(lambda e: e.get("ev") == "settings_reloaded")
        dnd = caller(tmp_path, direct(engine.port), pai_name="Dnd", pai_user="1004")
        assert dnd.run() != 0 and 480 in responses(dnd)
        # forwarded (always): 302
        settings.dnd.enabled = False
        settings.forward.phone.always = ForwardRule(True, "sip:vm@127.0.0.1:5999")
        save_settings(config_dir, settings)
        client.send("reload_settings")
        client.wait_for(lambda e: e.get("ev") == "settings_reloaded", since=len(client.events))
        fwd = caller(tmp_path, direct(engine.port), pai_name="Fwd", pai_user="1005")
        assert fwd.run() != 0 and 302 in responses(fwd)
        # placed, busy
        client.send("dial", target=f"sip:busy@{HOST}:{busy_peer.port}")
        call_event(client, "CallFailed")
    with running_engine(config_dir) as (_engine, client):  # a restart
        # the idle screen counts the missed call (the very first screen predates the sync)
        client.wait_for(lambda e: e.get("ev") == "screen" and e["screen"]["status"]["missed"] == 1)
    with CallHistory(config_dir) as history:
        rows = history.calls(HistoryList.ALL)
        missed = history.calls(HistoryList.MISSED)
    by_name = {(r.remote_name or r.remote_uri): r for r in rows}
    results = sorted((r.direction, r.result, r.code) for r in rows)
    assert len(rows) == 6, results
    assert by_name["Answered"].result == CallResult.ANSWERED and by_name["Answered"].answered
    assert by_name["Rejected"].result == CallResult.REJECTED
    assert by_name["Dnd"].result == CallResult.REJECTED and by_name["Dnd"].code == 480
    assert by_name["Rejected"].code == 486
    assert by_name["Fwd"].result == CallResult.FORWARDED
    assert by_name["Fwd"].forward_target == "sip:vm@127.0.0.1:5999"
    assert [(r.result, r.remote_uri, r.remote_name) for r in missed] == [
        (CallResult.MISSED, "sip:alice@127.0.0.1", "Alice")
    ]
    placed = [r for r in rows if r.direction == "out"]
    assert [(r.result, r.code) for r in placed] == [(CallResult.BUSY, 486)]
