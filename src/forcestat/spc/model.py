"""What a chart is asked and what it answers: options, segments, points, the result,
and the checks on a series and its options before anything is computed.

``forcestat.spc.xmr`` runs the pipeline over these and re-exports them, so callers
import everything from there.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from forcestat.errors import ForcestatError
from forcestat.months import next_month
from forcestat.spc.attributes import ChartType, LaneyRule
from forcestat.spc.rules import (
    RULE_PRIORITY,
    Direction,
    PointType,
    Polarity,
    ProcessLimits,
    Rule,
    RuleSettings,
    Signal,
    SpecialCause,
)

__all__ = [
    "MIN_BASELINE_POINTS",
    "MIN_SEGMENT_POINTS",
    "TRIAL_LIMIT_POINTS",
    "AssuranceType",
    "BaselinePeriod",
    "Rebase",
    "Segment",
    "SpcError",
    "SpcOptions",
    "SpcPoint",
    "SpcResult",
    "SuggestedRebase",
    "month_label",
    "validate",
]

MIN_BASELINE_POINTS = 12
# Segments with fewer points than this have trial limits (NHSRplotthedots warns below 13).
TRIAL_LIMIT_POINTS = 13
# One moving range needs two points.
MIN_SEGMENT_POINTS = 2


class SpcError(ForcestatError):
    """The series or the SPC options cannot be charted as given."""


class AssuranceType(StrEnum):
    """Will the process meet its target? Judged from the latest process limits."""

    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"


@dataclass(frozen=True)
class Rebase:
    """A recorded decision to recalculate limits from ``month``: who, when and why."""

    month: dt.date
    reason: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class BaselinePeriod:
    """A named stretch of months, first to last inclusive, whose points fix the limits.

    Example:
        >>> str(BaselinePeriod(dt.date(2017, 1, 1), dt.date(2018, 12, 1)))
        '2017-01 to 2018-12'
    """

    first_month: dt.date
    last_month: dt.date

    def __str__(self) -> str:
        return f"{month_label(self.first_month)} to {month_label(self.last_month)}"


@dataclass(frozen=True)
class SpcOptions:
    """Settings of one chart.

    The limits of each segment rest on all its points unless one baseline is given:
    ``baseline_points``, the first n points of each segment (n >= 12), or
    ``baseline_period``, a named period of at least 12 months inside one segment (that
    segment's limits rest on it; other segments use all their points).

    ``chart`` p or u charts numerators over denominators, times ``per`` (100 charts a
    proportion in per cent, 1,000 a rate per 1,000); ``laney`` says when their limits
    are widened by Laney's sigma_Z. ``screen_moving_ranges`` concerns XmR charts only.
    """

    polarity: Polarity = Polarity.NEUTRAL
    target: float | None = None
    baseline_points: int | None = None
    baseline_period: BaselinePeriod | None = None
    screen_moving_ranges: bool = True
    rebases: tuple[Rebase, ...] = ()
    rules: RuleSettings = field(default_factory=RuleSettings)
    chart: ChartType = ChartType.XMR
    laney: LaneyRule = LaneyRule.AUTO
    per: float = 1


@dataclass(frozen=True)
class Segment:
    """A stretch of months with one set of limits; a new one starts at each rebase."""

    index: int
    first_month: dt.date
    last_month: dt.date
    n_points: int
    limits: ProcessLimits
    trial_limits: bool
    rebase: Rebase | None
    baseline: BaselinePeriod  # the months the limits were computed from
    # p and u charts: limits vary by month, so ``limits`` holds the latest month's lines
    # and ``limits.mean_moving_range`` the mean moving range of the z-scores.
    sigma_z: float | None = None
    laney: bool = False  # whether the limits were widened by sigma_z


@dataclass(frozen=True)
class SpcPoint:
    """One month of the chart: its value, the limits that apply and the rules that fired.

    ``signals`` lists every rule that flagged the point; ``point_type`` labels it by
    ``RULE_PRIORITY``. ``moving_range`` is None for the first point of a segment.
    """

    month: dt.date
    value: float
    segment: int
    mean: float
    lpl: float
    upl: float
    lower_two_sigma: float
    upper_two_sigma: float
    moving_range: float | None
    signals: tuple[Signal, ...]
    point_type: PointType
    numerator: float | None = None  # p and u charts: the month's count ...
    denominator: float | None = None  # ... and its trials or exposure

    @property
    def special_cause(self) -> bool:
        return bool(self.signals)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules that flagged the point, in priority order."""
        fired = {s.rule for s in self.signals}
        return tuple(r for r in RULE_PRIORITY if r in fired)


@dataclass(frozen=True)
class SuggestedRebase:
    """A month where a sustained shift suggests the process changed. Never applied."""

    month: dt.date
    direction: Direction
    n_points: int


@dataclass(frozen=True)
class SpcResult:
    """Everything a chart, a table or a sentence needs about one series."""

    points: tuple[SpcPoint, ...]
    segments: tuple[Segment, ...]
    special_causes: tuple[SpecialCause, ...]
    variation: PointType
    assurance: AssuranceType | None
    warnings: tuple[str, ...]
    suggested_rebases: tuple[SuggestedRebase, ...]
    options: SpcOptions

    @property
    def latest(self) -> SpcPoint:
        return self.points[-1]


# ---- validate -------------------------------------------------------------------------


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def validate(
    months: Sequence[dt.date],
    values: Sequence[float],
    options: SpcOptions,
    denominators: Sequence[float] | None = None,
) -> None:
    """Raise SpcError naming the first problem with the series or the options."""
    if len(months) != len(values):
        raise SpcError(f"{len(months)} months but {len(values)} values; give one value a month")
    if len(months) < MIN_SEGMENT_POINTS:
        raise SpcError(f"{len(months)} month(s) given; a chart needs at least {MIN_SEGMENT_POINTS}")
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        if month.day != 1:
            raise SpcError(f"{month}: give months as the first day of the month")
        if not math.isfinite(value):
            raise SpcError(f"{month_label(month)}: value {value} is not a finite number")
        if i and month != next_month(months[i - 1]):
            raise SpcError(
                f"{month_label(month)} follows {month_label(months[i - 1])}: months must be "
                "consecutive and in order, with no gaps"
            )
    _validate_denominators(months, values, options, denominators)
    rules = options.rules
    if rules.shift_length < 2 or rules.trend_length < 3:
        raise SpcError("a shift needs a length of at least 2 points and a trend at least 3")
    if options.baseline_points is not None and options.baseline_points < MIN_BASELINE_POINTS:
        raise SpcError(
            f"baseline of {options.baseline_points} points: limits fixed on a baseline need "
            f"at least {MIN_BASELINE_POINTS} points"
        )
    if options.baseline_period is not None:
        _validate_baseline_period(months, options.baseline_period, options)
    if options.target is not None and not math.isfinite(options.target):
        raise SpcError(f"target {options.target} is not a finite number")
    seen: set[dt.date] = set()
    for rebase in options.rebases:
        if rebase.month in seen:
            raise SpcError(f"rebase at {month_label(rebase.month)} is given twice")
        seen.add(rebase.month)
        if rebase.month not in months[1:]:
            raise SpcError(
                f"rebase at {month_label(rebase.month)} is not a month after the first of the "
                f"series ({month_label(months[0])} to {month_label(months[-1])})"
            )


def _validate_denominators(
    months: Sequence[dt.date],
    values: Sequence[float],
    options: SpcOptions,
    denominators: Sequence[float] | None,
) -> None:
    chart = options.chart
    if chart is ChartType.XMR:
        if denominators is not None:
            raise SpcError(
                "denominators are given but an XmR chart uses none; choose a p or u chart"
            )
        return
    if denominators is None:
        raise SpcError(f"a {chart.value}-chart needs a denominator for every month; none given")
    if len(denominators) != len(values):
        raise SpcError(f"{len(values)} values but {len(denominators)} denominators")
    if not (math.isfinite(options.per) and options.per > 0):
        raise SpcError(f"per {options.per}: give a positive number such as 1, 100 or 1000")
    for month, x, n in zip(months, values, denominators, strict=True):
        if not math.isfinite(n) or n <= 0:
            raise SpcError(
                f"{month_label(month)}: denominator {n:g} is not a positive number; a "
                f"{chart.value}-chart divides by it"
            )
        if x < 0:
            raise SpcError(f"{month_label(month)}: count {x:g} is negative")
        if chart is ChartType.P and x > n:
            raise SpcError(
                f"{month_label(month)}: {x:g} of {n:g} is more than all of them; a proportion's "
                "numerator cannot exceed its denominator"
            )


def _validate_baseline_period(
    months: Sequence[dt.date], period: BaselinePeriod, options: SpcOptions
) -> None:
    if options.baseline_points is not None:
        raise SpcError(
            f"a baseline of {options.baseline_points} points and the baseline period "
            f"{period} are both given; choose one"
        )
    first, last = period.first_month, period.last_month
    if first.day != 1 or last.day != 1:
        raise SpcError(f"baseline period {first} to {last}: give months as their first day")
    if first > last:
        raise SpcError(
            f"baseline period {period} ends before it starts; give the earlier month first"
        )
    if first not in months or last not in months:
        raise SpcError(
            f"baseline period {period} is not inside the series ({month_label(months[0])} "
            f"to {month_label(months[-1])}); choose months the series covers"
        )
    n_points = months.index(last) - months.index(first) + 1
    if n_points < MIN_BASELINE_POINTS:
        raise SpcError(
            f"baseline period {period} has {n_points} months: limits fixed on a baseline "
            f"need at least {MIN_BASELINE_POINTS}; choose a longer period"
        )
    for rebase in sorted(options.rebases, key=lambda r: r.month):
        if first < rebase.month <= last:
            raise SpcError(
                f"baseline period {period} spans the rebase at {month_label(rebase.month)}; "
                "limits are recalculated at each rebase, so choose a period inside one segment"
            )
