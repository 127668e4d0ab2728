"""Which recorded rebases a chart of given months can draw.

A rebase recalculates a chart's limits from a month where the process changed. A chart
draws one only where it leaves at least ``MIN_SEGMENT_POINTS`` months on each side; the
others are left out with a sentence saying why. Who recorded a rebase, and why, is kept
in the store (``forcestat.store.rebases``); this module knows only months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from forcestat.spc.xmr import MIN_SEGMENT_POINTS, Rebase

__all__ = ["fit_rebases", "undrawable_reason"]


def fit_rebases(
    rebases: Sequence[Rebase], months: Sequence[dt.date]
) -> tuple[tuple[Rebase, ...], tuple[str, ...]]:
    """The rebases a chart of ``months`` can draw, and a sentence for each it cannot.

    A rebase outside the chart's months does not concern it. One that would leave a
    segment shorter than the engine allows (a chart ending the month after the rebase,
    or two rebases a month apart) is left out, and the sentence says so.
    """
    if not months:
        return (), ()
    first, last = months[0], months[-1]
    inside = sorted((r for r in rebases if first < r.month <= last), key=lambda r: r.month)
    position = {m: i for i, m in enumerate(months)}
    kept: list[Rebase] = []
    notes: list[str] = []
    start = 0
    for r in inside:
        at = position.get(r.month)
        if at is None or at - start < MIN_SEGMENT_POINTS:
            notes.append(
                f"The rebase from {r.month:%B %Y} is not drawn: it would leave fewer than "
                f"{MIN_SEGMENT_POINTS} months before it."
            )
            continue
        kept.append(r)
        start = at
    if kept and len(months) - start < MIN_SEGMENT_POINTS:
        dropped = kept.pop()
        notes.append(
            f"The rebase from {dropped.month:%B %Y} is not drawn: this chart has fewer than "
            f"{MIN_SEGMENT_POINTS} months from it."
        )
    return tuple(kept), tuple(notes)


def undrawable_reason(
    month: dt.date, existing: Sequence[Rebase], months: Sequence[dt.date]
) -> str | None:
    """Why a new rebase from ``month`` could not be drawn on a chart of ``months`` that
    already draws ``existing``; None when it could."""
    if not months or not months[0] < month <= months[-1]:
        span = f"{months[0]:%B %Y} to {months[-1]:%B %Y}" if months else "no months"
        return f"limits can be recalculated only from a month after the first of the chart ({span})"
    proposed = Rebase(month, "proposed", "", dt.datetime.min)
    others = [r for r in existing if r.month != month]  # a repeat is refused on recording
    drawn, notes = fit_rebases([*others, proposed], months)
    if proposed in drawn:
        return None
    note = next((n for n in notes if f"{month:%B %Y}" in n), "")
    return note.replace(" is not drawn: ", " could not be drawn: ") or "it could not be drawn"
