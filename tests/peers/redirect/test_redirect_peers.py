"""The redirect SIPp scenarios checked against SIPp itself on 127.0.0.1 (ports 5200-5299).

They are the far ends of the redirect integration tests; this proves each one loads and behaves
as its README line says before DeskPhone is put in front of it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
pytestmark = [
    pytest.mark.sip,
    pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed"),
]
# SIP on 5200-5219 (UAS n, UAC n+1); media from 5240, 8 ports per test: SIPp binds mp to mp+3.
_ports = iter(range(5200, 5220, 2))


@dataclass
class Run:
    uas_rc: int
    uac_rc: int
    messages: str  # what the UAS saw and sent (-trace_msg)
    uac_log: str  # <log> lines of the UAC


def _sipp(tmp: Path, *args: str) -> subprocess.Popen[bytes]:
    common = ("-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "8s", "-timeout_error")
    return subprocess.Popen(
        ["sipp", *args, *common], cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _run(tmp: Path, uas: str, retry_header: str = "X-Retry: 1", *keys: str) -> Run:
    """Run one UAS scenario and `uac-invite-any.xml` against it; the UAC is stopped once the
    UAS is done (it may wait for an answer a failed UAS never sends)."""
    port = next(_ports)
    media = 5240 + (port - 5200) * 4
    server = _sipp(tmp, "-sf", str(HERE / uas), "-p", str(port), "-mp", str(media), *keys,
                   "-trace_msg", "-message_file", str(tmp / "uas.msg"))  # fmt: skip
    time.sleep(0.3)
    client = _sipp(tmp, "-sf", str(HERE / "uac-invite-any.xml"), f"127.0.0.1:{port}",
                   "-p", str(port + 1), "-mp", str(media + 4), "-s", "bob",
                   "-key", "retry_header", retry_header,
                   "-trace_logs", "-log_file", str(tmp / "uac.log"))  # fmt: skip
    try:
        uas_rc = server.wait(timeout=20)
        try:
            uac_rc = client.wait(timeout=2)
        except subprocess.TimeoutExpired:
            uac_rc = -1
    finally:
        for proc in (server, client):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return Run(uas_rc, uac_rc, _read(tmp / "uas.msg"), _read(tmp / "uac.log"))


def test_302_with_several_contacts(tmp_path: Path) -> None:
    contacts = "<sip:c@127.0.0.1:5072>;q=0.5, <sip:d@127.0.0.1:5073>;q=0.9"
    run = _run(
        tmp_path,
        "uas-302-multi.xml",
        "X",
        "-key",
        "contacts",
        contacts,
        "-key",
        "diversion_reason",
        "user-busy",
    )
    assert (run.uas_rc, run.uac_rc) == (0, 0)
    assert f"Contact= {contacts} " in run.uac_log
    assert "reason=user-busy;counter=1" in run.uac_log


def test_302_chain_hop(tmp_path: Path) -> None:
    run = _run(tmp_path, "uas-302-chain.xml", "X", "-key", "next_hop", "sip:hop2@127.0.0.1:5070")
    assert (run.uas_rc, run.uac_rc) == (0, 0)
    assert "Contact= <sip:hop2@127.0.0.1:5070> " in run.uac_log
    assert "reason=deflection" in run.uac_log


def test_302_without_contact(tmp_path: Path) -> None:
    run = _run(tmp_path, "uas-302-no-contact.xml")
    assert (run.uas_rc, run.uac_rc) == (0, 0)
    assert "302 Contact= Diversion=" in run.uac_log
    sent_302 = run.messages.partition("SIP/2.0 302")[2].partition("\r\n\r\n")[0]
    assert "Content-Length: 0" in sent_302 and "Contact:" not in sent_302


def test_486(tmp_path: Path) -> None:
    run = _run(tmp_path, "uas-486.xml")
    assert (run.uas_rc, run.uac_rc) == (0, 0)
    assert "SIP/2.0 486 Busy Here" in run.messages


@pytest.mark.slow
def test_foreign_realm_challenge_left_alone(tmp_path: Path) -> None:
    run = _run(tmp_path, "uas-401-foreign-realm.xml", "none", "-key", "realm", "evil.example")
    assert (run.uas_rc, run.uac_rc) == (0, 0)
    assert 'realm="evil.example"' in run.messages
    assert "Authorization:" not in run.messages


@pytest.mark.slow
@pytest.mark.parametrize(
    "retry",
    [
        'Authorization: Digest username="alice", realm="evil.example", nonce="n", response="0"',
        "X-Retry: 1",
    ],
)
def test_foreign_realm_any_retry_fails_the_peer(tmp_path: Path, retry: str) -> None:
    run = _run(tmp_path, "uas-401-foreign-realm.xml", retry, "-key", "realm", "evil.example")
    assert run.uas_rc != 0
    assert ("Authorization: Digest" in run.messages) == retry.startswith("Authorization")
