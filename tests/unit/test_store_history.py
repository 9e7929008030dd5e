"""Call history in SQLite: lists, missed count, bound, restarts, broken files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.phone.model import Direction
from app.store.errors import StoreError
from app.store.history import HISTORY_FILE, CallHistory, CallRecord, CallResult, HistoryList

IN, OUT = Direction.INCOMING, Direction.OUTGOING


def _fill(h: CallHistory) -> None:
    h.add(CallRecord(IN, 0, "sip:1@pbx", "One", started=100, answered=102, ended=160))
    h.add(CallRecord(IN, 0, "sip:2@pbx", "Two", started=200, ended=230, result=CallResult.MISSED))
    h.add(CallRecord(OUT, 1, "sip:3@pbx", started=300, ended=305, result=CallResult.BUSY, code=486))
    h.add(
        CallRecord(
            IN, 0, "sip:4@pbx", started=400, result=CallResult.FORWARDED, forward_target="5000"
        )
    )
    h.add(
        CallRecord(
            OUT, 0, "sip:5@pbx", started=500, answered=501, ended=560,
            result=CallResult.REDIRECTED, redirect_chain=["sip:6@pbx", "sip:7@pbx"],
        )
    )  # fmt: skip
    h.add(CallRecord(IN, 1, "sip:8@pbx", started=600, result=CallResult.REJECTED, code=486))
    h.add(CallRecord(IN, 0, "sip:9@pbx", started=700, result=CallResult.MISSED))


def _uris(records: list[CallRecord]) -> list[str]:
    return [r.remote_uri.split("@")[0] for r in records]


def test_lists_as_on_the_handset(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        _fill(h)
        assert _uris(h.calls()) == [f"sip:{n}" for n in (9, 8, 5, 4, 3, 2, 1)]
        assert _uris(h.calls(HistoryList.MISSED)) == ["sip:9", "sip:2"]
        assert _uris(h.calls(HistoryList.PLACED)) == ["sip:5", "sip:3"]
        assert _uris(h.calls(HistoryList.RECEIVED)) == ["sip:1"]
        assert _uris(h.calls(HistoryList.FORWARDED)) == ["sip:4"]
        assert h.calls(HistoryList.ALL, limit=2)[1].remote_uri == "sip:8@pbx"


def test_everything_survives_a_restart(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        _fill(h)
        before = h.calls()
    with CallHistory(config_dir) as h:
        after = h.calls()
        assert after == before
        redirected = next(r for r in after if r.result == CallResult.REDIRECTED)
        assert redirected.redirect_chain == ["sip:6@pbx", "sip:7@pbx"]
        assert redirected.duration == 59
        busy = next(r for r in after if r.result == CallResult.BUSY)
        assert busy.code == 486 and busy.account == 1
        assert next(r for r in after if r.result == CallResult.FORWARDED).forward_target == "5000"


def test_missed_count_until_viewed(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        _fill(h)
        assert h.missed_unviewed() == 2
        newest = h.calls(HistoryList.MISSED)[0]
        assert newest.viewed is False
        assert h.mark_viewed([newest.id]) == 1
        assert h.missed_unviewed() == 1
    with CallHistory(config_dir) as h:
        assert h.missed_unviewed() == 1
        assert h.mark_viewed() == 1
        assert h.missed_unviewed() == 0


def test_update_when_the_call_ends(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        rec = CallRecord(OUT, 0, "sip:1@pbx", started=10)
        h.add(rec)
        rec.answered, rec.ended = 12.0, 20.0
        h.update(rec)
        got = h.get(rec.id)
        assert got is not None and got.duration == 8.0


def test_size_is_bounded_to_the_newest(config_dir: Path) -> None:
    with CallHistory(config_dir, limit=5) as h:
        for i in range(12):
            h.add(CallRecord(IN, 0, f"sip:{i}@pbx", started=1000 + i))
        assert _uris(h.calls()) == [f"sip:{i}" for i in (11, 10, 9, 8, 7)]


def test_database_uses_wal_and_full_sync(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        h.add(CallRecord(IN, 0, "sip:1@pbx", started=1))
        db = sqlite3.connect(config_dir / HISTORY_FILE)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        db.close()
        assert h._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_garbage_file_moved_aside_and_new_history_started(config_dir: Path) -> None:
    (config_dir / HISTORY_FILE).write_bytes(b"this is not sqlite" * 100)
    with CallHistory(config_dir) as h:
        assert "kept as" in h.warning
        h.add(CallRecord(IN, 0, "sip:1@pbx", started=1))
        assert len(h.calls()) == 1
    kept = list(config_dir.glob(f"{HISTORY_FILE}.broken-*"))
    assert kept and kept[0].read_bytes().startswith(b"this is not sqlite")


def test_bad_values_are_refused_and_nothing_half_written(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        h.add(CallRecord(IN, 0, "sip:1@pbx", started=1))
        with pytest.raises(ValueError):
            h.add(CallRecord(IN, 0, "sip:2@pbx", result="weird"))  # type: ignore[arg-type]
        assert len(h.calls()) == 1


def test_write_failure_is_a_store_error(config_dir: Path) -> None:
    with CallHistory(config_dir) as h:
        h.add(CallRecord(IN, 0, "sip:1@pbx", started=1))
        h._db.execute("PRAGMA query_only = ON")  # the same error path as a read-only file
        with pytest.raises(StoreError, match="Calls saved before are unchanged"):
            h.add(CallRecord(IN, 0, "sip:2@pbx", started=2))
        h._db.execute("PRAGMA query_only = OFF")
        assert len(h.calls()) == 1


def test_text_that_was_not_utf8_on_the_wire_is_stored_visibly(config_dir: Path) -> None:
    # pjsua2 turns a reason phrase's bytes b"Occup\xe9 \xff" into surrogate escapes; sqlite3
    # refused them and the exception ended the engine's handling of the call
    odd = b"Occup\xe9 \xff".decode("utf-8", "surrogateescape")
    with CallHistory(config_dir) as h:
        h.add(CallRecord(OUT, 0, "sip:b@x", "B\udcff", started=1, result=CallResult.BUSY,
                         code=486, reason=odd))  # fmt: skip
        h.add(CallRecord(OUT, 0, "sip:c@x\ud800", started=2, result=CallResult.FAILED))
        rows = h.calls()
    assert rows[1].reason == "Occup\\xe9 \\xff" and rows[1].remote_name == "B\\xff"
    assert rows[0].remote_uri == "sip:c@x?"
