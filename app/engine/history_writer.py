"""Ended calls into the SQLite call history, and the history back onto the handset."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from app.phone.handset.flags import HistoryItem
from app.phone.model import CallState, Direction
from app.store.errors import StoreError
from app.store.history import CallHistory, CallRecord, CallResult, HistoryList

log = logging.getLogger("deskphone.engine")

# What one history row may hold: a remote party chooses most of these texts. Real URIs and
# names are far shorter; the dialled side is already capped (app/phone/dialing.py).
MAX_URI = 512
MAX_TEXT = 128
MAX_HOPS = 16


def _cap(value: object, limit: int) -> str:
    return str(value)[:limit]


_KIND = {
    CallResult.MISSED: "missed",
    CallResult.FORWARDED: "forwarded",
}


def _result(call: dict[str, Any]) -> CallResult:
    extra = call.get("extra") or {}
    incoming = call["direction"] == Direction.INCOMING
    named = extra.get("result")
    if incoming:
        if named in ("forwarded", "missed", "rejected"):
            return CallResult(named)
        if named == "refused":
            return CallResult.REJECTED
        return CallResult.ANSWERED if call.get("answered") else CallResult.MISSED
    if extra.get("redirect_chain"):
        return CallResult.REDIRECTED  # the chain and the code tell where it ended
    if call.get("answered"):
        return CallResult.ANSWERED
    code = int(call.get("code") or 0)
    if code in (486, 600):
        return CallResult.BUSY
    if call["state"] == CallState.FAILED:
        return CallResult.FAILED
    return CallResult.CANCELLED


# The handset's history list and missed count are read back at most this often: a phone
# forwarding 200 calls/s spent most of its time re-reading 100 rows after every call.
SHOW_INTERVAL_S = 0.25


class HistoryDisplay(Protocol):
    history: list[HistoryItem]
    missed: int


class HistoryWriter:
    def __init__(self, history: CallHistory) -> None:
        self.history = history
        self.stale = False  # calls written since the display last read the lists
        self._shown_at = -SHOW_INTERVAL_S
        self._queued: list[tuple[dict[str, Any], CallRecord]] = []  # written once a loop turn
        # each written call with its new row's id (the call flow recorder links the two)
        self.on_written: Callable[[dict[str, Any], int], None] | None = None
        self._written: set[str] = set()
        # CallView times are monotonic; the history keeps wall-clock times.
        self._offset = time.time() - time.monotonic()

    def on_call(self, call: dict[str, Any]) -> bool:
        """Record a call once it has ended (queued for `flush`); True if it will be."""
        if call["state"] not in (CallState.FINISHED, CallState.FAILED):
            return False
        if call["id"] in self._written:
            return False
        self._written.add(call["id"])
        extra = call.get("extra") or {}
        hops = json.loads(extra.get("redirect_chain") or "[]")
        record = CallRecord(
            direction=Direction(call["direction"]),
            account=int(call["account"]),
            # A redirected call is listed under what the user dialled (redial calls it again);
            # the chain says where it went.
            remote_uri=_cap(extra.get("original_uri") or call["remote_uri"], MAX_URI),
            remote_name=_cap(call.get("remote_name", ""), MAX_TEXT),
            started=float(call["started"]) + self._offset,
            answered=float(call["answered"]) + self._offset if call.get("answered") else None,
            ended=float(call["ended"] or time.monotonic()) + self._offset,
            result=_result(call),
            code=int(call.get("code") or 0),
            reason=_cap(call.get("reason") or call.get("text") or "", MAX_TEXT),
            forward_target=_cap(extra.get("forwarded_to", ""), MAX_URI),
            redirect_chain=[_cap(hop.get("target", ""), MAX_URI) for hop in hops[:MAX_HOPS]],
        )
        self._queued.append((call, record))
        self.stale = True
        return True

    def flush(self) -> None:
        """Write the queued calls in one transaction: one sync to disk however many ended
        in this loop turn (a forward-always phone under load ends hundreds a second)."""
        queued, self._queued = self._queued, []
        if not queued:
            return
        try:
            rows = self.history.add_all([record for _, record in queued])
        except StoreError as exc:
            log.error("%s", exc)
            return
        if self.on_written is not None:
            for (call, _), row in zip(queued, rows, strict=True):
                self.on_written(call, row)

    def show_on(self, display: HistoryDisplay, now: float) -> None:
        """Write what is queued, and give the display the lists again if calls were written
        (not more often than every SHOW_INTERVAL_S: until then `stale` keeps the engine's
        loop from resting)."""
        self.flush()
        if not self.stale or now - self._shown_at < SHOW_INTERVAL_S:
            return
        self.stale, self._shown_at = False, now
        display.history = self.items()
        display.missed = self.history.missed_unviewed()

    def forget(self, call_id: str) -> None:
        self._written.discard(call_id)

    def items(self, limit: int = 100) -> list[HistoryItem]:
        out = []
        for rec in self.history.calls(HistoryList.ALL, limit):
            kind = _KIND.get(rec.result) or ("placed" if rec.direction == "out" else "received")
            number = _bare(rec.remote_uri)
            when = time.strftime("%m-%d %H:%M", time.localtime(rec.started))
            name = rec.remote_name or number.split("@")[0]
            if rec.redirect_chain:
                name = f"{name} → {_bare(rec.redirect_chain[-1]).split('@')[0]}"
            out.append(HistoryItem(name, number, kind, when, rec.id))
        return out


def _bare(uri: str) -> str:
    return uri.removeprefix("sip:").removeprefix("sips:")
