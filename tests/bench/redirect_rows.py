"""302 received → new INVITE sent, DeskPhone and baresip in the same run (redirect_bench.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.bench.redirect_bench import run_baresip, run_deskphone
from tests.bench.table import Row, compared, failed, median, pct


def bench_redirect(calls: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-redirect-") as tmp:
        work = Path(tmp)
        ours, ours_fresh = run_deskphone(work, calls)
        if not ours:
            raise RuntimeError("no redirect seen in DeskPhone's capture")
        theirs: list[float] = []
        theirs_fresh = 0
        note = ""
        try:
            theirs, theirs_fresh = run_baresip(work, calls)
        except Exception as exc:  # the reference is optional; DeskPhone's figure is the point
            note = f"; baresip: {failed('', exc).notes}"
    ms = "{:.3f} ms".format
    fresh = f"new Call-ID: {ours_fresh}/{len(ours)}"
    if theirs:
        reuse = ", it reuses the redirected call's" if theirs_fresh == 0 else ""
        fresh += f" (baresip {theirs_fresh}/{len(theirs)}{reuse})"
    return [
        compared(
            "302 received → new INVITE sent, median",
            median(ours),
            median(theirs) if theirs else None,
            ms,
            f"{len(ours)}/{calls} redirects (baresip {len(theirs)}), loopback capture; {fresh}"
            + note,
        ),
        compared(
            "302 received → new INVITE sent, p95",
            pct(ours, 0.95),
            pct(theirs, 0.95) if theirs else None,
            ms,
            f"max {max(ours):.3f} ms" + (f" (baresip {max(theirs):.3f} ms)" if theirs else ""),
        ),
    ]
