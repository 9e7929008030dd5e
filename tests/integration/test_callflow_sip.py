"""Call flows of real calls: the seed flows through Kamailio to SIPp far ends, the
ladder exported by `deskphone --call-flow` as text and as a pcap that tshark reads back;
retransmissions and bytes that are not UTF-8 from a raw far end."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS
from tests.engine_harness import EngineClient, running_engine
from tests.integration.callflow_seeds import (
    ALWAYS_FORWARD,
    NO_ANSWER_FORWARD,
    check_against_figure,
    steps_of,
    tshark_rows,
)
from tests.integration.test_redirect_sip import call_ids, ended, network
from tests.robustness.rawsip import parse_headers, response, serve_udp
from tests.sipnet import HOST

pytestmark = pytest.mark.sip


def cli(config_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "app", "--config-dir", str(config_dir), "--call-flow", *args]
    return subprocess.run(argv, capture_output=True, timeout=60)


def exports(config_dir: Path, tmp_path: Path) -> tuple[str, list[tuple[str, ...]]]:
    """The last call's flow as text (stdout) and as a pcap file read back by tshark."""
    text = cli(config_dir, "last")
    assert text.returncode == 0, text.stderr
    pcap = tmp_path / "last.pcap"
    done = cli(config_dir, "last", "--format", "pcap", "-o", str(pcap))
    assert done.returncode == 0, done.stderr
    assert pcap.stat().st_mode & 0o777 == 0o600
    return text.stdout.decode(), tshark_rows(str(pcap))


def check_pcap(rows: list[tuple[str, ...]], text: str, phone_port: int) -> None:
    """The pcap holds the text's steps, frame for frame, with the same Call-IDs."""
    steps = steps_of(text)
    assert len(rows) == len(steps), rows
    ids = dict(re.findall(r"^  (\d)  (\S+)$", text, re.M))
    for step, (sport, dport, method, status, call_id, _) in zip(steps, rows, strict=True):
        assert (method or f"{status} ") == step.label or step.label.startswith(f"{status} ")
        assert call_id == ids[str(step.leg)]
        assert int(sport if step.src == "A" else dport) == phone_port


@contextmanager
def raw_far_end(answer: Callable[[bytes], bytes | None]) -> Iterator[int]:
    """A UDP far end on 127.0.0.1 answering each datagram with `answer`; yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    sock.settimeout(0.2)
    stop = threading.Event()
    thread = threading.Thread(target=serve_udp, args=(sock, stop, answer), daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def busy(data: bytes) -> bytes | None:
    start, headers = parse_headers(data)
    return response(486, "Busy Here", headers) if start.startswith("INVITE ") else None


def flow_events(client: EngineClient) -> list[dict[str, Any]]:
    return [e for e in client.events if e.get("ev") == "call_flow"]


def test_always_forward_ladder_matches_the_seed(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, kam), running_engine(config_dir) as (eng, client):
        carol = peers.add("carol", "uas-180-200-rtp.xml")
        bob = peers.add(
            "bob",
            "redirect/uas-302-multi.xml",
            contacts=f"<{peers.uri('carol')}>",
            diversion_reason="unconditional",
        )
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        talking = client.wait_call("Talking")
        live = client.wait_for(lambda e: e.get("ev") == "call_flow" and e["messages"] >= 8)
        assert live["call"] == talking["id"] and not live["ended"]  # the window can follow it
        client.send("hangup")
        ended(client)
        assert bob.wait(15) == 0 and carol.wait(15) == 0
        phone_port = eng.port
    text, rows = exports(config_dir, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "callflow-always-forward.txt").write_text(text)  # kept for people to read
    steps = check_against_figure(text, ALWAYS_FORWARD)
    # the two Call-IDs are the ones bob and carol really got
    ids = dict(re.findall(r"^  (\d)  (\S+)$", text, re.M))
    assert call_ids(bob) == {ids["1"]} and call_ids(carol) == {ids["2"]}
    assert f"P  Proxy       {HOST}:{kam.port}" in text
    assert f"B  Target      {peers.uri('bob')}" in text
    assert f"C  Target      {peers.uri('carol')}" in text
    assert steps[0].note == "(for B)" and "for C" in next(s.note for s in steps if s.leg == 2)
    assert "Diversion: <sip:bob@" in text and "reason=unconditional" in text  # the whole 302
    assert "\nm=audio " in text  # the SDP bodies too
    check_pcap(rows, text, phone_port)
    assert {e["flow"] for e in flow_events(client)} == {1}


def test_no_answer_forward_ladder_matches_the_seed(tmp_path: Path, config_dir: Path) -> None:
    with network(tmp_path, config_dir) as (peers, _), running_engine(config_dir) as (eng, client):
        carol = peers.add("carol", "uas-180-200-rtp.xml")
        bob = peers.add("bob", "uas-180-302.xml", redir_target=peers.uri("carol"))
        client.wait_account("Registered")
        client.send("dial", target=peers.uri("bob"))
        client.wait_call("Talking", 15)
        client.send("hangup")
        ended(client)
        assert bob.wait(15) == 0 and carol.wait(15) == 0
        phone_port = eng.port
    text, rows = exports(config_dir, tmp_path)
    steps = check_against_figure(text, NO_ANSWER_FORWARD)
    ringing = [s for s in steps if s.label == "180 Ringing"]
    assert ringing[0].leg == 1 and ringing[1].offset - ringing[0].offset > 0.9  # B rang 1 s
    check_pcap(rows, text, phone_port)


def test_retransmissions_are_marked_and_odd_bytes_kept(tmp_path: Path, config_dir: Path) -> None:
    """A far end that ignores the first INVITE and refuses the retransmission with a reason
    phrase that is not UTF-8: the ladder marks F2, the pcap carries the exact bytes."""
    invites: list[bytes] = []

    def answer(data: bytes) -> bytes | None:
        start, headers = parse_headers(data)
        if not start.startswith("INVITE "):
            return None
        invites.append(data)
        if len(invites) == 1:
            return None  # lost: pjsip retransmits after T1 (500 ms)
        return response(486, "Busy Here", headers).replace(b"Busy Here", b"Occup\xe9 \xff")

    with raw_far_end(answer) as port, running_engine(config_dir) as (_, client):
        client.send("dial", target=f"sip:bob@{HOST}:{port}")
        failed = ended(client)
        assert failed["code"] == 486
    text, rows = exports(config_dir, tmp_path)
    labels = [(s.number, s.label, s.src, s.dst, s.note) for s in steps_of(text)]
    assert labels[:4] == [
        (1, "INVITE", "A", "B", ""),
        (2, "INVITE", "A", "B", "(retransmission of F1)"),
        (3, "486 Occup\\xe9 \\xff", "B", "A", ""),
        (4, "ACK", "A", "B", ""),
    ], text[:2000]
    assert f"B  Far end     {HOST}:{port}" in text
    assert [r[2] or r[3] for r in rows[:4]] == ["INVITE", "INVITE", "486", "ACK"]
    assert invites[0] == invites[1]
    assert b"SIP/2.0 486 Occup\xe9 \xff\r\n" in (tmp_path / "last.pcap").read_bytes()


def test_flows_survive_an_engine_restart(tmp_path: Path, config_dir: Path) -> None:
    with raw_far_end(busy) as port:
        for run in (1, 2):
            with running_engine(config_dir) as (_, client):
                client.send("dial", target=f"sip:run{run}@{HOST}:{port}")
                assert ended(client)["code"] == 486
    listed = cli(config_dir, "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.decode().splitlines()
    assert [line.split()[0] for line in lines] == ["2", "1"]  # newest first, both kept
    assert f"sip:run2@{HOST}:{port}" in lines[0] and "CallFailed (486 Busy Here)" in lines[0]
    first = cli(config_dir, "1").stdout.decode()
    assert f"INVITE sip:run1@{HOST}:{port} SIP/2.0" in first
    flows = config_dir / "callflows"
    assert flows.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in flows.iterdir()} == {0o600}
    missing = cli(config_dir, "9")
    assert missing.returncode == 1 and b"no call flow '9'" in missing.stderr
