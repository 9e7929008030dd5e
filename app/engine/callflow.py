"""The call flow recorder: captured SIP messages grouped into user calls and stored.

The SIP thread only queues: a message (time and pjsua's log entry, app/sip/capture.py), the
link from a call's leg to its SIP Call-ID (the adapter, when it learns one; a redirect gives
the user call a second Call-ID) and each call event. Everything else runs here, on a thread
of its own: parsing, grouping, files. That thread waits DEFER_S after being woken before it
touches a batch, so it does not compete for the GIL while the SIP thread is answering (a 302
is followed by ACK and the new INVITE within a millisecond), and it pauses every few
messages, so a flood's backlog never keeps the SIP thread waiting long. A message is first
sorted by its Call-ID alone (quick_ids): only a call's own messages are parsed and stored.

Grouping: a message joins the flow its Call-ID is linked to. A message whose Call-ID is not
linked yet waits (the first INVITE of a call is sent before the adapter learns its Call-ID);
only INVITE transactions start to wait, so registrations, subscriptions and out-of-dialog
requests never make a flow. A flow stays open for GRACE_S after its call ended (the 200 to a
BYE, the ACKs of retransmitted 200s), then it is closed and the store pruned.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.callflow.model import FlowMeta, Packet, sip_info
from app.protocol import event
from app.sip.capture import parse_entry, quick_ids
from app.store.callflows import FlowStore, encode_packet

log = logging.getLogger("deskphone.callflows")

DEFER_S = 0.05
YIELD_EVERY = 8  # messages handled between pauses (a few to 50 us each)
YIELD_S = 0.0005
GRACE_S = 32.0  # 64*T1: the longest a 2xx is retransmitted (RFC 3261 timer H)
MAX_WAITING = 64  # Call-IDs waiting for their link
MAX_WAITING_PACKETS = 32  # messages kept per waiting Call-ID
ENDED = ("Finished", "CallFailed")

# Sends an event to the window (the engine's to_window: any thread, it only queues).
ToWindow = Callable[[dict[str, Any]], object]


@dataclass
class _Open:
    """A flow being recorded: the SIP Call-IDs that belong to it and its size so far."""

    meta: FlowMeta
    sip_ids: set[str] = field(default_factory=set)
    size: int = 0
    messages: int = 0
    closes_at: float = 0.0  # monotonic; 0 while the call runs


class FlowRecorder:
    def __init__(self, store: FlowStore | Path, to_window: ToWindow | None = None) -> None:
        """`store`: a FlowStore, or the config directory to keep the flows in."""
        self.store = store if isinstance(store, FlowStore) else FlowStore(store)
        self.to_window = to_window
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # recorder thread only
        self._flows: dict[int, _Open] = {}
        self._by_sip: dict[str, int] = {}
        self._by_call: dict[str, int] = {}
        self._waiting: OrderedDict[str, list[tuple[float, str]]] = OrderedDict()
        self._early: OrderedDict[str, dict[str, Any]] = OrderedDict()  # calls not linked yet
        self._local: dict[str, str] = {}  # transport -> this phone's host:port
        self._changed: set[int] = set()  # grew or changed: the window is told
        self._dirty: set[int] = set()  # meta data changed: written after the batch
        self._next_id = 0

    # ---- any thread (the SIP thread): queue only ---------------------------------------

    def capture(self, item: tuple[float, str]) -> None:
        self._queue.put(("m", *item))

    def link(self, call: str, sip_call_id: str) -> None:
        self._queue.put(("l", call, sip_call_id))

    def on_publish(self, kind: str, data: dict[str, Any], history_id: int = 0) -> None:
        """What the engine publishes: its call events name the flows' calls."""
        if kind == "call":
            self.on_call(data, history_id)

    def on_call(self, data: dict[str, Any], history_id: int = 0) -> None:
        extra = data.get("extra") or {}
        summary = {
            "call": str(data.get("id", "")),
            "direction": str(data.get("direction", "")),
            "remote_uri": str(data.get("remote_uri", "")),
            "original_uri": str(extra.get("original_uri", "")),
            "state": str(data.get("state", "")),
            "code": int(data.get("code") or 0),
            "reason": str(data.get("reason") or data.get("text") or ""),
            "history_id": history_id,
        }
        self._queue.put(("c", summary))

    # ---- life cycle ------------------------------------------------------------------

    def start(self, local: str = "") -> None:
        """`local`: this phone's "host:port" until a message of its own names it better."""
        for transport in ("UDP", "TCP"):
            self._local.setdefault(transport, local)
        self._recover()
        self._thread = threading.Thread(target=self._run, name="callflows", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Store what is queued and close every flow (the engine is going)."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def _recover(self) -> None:
        """Flows a previous engine left open (it died) are over: say so, and prune."""
        try:
            for meta in self.store.metas():
                if not meta.ended:
                    meta.ended = True
                    self.store.write_meta(meta)
            self.store.prune()
            self._next_id = self.store.new_id()
        except OSError as exc:
            log.warning("call flows: %s", exc)

    # ---- the recorder thread ----------------------------------------------------------

    def _run(self) -> None:
        running = True
        while running:
            timeout = self._next_close()
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = ("t",)
            if item is not None:
                time.sleep(DEFER_S)  # let the SIP thread finish what woke us
            batch = [item]
            while batch[-1] is not None:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for index, entry in enumerate(batch, start=1):
                if entry is None:
                    running = False
                    break
                self._safely(entry)
                if index % YIELD_EVERY == 0:  # hand the GIL over: a flood's backlog never
                    time.sleep(YIELD_S)  # keeps the SIP thread waiting for long
            self._close_due(time.monotonic(), everything=not running)
            self._publish()

    def _next_close(self) -> float | None:
        due = [f.closes_at for f in self._flows.values() if f.closes_at]
        return max(0.0, min(due) - time.monotonic()) if due else None

    def _safely(self, item: tuple[Any, ...]) -> None:
        try:
            kind = item[0]
            if kind == "m":
                self._message(float(item[1]), str(item[2]))
            elif kind == "l":
                self._link(str(item[1]), str(item[2]))
            elif kind == "c":
                self._call(dict(item[1]))
        except Exception:  # a bad message or a full disk costs a flow, never the engine
            log.exception("call flow recorder: %r", item[:2])

    def _message(self, t: float, entry: str) -> None:
        call_id, method = quick_ids(entry)
        flow = self._by_sip.get(call_id)
        if flow is not None:
            self._add(flow, [(t, entry)])
        elif call_id in self._waiting:
            waiting = self._waiting[call_id]
            if len(waiting) < MAX_WAITING_PACKETS:
                waiting.append((t, entry))
        elif method == "INVITE" and call_id:
            self._waiting[call_id] = [(t, entry)]
            while len(self._waiting) > MAX_WAITING:
                self._waiting.popitem(last=False)

    def _packet(self, t: float, entry: str) -> Packet | None:
        """A message of a flow, parsed, with this phone's address (learnt from its own Via:
        its requests and the responses to them carry it on top)."""
        packet = parse_entry(t, entry)
        if packet is None:
            return None
        info = sip_info(packet.data)
        if packet.sent == info.request and info.via:
            self._local[packet.transport] = info.via
        return replace(packet, local=self._local.get(packet.transport, ""))

    def _link(self, call: str, sip_call_id: str) -> None:
        flow = self._by_call.get(call)
        if flow is None:
            flow = max(self._next_id, 1)
            self._next_id = flow + 1
            meta = FlowMeta(flow, started=time.time(), call=call)
            self._flows[flow] = _Open(meta)
            self._by_call[call] = flow
            early = self._early.pop(call, None)
            if early is not None:
                self._apply(self._flows[flow], early)
            self._dirty.add(flow)
            self._changed.add(flow)
        self._flows[flow].sip_ids.add(sip_call_id)
        self._by_sip[sip_call_id] = flow
        self._add(flow, self._waiting.pop(sip_call_id, []))

    def _add(self, flow: int, entries: list[tuple[float, str]]) -> None:
        state = self._flows.get(flow)
        if state is None or not entries:
            return
        lines: list[bytes] = []
        for t, entry in entries:
            packet = self._packet(t, entry)
            if packet is None:
                continue
            line = encode_packet(packet)
            if state.size + len(line) > self.store.max_flow_bytes:
                state.meta.dropped += 1
                self._dirty.add(flow)
                continue
            if not state.messages and not lines:
                state.meta.started = packet.t
                self._dirty.add(flow)
            state.size += len(line)
            lines.append(line)
        if lines:
            state.messages += len(lines)
            self.store.append_lines(flow, lines)
        self._changed.add(flow)

    def _call(self, summary: dict[str, Any]) -> None:
        call = summary["call"]
        flow = self._by_call.get(call)
        if flow is None or flow not in self._flows:
            self._early[call] = summary
            while len(self._early) > MAX_WAITING:
                self._early.popitem(last=False)
            return
        self._apply(self._flows[flow], summary)
        self._changed.add(flow)
        self._dirty.add(flow)

    def _apply(self, state: _Open, summary: dict[str, Any]) -> None:
        meta = state.meta
        meta.direction = summary["direction"] or meta.direction
        meta.remote_uri = summary["remote_uri"] or meta.remote_uri
        meta.original_uri = summary["original_uri"] or meta.original_uri
        meta.state = summary["state"] or meta.state
        meta.code, meta.reason = summary["code"], summary["reason"]
        meta.history_id = summary["history_id"] or meta.history_id
        if meta.state in ENDED and not state.closes_at:
            state.closes_at = time.monotonic() + GRACE_S

    def _close_due(self, now: float, everything: bool = False) -> None:
        due = [
            flow
            for flow, state in self._flows.items()
            if everything or (state.closes_at and state.closes_at <= now)
        ]
        for flow in due:
            state = self._flows.pop(flow)
            state.meta.ended = True
            for sip_id in state.sip_ids:
                self._by_sip.pop(sip_id, None)
            if self._by_call.get(state.meta.call) == flow:
                del self._by_call[state.meta.call]
            self._changed.add(flow)
            self._dirty.discard(flow)
            self._write_meta(state.meta)
        if due:
            try:
                self.store.prune(keep=set(self._flows))
            except OSError as exc:
                log.warning("call flows: %s", exc)

    def _write_meta(self, meta: FlowMeta) -> None:
        try:
            self.store.write_meta(meta)
        except OSError as exc:
            log.warning("call flow %d: %s", meta.flow, exc)

    def _publish(self) -> None:
        changed, self._changed = self._changed, set()
        dirty, self._dirty = self._dirty, set()
        for flow in sorted(changed | dirty):
            state = self._flows.get(flow)
            if state is not None and flow in dirty:
                self._write_meta(state.meta)
            if self.to_window is not None:  # the window may be showing this flow
                self.to_window(
                    event(
                        "call_flow",
                        flow=flow,
                        call=state.meta.call if state else "",
                        messages=state.messages if state else -1,
                        ended=state is None,  # closed: it will not grow any more
                    )
                )
