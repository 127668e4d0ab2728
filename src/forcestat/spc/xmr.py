"""Process behaviour charts (XmR, p and u) with the NHS England *Making Data Count* rules.

Pure computation: no plotting, no files. ``run_spc`` is a pipeline of small functions,
in the order NHSRplotthedots 0.2.2 runs them: validate the options -> split into
segments at each rebase -> process limits per segment (from all its points, its first
n, or a named baseline period) -> special-cause rules per segment (``spc_rules``) ->
point types -> short-series warnings -> variation and assurance icons.

An XmR chart (the default) charts the values as they are. A p or u chart
(``SpcOptions.chart``) charts numerators over denominators, with limits a month from
``forcestat.spc.attributes``; the rules, point types, icons and sentences are the same.
Means and limits are exact (``forcestat.spc.exact``): a month equal to the mean in the
figures as written is on it, not a float's width below it.

Defaults follow NHSRplotthedots 0.2.2 so an analyst gets the same chart from either:
moving-range screening on, a tie breaks a trend, and two-of-three counts only points
between the 2-sigma line and the process limit. ``docs/methodology.md`` lists each
deliberate difference and why; in short:

- screening drops moving ranges strictly *above* 3.267 x the mean moving range (0.2.2
  drops those equal to it too, which leaves a constant series with no limits at all);
- the variation icon is the latest point's own type, so the icon and the colour of the
  point it summarises always agree.

Example:
    >>> from datetime import date
    >>> months = [date(2023, m, 1) for m in range(1, 13)]
    >>> result = run_spc(months, [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6])
    >>> round(result.segments[0].limits.upl, 2)
    8.16
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from fractions import Fraction

from forcestat.spc.attributes import ChartType, LaneyRule, attribute_limits, attribute_values
from forcestat.spc.exact import as_written
from forcestat.spc.model import (
    MIN_BASELINE_POINTS,
    MIN_SEGMENT_POINTS,
    TRIAL_LIMIT_POINTS,
    AssuranceType,
    BaselinePeriod,
    Rebase,
    Segment,
    SpcError,
    SpcOptions,
    SpcPoint,
    SpcResult,
    SuggestedRebase,
    month_label,
    validate,
)

# The rule vocabulary is re-exported: charts, sentences and tests import it from here.
from forcestat.spc.rules import (
    RULE_PRIORITY,
    Direction,
    PointLimits,
    PointType,
    Polarity,
    ProcessLimits,
    Rule,
    RuleRun,
    RuleSettings,
    Signal,
    SpecialCause,
    TrendTies,
    find_outside_limits,
    find_rule_runs,
    find_shifts,
    find_trends,
    find_two_of_three,
    point_type,
)

__all__ = [
    "LIMIT_SCALE",
    "MIN_BASELINE_POINTS",
    "MIN_SEGMENT_POINTS",
    "MOVING_RANGE_SCREEN",
    "RULE_PRIORITY",
    "TRIAL_LIMIT_POINTS",
    "AssuranceType",
    "BaselinePeriod",
    "ChartType",
    "Direction",
    "LaneyRule",
    "PointType",
    "Polarity",
    "ProcessLimits",
    "Rebase",
    "Rule",
    "RuleRun",
    "RuleSettings",
    "Segment",
    "Signal",
    "SpcError",
    "SpcOptions",
    "SpcPoint",
    "SpcResult",
    "SpecialCause",
    "SuggestedRebase",
    "TrendTies",
    "assurance_type",
    "find_outside_limits",
    "find_shifts",
    "find_trends",
    "find_two_of_three",
    "point_type",
    "process_limits",
    "run_spc",
    "short_series_warnings",
    "suggest_rebases",
    "validate",
    "variation_type",
]

# 3 / d2 with d2 = 1.128 for moving ranges of two points: three sigma from the mean moving range.
LIMIT_SCALE = 2.66
# D4 for n = 2: a moving range above this multiple of the mean is an outlier, not routine noise.
MOVING_RANGE_SCREEN = 3.267
TWO_SIGMA_FRACTION = 2 / 3
# The same constants as exact decimals, so limits are computed without rounding.
_LIMIT_SCALE = Fraction("2.66")
_MOVING_RANGE_SCREEN = Fraction("3.267")
_TWO_SIGMA_FRACTION = Fraction(2, 3)


# ---- limits ---------------------------------------------------------------------------


def _baseline_bounds(months: Sequence[dt.date], options: SpcOptions) -> tuple[int, int]:
    """(start, stop) of the points one segment's limits rest on, within the segment."""
    period = options.baseline_period
    if period is not None and period.first_month in months:  # validated: inside one segment
        return months.index(period.first_month), months.index(period.last_month) + 1
    return 0, min(options.baseline_points or len(months), len(months))


def process_limits(
    values: Sequence[float], *, baseline_points: int | None = None, screen: bool = True
) -> ProcessLimits:
    """XmR limits: mean +/- 2.66 x mean moving range, from the first ``baseline_points``.

    With ``screen``, moving ranges above 3.267 x their mean are dropped and the mean
    moving range computed again, once. Every line is computed exactly on the values as
    written (``forcestat.spc.exact``) and rounded once, so a value equal to the mean or
    to a limit compares equal to it.
    """
    base = [as_written(v) for v in (values[:baseline_points] if baseline_points else values)]
    mean = sum(base, Fraction(0)) / len(base)
    moving_ranges = [abs(b - a) for a, b in itertools.pairwise(base)]
    mean_mr = sum(moving_ranges, Fraction(0)) / len(moving_ranges)
    kept = moving_ranges
    if screen:
        kept = [mr for mr in moving_ranges if mr <= _MOVING_RANGE_SCREEN * mean_mr]
        mean_mr = sum(kept, Fraction(0)) / len(kept)
    spread = _LIMIT_SCALE * mean_mr
    return ProcessLimits(
        mean=float(mean),
        mean_moving_range=float(mean_mr),
        lpl=float(mean - spread),
        upl=float(mean + spread),
        lower_two_sigma=float(mean - _TWO_SIGMA_FRACTION * spread),
        upper_two_sigma=float(mean + _TWO_SIGMA_FRACTION * spread),
        points_used=len(base),
        moving_ranges_used=len(kept),
        moving_ranges_excluded=len(moving_ranges) - len(kept),
    )


# ---- icons and warnings -------------------------------------------------------------


def variation_type(point: SpcPoint) -> PointType:
    """The variation icon of a point: its own type, as its colour on the chart shows it.

    Making Data Count's icon summarises the latest point, so where that point's rules
    disagree (above the upper limit in a falling trend, say) the icon takes the rule
    that coloured the point (``RULE_PRIORITY``), never a different one.
    """
    return point.point_type


def assurance_type(
    target: float | None, limits: ProcessLimits, polarity: Polarity
) -> AssuranceType | None:
    """Whether the process will meet ``target``: a target outside the process limits is
    met (or missed) every month; one between them, some months. None for a neutral
    measure or no target."""
    if target is None or polarity is Polarity.NEUTRAL:
        return None
    higher_better = polarity is Polarity.HIGHER
    if target > limits.upl:
        return AssuranceType.CONSISTENT_FAIL if higher_better else AssuranceType.CONSISTENT_PASS
    if target < limits.lpl:
        return AssuranceType.CONSISTENT_PASS if higher_better else AssuranceType.CONSISTENT_FAIL
    return AssuranceType.INCONSISTENT


def short_series_warnings(segments: Sequence[Segment]) -> tuple[str, ...]:
    """One warning per segment whose limits are trial limits."""
    return tuple(
        f"limits for {month_label(s.first_month)} to {month_label(s.last_month)} are trial "
        f"limits: {s.n_points} points, fewer than {TRIAL_LIMIT_POINTS}; they will move as "
        "months are added"
        for s in segments
        if s.trial_limits
    )


def suggest_rebases(
    special_causes: Sequence[SpecialCause], segments: Sequence[Segment]
) -> tuple[SuggestedRebase, ...]:
    """Months where the level of the process seems to have moved: a shift that begins
    inside a segment (not at its start) and goes the other way from the segment's
    previous shift (a second shift the same way continues the first). A suggestion
    only; a rebase is applied when someone records it."""
    starts = {s.first_month for s in segments}
    suggested: list[SuggestedRebase] = []
    previous: dict[int, Direction] = {}
    for cause in special_causes:
        if cause.rule is not Rule.SHIFT:
            continue
        turned = previous.get(cause.segment) is not cause.direction
        if turned and cause.first_month not in starts:
            suggested.append(SuggestedRebase(cause.first_month, cause.direction, len(cause.months)))
        previous[cause.segment] = cause.direction
    return tuple(suggested)


# ---- the pipeline ---------------------------------------------------------------------


def _segment_bounds(months: Sequence[dt.date], rebases: Sequence[Rebase]) -> list[tuple[int, int]]:
    cuts = sorted(months.index(r.month) for r in rebases)
    edges = [0, *cuts, len(months)]
    return list(itertools.pairwise(edges))


def _attribute_segment(
    values: Sequence[float],
    denominators: Sequence[float],
    options: SpcOptions,
    bounds: tuple[int, int],
) -> tuple[list[float], ProcessLimits, list[PointLimits], float | None, bool]:
    """A p or u segment: the charted ratios, the latest month's lines as the segment's
    limits, the lines at each point, sigma_Z and whether it widened the limits."""
    found = attribute_limits(
        options.chart,
        values,
        denominators,
        baseline=bounds,
        laney=options.laney,
        per=options.per,
    )
    latest = found.points[-1]
    limits = ProcessLimits(
        mean=found.centre,
        mean_moving_range=found.mean_moving_range_z or 0.0,
        lpl=latest.lpl,
        upl=latest.upl,
        lower_two_sigma=latest.lower_two_sigma,
        upper_two_sigma=latest.upper_two_sigma,
        points_used=bounds[1] - bounds[0],
        moving_ranges_used=bounds[1] - bounds[0] - 1,
        moving_ranges_excluded=0,
    )
    ratios = attribute_values(values, denominators, options.per)
    return ratios, limits, list(found.points), found.sigma_z, found.laney


def _chart_segment(
    index: int,
    months: Sequence[dt.date],
    values: Sequence[float],
    options: SpcOptions,
    rebase: Rebase | None,
    denominators: Sequence[float] | None = None,
) -> tuple[Segment, list[SpcPoint], list[SpecialCause]]:
    """Limits, rules and point types of one segment (``months``, ``values`` and
    ``denominators`` are its own; for a p or u chart ``values`` are the numerators)."""
    if len(values) < MIN_SEGMENT_POINTS:
        raise SpcError(
            f"the limits from {month_label(months[0])} would rest on {len(values)} month; "
            f"leave at least {MIN_SEGMENT_POINTS} months between rebases and after the last"
        )
    start, stop = _baseline_bounds(months, options)
    numerators: Sequence[float | None] = [None] * len(values)
    sigma_z, laney = None, False
    if denominators is None:
        limits = process_limits(values[start:stop], screen=options.screen_moving_ranges)
        lines: list[PointLimits] = [_lines(limits)] * len(values)
    else:
        numerators = values
        values, limits, lines, sigma_z, laney = _attribute_segment(
            values, denominators, options, (start, stop)
        )
    segment = Segment(
        index=index,
        first_month=months[0],
        last_month=months[-1],
        n_points=len(values),
        limits=limits,
        trial_limits=len(values) < TRIAL_LIMIT_POINTS,
        rebase=rebase,
        baseline=BaselinePeriod(months[start], months[stop - 1]),
        sigma_z=sigma_z,
        laney=laney,
    )
    runs = find_rule_runs(values, lines, options.rules)
    signals: list[list[Signal]] = [[] for _ in values]
    causes = []
    for run in runs:
        flagged = tuple(months[k] for k in run.indexes)
        causes.append(SpecialCause(run.rule, run.direction, flagged, index))
        for k in run.indexes:
            signals[k].append(Signal(run.rule, run.direction))
    points = [
        SpcPoint(
            month=months[k],
            value=value,
            segment=index,
            mean=lines[k].mean,
            lpl=lines[k].lpl,
            upl=lines[k].upl,
            lower_two_sigma=lines[k].lower_two_sigma,
            upper_two_sigma=lines[k].upper_two_sigma,
            moving_range=float(abs(as_written(value) - as_written(values[k - 1]))) if k else None,
            signals=tuple(signals[k]),
            point_type=point_type(signals[k], options.polarity),
            numerator=numerators[k],
            denominator=denominators[k] if denominators is not None else None,
        )
        for k, value in enumerate(values)
    ]
    return segment, points, causes


def _lines(limits: ProcessLimits) -> PointLimits:
    return PointLimits(
        limits.mean, limits.lpl, limits.upl, limits.lower_two_sigma, limits.upper_two_sigma
    )


def run_spc(
    months: Sequence[dt.date],
    values: Sequence[float],
    options: SpcOptions | None = None,
    *,
    denominators: Sequence[float] | None = None,
) -> SpcResult:
    """Chart a monthly series: limits per segment, rules, point types and icons.

    For a p or u chart (``options.chart``) ``values`` are each month's count (successes,
    events) and ``denominators`` its trials or exposure; the chart plots their ratio
    times ``options.per``.
    """
    options = options or SpcOptions()
    validate(months, values, options, denominators)
    floats = [float(v) for v in values]
    sizes = None if denominators is None else [float(n) for n in denominators]
    rebase_at = {r.month: r for r in options.rebases}
    segments: list[Segment] = []
    points: list[SpcPoint] = []
    causes: list[SpecialCause] = []
    for index, (lo, hi) in enumerate(_segment_bounds(months, options.rebases)):
        segment, segment_points, segment_causes = _chart_segment(
            index,
            months[lo:hi],
            floats[lo:hi],
            options,
            rebase_at.get(months[lo]),
            None if sizes is None else sizes[lo:hi],
        )
        segments.append(segment)
        points += segment_points
        causes += segment_causes
    causes.sort(key=lambda c: (c.first_month, RULE_PRIORITY.index(c.rule)))
    return SpcResult(
        points=tuple(points),
        segments=tuple(segments),
        special_causes=tuple(causes),
        variation=variation_type(points[-1]),
        assurance=assurance_type(options.target, segments[-1].limits, options.polarity),
        warnings=short_series_warnings(segments),
        suggested_rebases=suggest_rebases(causes, segments),
        options=options,
    )
