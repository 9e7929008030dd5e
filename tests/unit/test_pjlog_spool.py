"""pjsua's C-written log spool read back into entries (app/sip/pjlog_spool.py): entries split
on pjsip's decoration, messages by their byte count, times from the decoration."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.sip import pjlog_spool
from app.sip.capture import is_message, parse_entry
from app.sip.pjlog_spool import LOG_MAX_SIZE, PjLogSpool, split_entries

# 10:00:18.500 local time, as time.localtime() gives it for `NOW`
NOW = 1_000_000.5
LOCAL = time.struct_time((2026, 12, 3, 10, 0, 18, 3, 337, 0))


def message_entry(stamp: str, direction: str, msg: bytes) -> bytes:
    """An entry as pjsua's log_writer writes it (log.c decoration, %.*s, end mark, newline)."""
    kind = b"Response" if msg.startswith(b"SIP/2.0") else b"Request"
    where = b"to" if direction == "TX" else b"from"
    head = (
        f"{stamp}           pjsua_core.c ....{direction} {len(msg)} bytes ".encode()
        + kind
        + b" msg INVITE/cseq=1 (tdta0x55a12f940f38) "
        + where
        + b" UDP 127.0.0.1:5062:\n"
    )
    whole = head + msg + b"\n--end msg--"
    return whole[: LOG_MAX_SIZE - 1] if len(whole) > LOG_MAX_SIZE - 1 else whole + b"\n"


def invite(body: bytes = b"") -> bytes:
    return (
        b"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def test_lines_and_a_message_with_a_forged_entry_in_its_body() -> None:
    # A far end's body holding a line that looks like a log entry and an end mark.
    forged = b"10:00:18.400           pjsua_core.c .RX 5 bytes Request msg X from UDP 1.2.3.4:5:\n"
    msg = invite(b"v=0\n" + forged + b"--end msg--\n")
    data = (
        b"10:00:18.100           pjsua_call.c .....Making call with acc #0 to sip:bob\n"
        + message_entry("10:00:18.200", "TX", msg)
        + b"10:00:18.300          pjsua_media.c ......\n  [DISCONNECTED] To: sip:bob\n"
        + b"    Call time: 00h:00m:00s\n"
    )
    entries = split_entries(data, NOW, LOCAL)
    assert [is_message(text) for _, text in entries] == [False, True, False]
    assert [round(NOW - t, 3) for t, _ in entries] == [0.4, 0.3, 0.2]
    packet = parse_entry(entries[1][0], entries[1][1])
    assert packet is not None and packet.data == msg and packet.sent
    assert entries[2][1].endswith("Call time: 00h:00m:00s")


def test_an_entry_time_does_not_depend_on_when_it_was_read() -> None:
    """The same decoration read in two loop turns a fraction of a millisecond apart gets the
    same time: an INVITE and the 180 that answered it within its millisecond keep their order
    (seen in CI: the 180 was shown 0.8 ms before the INVITE it answered)."""
    stamp = "10:00:18.487"
    ringing = b"SIP/2.0 180 Ringing\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\r\n"
    ((sent, _),) = split_entries(message_entry(stamp, "TX", invite()), 1_000_000.4889, LOCAL)
    ((got, _),) = split_entries(message_entry(stamp, "RX", ringing), 1_000_000.4901, LOCAL)
    assert sent == got == pytest.approx(1_000_000.487, abs=1e-6)


def test_an_entry_cut_at_pjsip_limit_is_followed_by_the_next() -> None:
    big = invite(b"a=x\r\n" * 900)
    data = message_entry("10:00:18.000", "RX", big) + message_entry("10:00:18.001", "TX", invite())
    entries = split_entries(data, NOW, LOCAL)
    assert len(entries) == 2
    cut = parse_entry(entries[0][0], entries[0][1])
    assert cut is not None and cut.size == len(big) and len(cut.data) < len(big)
    whole = parse_entry(entries[1][0], entries[1][1])
    assert whole is not None and whole.data == invite()


def test_bytes_that_are_not_utf8_come_back_exact() -> None:
    msg = b"SIP/2.0 486 Occup\xe9 \xff\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\r\n"
    (entry,) = split_entries(message_entry("10:00:18.000", "RX", msg), NOW, LOCAL)
    packet = parse_entry(*entry)
    assert packet is not None and packet.data == msg and not packet.sent


def test_a_message_shorter_than_its_count_ends_at_its_mark() -> None:
    msg = invite()
    short = message_entry("10:00:18.000", "RX", msg).replace(msg, msg[:20])  # %.*s hit a NUL
    data = short + b"10:00:18.001           pjsua_call.c .next line\n"
    entries = split_entries(data, NOW, LOCAL)
    assert [text.split(" ")[0] for _, text in entries] == ["10:00:18.000", "10:00:18.001"]


def test_the_spool_is_private_read_once_and_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pjlog_spool, "SPOOL_MAX", 200)
    spool = PjLogSpool(tmp_path / "logs")
    assert spool.path.stat().st_mode & 0o777 == 0o600
    line = time.strftime("%H:%M:%S.000").encode() + b"           pjsua_call.c .a line\n"
    with open(spool.path, "ab") as pjsua:  # pjsua's fopen(..., "ab")
        pjsua.write(line * 3)
        pjsua.flush()
        assert len(spool.read()) == 3
        assert spool.read() == []
        pjsua.write(line * 3)
        pjsua.flush()
        assert len(spool.read()) == 3  # past SPOOL_MAX: emptied, and append goes on at 0
        assert spool.path.stat().st_size == 0
        pjsua.write(line)
        pjsua.flush()
        (got,) = spool.read()
    assert got[1] == line.decode().rstrip("\n") and abs(got[0] - time.time()) < 2
    monkeypatch.setattr(pjlog_spool, "READ_MAX", len(line) * 2)
    with open(spool.path, "ab") as pjsua:
        pjsua.write(line * 5)
    *kept, skipped = spool.read()  # a flood's excess is dropped, and said so
    assert len(kept) == 2 and skipped[1].endswith(f"{len(line) * 3} bytes of log skipped")
    assert spool.read() == [] and spool.path.stat().st_size == 0
    spool.close()
    assert not spool.path.exists()  # everything in it went to sip.log
