"""The seed figures, as data, and how to hold a call flow export against them.

Source: docs/callflows.md §2 (always forward, F1-F14) and §3 (no-answer forward, F1-F16), the
seed figures of the Yealink administrator guides with their pages. A = User A (this phone),
P = the proxy, B and C the users.

DeskPhone is User A: it sees the arrows that touch A and none between the proxy and B or C.
Its ladder numbers what it saw, F1..Fn in time order, and includes the proxy's 100 Trying,
which the figures leave out (it is hop by hop and says nothing about the call). So an export
matches a figure when, 100 Trying aside, its steps are the figure's A-arrows in the same
order with the same methods and status codes, and its Call-ID changes where the figure's new
INVITE is.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    figure: int  # the F number in the seed figure
    label: str  # method or "code reason" prefix
    src: str
    dst: str
    leg: int  # 1: the first Call-ID, 2: the new INVITE's


ALWAYS_FORWARD = (
    Step(1, "INVITE", "A", "P", 1),
    # F2 INVITE P->B, F3 302 B->P, F4 ACK P->B: between the proxy and B
    Step(5, "302 Moved Temporarily", "P", "A", 1),
    Step(6, "ACK", "A", "P", 1),
    Step(7, "INVITE", "A", "P", 2),  # "a unique Call-ID is generated"
    # F8 INVITE P->C, F9 180 C->P
    Step(10, "180 Ringing", "P", "A", 2),
    # F11 200 C->P
    Step(12, "200 OK", "P", "A", 2),
    Step(13, "ACK", "A", "P", 2),
    # F14 ACK P->C
)

NO_ANSWER_FORWARD = (
    Step(1, "INVITE", "A", "P", 1),
    # F2 INVITE P->B, F3 180 B->P
    Step(4, "180 Ringing", "P", "A", 1),
    # F5 302 B->P, F6 ACK P->B
    Step(7, "302 Moved Temporarily", "P", "A", 1),
    Step(8, "ACK", "A", "P", 1),
    Step(9, "INVITE", "A", "P", 2),
    # F10 INVITE P->C, F11 180 C->P
    Step(12, "180 Ringing", "P", "A", 2),
    # F13 200 C->P
    Step(14, "200 OK", "P", "A", 2),
    Step(15, "ACK", "A", "P", 2),
    # F16 ACK P->C
)

# What follows the figures in these tests: this phone hangs up.
HANGUP = (("BYE", "A", "P", 2), ("200 OK", "P", "A", 2))

_STEP = re.compile(r"^  F(\d+)\s+\+(\d+\.\d{3}) s  (\w) -> (\w)  (.+?)\s+\[Call-ID (\d+)\](.*)$")


@dataclass(frozen=True)
class Exported:
    number: int
    offset: float
    src: str
    dst: str
    label: str
    leg: int
    note: str


def steps_of(text: str) -> list[Exported]:
    """The step lines of a `deskphone --call-flow` text export."""
    found = []
    for line in text.splitlines():
        m = _STEP.match(line)
        if m:
            number, offset, src, dst, label, leg, note = m.groups()
            found.append(
                Exported(int(number), float(offset), src, dst, label, int(leg), note.strip())
            )
    return found


def check_against_figure(text: str, figure: tuple[Step, ...]) -> list[Exported]:
    """Assert the export's steps are the figure's A-arrows (100 Trying aside), then the
    hang-up; returns the steps."""
    steps = steps_of(text)
    assert [s.number for s in steps] == list(range(1, len(steps) + 1)), text
    assert sorted(steps, key=lambda s: s.offset) == steps, "steps out of time order"
    seen = [s for s in steps if not s.label.startswith("100 ")]
    expected = [(f.label, f.src, f.dst, f.leg) for f in figure] + list(HANGUP)
    got = [(s.label, s.src, s.dst, s.leg) for s in seen]
    table = "\n".join(
        f"figure F{f.figure:<3} {f.label:<24} {f.src}->{f.dst}  |  export F{s.number:<3} "
        f"{s.label:<24} {s.src}->{s.dst} Call-ID {s.leg}"
        for f, s in zip(figure, seen, strict=False)
    )
    assert got == expected, f"{table}\n\n{text[:3000]}"
    # the Call-ID changes exactly at the figure's new INVITE
    new_invite = next(f for f in figure if f.leg == 2)
    first_of_leg_2 = next(s for s in seen if s.leg == 2)
    assert first_of_leg_2.label == new_invite.label == "INVITE"
    assert first_of_leg_2.number - 1 == next(s.number for s in reversed(steps) if s.leg == 1)
    return steps


def tshark_rows(pcap: str) -> list[tuple[str, ...]]:
    """(src port, dst port, method, status code, Call-ID, CSeq method) per frame, as tshark
    reads the file."""
    fields = [
        "frame.number", "udp.srcport", "udp.dstport", "sip.Method", "sip.Status-Code",
        "sip.Call-ID", "sip.CSeq.method",
    ]  # fmt: skip
    argv = ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=|"]
    for name in fields:
        argv += ["-e", name]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True).stdout
    return [tuple(line.split("|")[1:]) for line in out.splitlines() if line.strip()]
