"""Call history in SQLite (`history.sqlite3` in the config directory).

WAL journal with synchronous=FULL: a call is on disk when `add` returns, and a crash at any
moment leaves the database consistent. The newest `limit` calls are kept. Times are wall-clock
seconds since the epoch (time.time()), not the monotonic times of CallView: the engine converts.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from app.phone.model import Direction
from app.store.errors import StoreError

log = logging.getLogger(__name__)

HISTORY_FILE = "history.sqlite3"
DEFAULT_LIMIT = 1000


class CallResult(StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"  # incoming, never answered (caller gave up or the ring timed out)
    REJECTED = "rejected"  # incoming, refused by the user or DND
    BUSY = "busy"  # outgoing, the far end was busy (486/600)
    FAILED = "failed"  # outgoing, any other final error: see code/reason
    CANCELLED = "cancelled"  # outgoing, hung up by the user before an answer
    FORWARDED = "forwarded"  # incoming, sent on by this phone (302): see forward_target
    REDIRECTED = "redirected"  # outgoing, moved by the far end: see redirect_chain


class HistoryList(StrEnum):
    """The handset's history lists."""

    ALL = "All"
    MISSED = "Missed"
    PLACED = "Placed"
    RECEIVED = "Received"
    FORWARDED = "Forwarded"


_WHERE: dict[HistoryList, str] = {
    HistoryList.ALL: "1",
    HistoryList.MISSED: "result = 'missed'",
    HistoryList.PLACED: "direction = 'out'",
    HistoryList.RECEIVED: "direction = 'in' AND result = 'answered'",
    HistoryList.FORWARDED: "result = 'forwarded'",
}


@dataclass
class CallRecord:
    """One row of the call history."""

    direction: Direction
    account: int  # index into Settings.accounts
    remote_uri: str
    remote_name: str = ""
    local_uri: str = ""
    started: float = 0.0
    answered: float | None = None
    ended: float | None = None
    result: CallResult = CallResult.ANSWERED
    code: int = 0  # final SIP status for failed/busy/rejected
    reason: str = ""
    forward_target: str = ""
    redirect_chain: list[str] = field(default_factory=list)  # targets in the order tried
    viewed: bool | None = None  # None: False for missed calls, True otherwise
    id: int = 0

    @property
    def duration(self) -> float:
        if self.answered is None or self.ended is None:
            return 0.0
        return max(0.0, self.ended - self.answered)


_COLUMNS = (
    "direction, account, remote_uri, remote_name, local_uri, started, answered, ended, "
    "result, code, reason, forward_target, redirect_chain, viewed"
)

_SCHEMA_V1 = f"""
CREATE TABLE calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    account INTEGER NOT NULL,
    remote_uri TEXT NOT NULL,
    remote_name TEXT NOT NULL DEFAULT '',
    local_uri TEXT NOT NULL DEFAULT '',
    started REAL NOT NULL,
    answered REAL,
    ended REAL,
    result TEXT NOT NULL CHECK (result IN ({", ".join(f"'{r.value}'" for r in CallResult)})),
    code INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    forward_target TEXT NOT NULL DEFAULT '',
    redirect_chain TEXT NOT NULL DEFAULT '[]',
    viewed INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX calls_started ON calls (started DESC);
"""


def _create_v1(db: sqlite3.Connection) -> None:
    # statement by statement: executescript() would commit the migration's transaction early
    for statement in _SCHEMA_V1.split(";"):
        if statement.strip():
            db.execute(statement)


# MIGRATIONS[n] turns a database at PRAGMA user_version n into n+1, inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1}
SCHEMA_VERSION = 1


def _sql_error_text(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "permission" in text:
        why = f"the folder {path.parent} is read-only"
    elif "full" in text:
        why = f"the disk holding {path.parent} is full"
    else:
        why = str(exc)
    return f"Could not save the call history: {why}. Calls saved before are unchanged."


def _folder_read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def _text(value: str) -> str:
    """Text from the network as SQLite can store it: pjsua2 hands over bytes that are not
    UTF-8 (a far end's reason phrase "Occup\\xe9") as surrogate escapes, which sqlite3
    refuses to encode; they are kept as visible \\x escapes instead."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape" if _only_escapes(value) else "replace")
        return raw.decode("utf-8", "backslashreplace")


def _only_escapes(value: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in value)


class CallHistory:
    def __init__(self, config_dir: Path, limit: int = DEFAULT_LIMIT) -> None:
        self.path = config_dir / HISTORY_FILE
        self.limit = limit
        self.warning = ""  # set when a broken database was moved aside or is read-only
        self.read_only = False
        self._lock = threading.Lock()
        try:
            config_dir.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except sqlite3.OperationalError as exc:
            if not _folder_read_only(config_dir):
                raise StoreError(_sql_error_text(exc, self.path), self.path) from exc
            self._db = self._open_read_only(exc)
        except sqlite3.DatabaseError as exc:
            self._move_aside(exc)
            self._db = self._open()
        except OSError as exc:
            raise StoreError(f"Could not open the call history: {exc}", self.path) from exc

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA quick_check").fetchone()
            version = db.execute("PRAGMA user_version").fetchone()[0]
            while version < SCHEMA_VERSION:
                db.execute("BEGIN IMMEDIATE")
                MIGRATIONS[version](db)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _open_read_only(self, exc: sqlite3.Error) -> sqlite3.Connection:
        """Show the saved calls from a read-only folder; new calls cannot be recorded."""
        self.read_only = True
        self.warning = (
            f"The folder {self.path.parent} is read-only: the call history is shown but new "
            "calls are not recorded."
        )
        log.error("%s (%s)", self.warning, exc)
        if not self.path.exists():
            return sqlite3.connect(":memory:", check_same_thread=False)
        for query in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(
                    f"{self.path.as_uri()}?{query}", uri=True, check_same_thread=False
                )
            except sqlite3.Error:
                continue
            try:
                db.execute("SELECT COUNT(*) FROM calls").fetchone()
                return db
            except sqlite3.Error:
                db.close()
        raise StoreError(_sql_error_text(exc, self.path), self.path) from exc

    def _move_aside(self, exc: Exception) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            src = self.path.with_name(self.path.name + suffix)
            if src.exists():
                src.rename(aside.with_name(aside.name + suffix))
        self.warning = f"Call history unreadable ({exc}); kept as {aside.name}, a new one started"
        log.error(self.warning)

    # ---- writing ----------------------------------------------------------------------

    def _write(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._write_all(sql, [tuple(args)])[-1]

    def _write_all(self, sql: str, rows: list[tuple[Any, ...]]) -> list[sqlite3.Cursor]:
        """`sql` once per row, in one transaction (one sync to disk for all of them)."""
        if self.read_only:
            raise StoreError(self.warning, self.path)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    cur = [self._db.execute(sql, row) for row in rows]
                    self._db.execute(
                        "DELETE FROM calls WHERE id NOT IN "
                        "(SELECT id FROM calls ORDER BY started DESC, id DESC LIMIT ?)",
                        (self.limit,),
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:  # SQLite already rolled back on SQLITE_FULL
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StoreError(_sql_error_text(exc, self.path), self.path) from exc
            return cur

    @staticmethod
    def _row(r: CallRecord) -> tuple[Any, ...]:
        viewed = r.viewed if r.viewed is not None else r.result != CallResult.MISSED
        return (
            Direction(r.direction).value, r.account, _text(r.remote_uri), _text(r.remote_name),
            _text(r.local_uri), r.started or time.time(), r.answered, r.ended,
            CallResult(r.result).value, r.code, _text(r.reason), _text(r.forward_target),
            json.dumps(list(r.redirect_chain)), int(viewed),
        )  # fmt: skip

    def add(self, record: CallRecord) -> int:
        """Store a call; returns its id (also set on the record). On disk when this returns."""
        return self.add_all([record])[0]

    def add_all(self, records: list[CallRecord]) -> list[int]:
        """Store calls in one transaction; their ids (also set on the records), in order."""
        marks = ", ".join("?" * 14)
        sql = f"INSERT INTO calls ({_COLUMNS}) VALUES ({marks})"
        cursors = self._write_all(sql, [self._row(r) for r in records])
        for record, cur in zip(records, cursors, strict=True):
            record.id = int(cur.lastrowid or 0)
        return [int(r.id or 0) for r in records]

    def update(self, record: CallRecord) -> None:
        """Rewrite a stored call (e.g. when it ends) from the record with that id."""
        sets = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(","))
        self._write(f"UPDATE calls SET {sets} WHERE id = ?", (*self._row(record), record.id))

    def mark_viewed(self, ids: Iterable[int] | None = None) -> int:
        """Mark missed calls as seen (all when `ids` is None); returns how many changed."""
        if ids is None:
            cur = self._write("UPDATE calls SET viewed = 1 WHERE viewed = 0")
        else:
            wanted = list(ids)
            marks = ", ".join("?" * len(wanted)) or "NULL"
            cur = self._write(f"UPDATE calls SET viewed = 1 WHERE id IN ({marks})", wanted)
        return cur.rowcount

    def delete(self, call_id: int) -> None:
        self._write("DELETE FROM calls WHERE id = ?", (call_id,))

    def clear(self, which: HistoryList = HistoryList.ALL) -> None:
        self._write(f"DELETE FROM calls WHERE {_WHERE[HistoryList(which)]}")

    # ---- reading ----------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"Could not read the call history: {exc}", self.path) from exc

    def calls(self, which: HistoryList = HistoryList.ALL, limit: int = -1) -> list[CallRecord]:
        """A history list, newest first."""
        rows = self._query(
            f"SELECT id, {_COLUMNS} FROM calls WHERE {_WHERE[HistoryList(which)]} "
            "ORDER BY started DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [self._record(r) for r in rows]

    def get(self, call_id: int) -> CallRecord | None:
        rows = self._query(f"SELECT id, {_COLUMNS} FROM calls WHERE id = ?", (call_id,))
        return self._record(rows[0]) if rows else None

    def missed_unviewed(self) -> int:
        """The idle screen's missed-call count."""
        rows = self._query("SELECT COUNT(*) FROM calls WHERE result = 'missed' AND viewed = 0")
        return int(rows[0][0])

    @staticmethod
    def _record(r: tuple[Any, ...]) -> CallRecord:
        return CallRecord(
            id=r[0], direction=Direction(r[1]), account=r[2], remote_uri=r[3], remote_name=r[4],
            local_uri=r[5], started=r[6], answered=r[7], ended=r[8], result=CallResult(r[9]),
            code=r[10], reason=r[11], forward_target=r[12], redirect_chain=json.loads(r[13]),
            viewed=bool(r[14]),
        )  # fmt: skip

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> CallHistory:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
