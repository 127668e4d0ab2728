"""A chart's reading cut to what matters for the latest month.

The SPC sentences (``forcestat.spc.sentences.describe``) name every special cause since
the chart began: right for an analyst's chart, too much for a statement, where a list of
two-year-old shifts buries the point. The statement keeps the signals that bear on the
latest reading:

- the level since the limits were last set, and the latest month's own status;
- any shift or trend still running at the latest month;
- the most recent special cause, whatever it was;
- the most recent suggested rebase, the target and any recorded rebase.

The others stay on the chart and in the monthly values table; one sentence says how
many were left out, so nothing is hidden.

Example:
    >>> latest_reading(result, sentences)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

from forcestat.spc.sentences import special_cause_clause
from forcestat.spc.xmr import SpcResult

__all__ = ["latest_reading"]

_SUGGESTION = "suggests the process changed"


def _sentence(clause: str) -> str:
    return clause[0].upper() + clause[1:] + "."


def latest_reading(result: SpcResult, sentences: Sequence[str]) -> tuple[str, ...]:
    """``sentences`` (the full reading of ``result``) without the special causes that
    neither run on to the latest month nor are the most recent one."""
    causes = list(result.special_causes)
    if not causes:
        return tuple(sentences)
    latest = result.latest.month
    last_seen = max(c.last_month for c in causes)
    kept = [c for c in causes if c.last_month == latest or c.last_month == last_seen]
    dropped = [special_cause_clause(c, result) for c in causes if c not in kept]
    if not dropped:
        return tuple(sentences)
    whole = {_sentence(clause) for clause in dropped}
    cut: list[str] = []
    for text in sentences:
        if text in whole:
            continue
        for clause in dropped:  # a clause joined to the level sentence: '...; clause'
            text = text.replace(f"; {clause}", "")
        cut.append(text)
    suggestions = [s for s in cut if _SUGGESTION in s]
    cut = [s for s in cut if _SUGGESTION not in s or s == suggestions[-1]]
    n = len(dropped)
    cut.append(
        f"{n} earlier unusual {'pattern is' if n == 1 else 'patterns are'} marked on the "
        "chart and in the monthly values table; none runs on to the latest month."
    )
    return tuple(cut)
