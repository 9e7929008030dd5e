"""A flow as text in the seed documents' style: the parties, the numbered steps (F1 INVITE—
A to P), then each message whole with its headers, as it was sent (digests included)."""

from __future__ import annotations

import time

from app.callflow.ladder import Arrow, Ladder, build_ladder, party_name
from app.callflow.model import Flow, FlowMeta

RULE = "-" * 78


def when(t: float) -> str:
    """Local wall-clock time with milliseconds."""
    if t <= 0:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"


def describe_call(meta: FlowMeta) -> str:
    """One line for a list of flows: "outgoing sip:bob@x → sip:carol@x, Finished"."""
    way = {"out": "outgoing", "in": "incoming"}.get(meta.direction, "call")
    remote = meta.remote_uri or "?"
    if meta.original_uri and meta.original_uri != meta.remote_uri:
        remote = f"{meta.original_uri} → {remote}"
    state = meta.state or ("ended" if meta.ended else "in progress")
    if meta.code >= 300 and meta.reason:
        state += f" ({meta.code} {meta.reason})"
    return f"{way} {remote}, {state}"


def step_line(arrow: Arrow, ladder: Ladder) -> str:
    """ "F3    +0.007 s  P -> A  302 Moved Temporarily  [Call-ID 1]" """
    src, dst = ladder.party(arrow.src), ladder.party(arrow.dst)
    notes = []
    if arrow.relay >= 0:
        target = ladder.party(arrow.relay).letter
        notes.append(f"for {target}" if arrow.packet.sent else f"from {target}")
    if arrow.retransmission_of:
        notes.append(f"retransmission of F{arrow.retransmission_of}")
    if arrow.packet.truncated:
        notes.append(f"{arrow.packet.size} bytes, {len(arrow.packet.data)} kept")
    note = f"  ({'; '.join(notes)})" if notes else ""
    return (
        f"F{arrow.number:<3} {arrow.offset:+8.3f} s  {src.letter} -> {dst.letter}  "
        f"{arrow.label:<26} [Call-ID {arrow.leg}]{note}"
    ).rstrip()


def arrow_title(arrow: Arrow, ladder: Ladder) -> str:
    """The seeds' "F1 INVITE—User A to Proxy Server", with this flow's parties."""
    src, dst = ladder.party(arrow.src), ladder.party(arrow.dst)
    return f"F{arrow.number} {arrow.label}—{party_name(src)} to {party_name(dst)}"


def message_text(arrow: Arrow, ladder: Ladder) -> str:
    """The whole message of one arrow, headed by where and when it went."""
    p = arrow.packet
    src = p.local if p.sent else p.peer
    dst = p.peer if p.sent else p.local
    lines = [
        arrow_title(arrow, ladder),
        f"{when(p.t)} ({arrow.offset:+.3f} s), {p.transport} {src or '?'} -> {dst or '?'}, "
        f"{p.size} bytes, Call-ID {arrow.leg}",
    ]
    if arrow.retransmission_of:
        lines.append(f"Retransmission of F{arrow.retransmission_of}")
    if p.truncated:
        lines.append(f"Only the first {len(p.data)} of {p.size} bytes were captured")
    body = p.text.replace("\r\n", "\n")
    return "\n".join([*lines, "", body.rstrip("\n")])


def flow_text(flow: Flow, ladder: Ladder | None = None) -> str:
    ladder = ladder or build_ladder(flow.packets)
    meta = flow.meta
    out = [
        f"DeskPhone call flow {meta.flow}",
        f"Call:     {describe_call(meta)}",
        f"Started:  {when(ladder.start or meta.started)}",
    ]
    if meta.history_id:
        out.append(f"History:  entry {meta.history_id}")
    out += ["", "Parties:"]
    out += [f"  {p.letter}  {p.role:<11} {p.address or '?'}" for p in ladder.parties]
    out += ["", "Call-IDs:"]
    out += [f"  {n}  {cid}" for n, cid in enumerate(ladder.call_ids, start=1)]
    out += ["", "Steps:"]
    for arrow in ladder.arrows:
        if arrow.new_leg:
            out.append(f"      --- new Call-ID {arrow.leg} ---")
        out.append("  " + step_line(arrow, ladder))
    if meta.dropped:
        out.append(f"  ... {meta.dropped} later messages not kept (flow size limit)")
    for arrow in ladder.arrows:
        out += ["", RULE, message_text(arrow, ladder)]
    return "\n".join(out) + "\n"
