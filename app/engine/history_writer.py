"""Ended calls into the SQLite call history, and the history back onto the handset."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from app.phone.handset.flags import HistoryItem
from app.phone.model import CallState, Direction
from app.store.errors import StoreError
from app.store.history import CallHistory, CallRecord, CallResult, HistoryList

log = logging.getLogger("deskphone.engine")

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


class HistoryWriter:
    def __init__(self, history: CallHistory) -> None:
        self.history = history
        self._written: set[str] = set()
        # CallView times are monotonic; the history keeps wall-clock times.
        self._offset = time.time() - time.monotonic()

    def on_call(self, call: dict[str, Any]) -> int:
        """Record a call once it has ended; the new row's id, 0 when none was written."""
        if call["state"] not in (CallState.FINISHED, CallState.FAILED):
            return 0
        if call["id"] in self._written:
            return 0
        self._written.add(call["id"])
        extra = call.get("extra") or {}
        hops = json.loads(extra.get("redirect_chain") or "[]")
        record = CallRecord(
            direction=Direction(call["direction"]),
            account=int(call["account"]),
            # A redirected call is listed under what the user dialled (redial calls it again);
            # the chain says where it went.
            remote_uri=str(extra.get("original_uri") or call["remote_uri"]),
            remote_name=str(call.get("remote_name", "")),
            started=float(call["started"]) + self._offset,
            answered=float(call["answered"]) + self._offset if call.get("answered") else None,
            ended=float(call["ended"] or time.monotonic()) + self._offset,
            result=_result(call),
            code=int(call.get("code") or 0),
            reason=str(call.get("reason") or call.get("text") or ""),
            forward_target=str(extra.get("forwarded_to", "")),
            redirect_chain=[str(hop.get("target", "")) for hop in hops],
        )
        try:
            return self.history.add(record)
        except StoreError as exc:
            log.error("%s", exc)
            return 0

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
