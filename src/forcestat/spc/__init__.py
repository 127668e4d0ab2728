"""Process behaviour charts: XmR, p and u limits, the *Making Data Count* rules,
seasonality, rebases that fit a chart, plain-English readings and the drawn chart.

Owns: computation on numbers and months only (``xmr``, ``model``, ``attributes``,
``exact``, ``rules``, ``seasonality``, ``rebases``), the words for a result (``sentences``),
reading and writing an analyst's own series (``files``) and drawing a result
(``chart``, ``palette``).
May import: the shared modules (``forcestat.errors``, ``forcestat.months``). Never the
store, the measures, the report or the dashboard, so any series can be charted, from the
store or from a CSV, and the rules can be checked against NHSRplotthedots on their own.

Example:
    >>> result = run_spc(months, values, SpcOptions(polarity=Polarity.LOWER))  # doctest: +SKIP
"""

from __future__ import annotations

from forcestat.spc.sentences import describe
from forcestat.spc.xmr import (
    AssuranceType,
    BaselinePeriod,
    ChartType,
    LaneyRule,
    PointType,
    Polarity,
    Rebase,
    SpcError,
    SpcOptions,
    SpcResult,
    run_spc,
)

__all__ = [
    "AssuranceType",
    "BaselinePeriod",
    "ChartType",
    "LaneyRule",
    "PointType",
    "Polarity",
    "Rebase",
    "SpcError",
    "SpcOptions",
    "SpcResult",
    "describe",
    "run_spc",
]
