"""The NHS England *Making Data Count* special-cause rules, and how a point is labelled.

Each rule is a pure function of one segment's values (and its limits or mean) that
returns the runs of points it flags, as positions within the segment:

- ``find_outside_limits``: a point strictly beyond its process limit;
- ``find_shifts``: seven or more points in a row strictly on one side of the mean;
- ``find_trends``: seven or more points each strictly above (or below) the one before;
- ``find_two_of_three``: two of three points in a row beyond the same 2-sigma line.

The limits may be one set for the whole segment (``ProcessLimits``, an XmR chart) or
one set a point (``PointLimits``, a p or u chart whose limits follow each month's
denominator); the mean is one line either way. ``point_type`` then labels a flagged point by the rule with the highest priority
(``RULE_PRIORITY``) and the measure's polarity, in the Making Data Count vocabulary.
Defaults follow NHSRplotthedots 0.2.2; ``docs/methodology.md`` lists the differences.

Example:
    >>> [run.indexes for run in find_shifts([1, 1, 1, 1, 1, 1, 1, 9], mean=2.0, length=7)]
    [(0, 1, 2, 3, 4, 5, 6)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = [
    "RULE_PRIORITY",
    "Direction",
    "Limits",
    "PointLimits",
    "PointType",
    "Polarity",
    "ProcessLimits",
    "Rule",
    "RuleRun",
    "RuleSettings",
    "Signal",
    "SpecialCause",
    "TrendTies",
    "find_outside_limits",
    "find_rule_runs",
    "find_shifts",
    "find_trends",
    "find_two_of_three",
    "point_type",
    "signal_point_type",
]


class Polarity(StrEnum):
    """Which direction is better for the measure."""

    HIGHER = "higher"
    LOWER = "lower"
    NEUTRAL = "neutral"


class Direction(StrEnum):
    """Which way a signal points: above the mean / rising, or below / falling."""

    UP = "up"
    DOWN = "down"


class Rule(StrEnum):
    """The Making Data Count special-cause rules."""

    OUTSIDE_LIMITS = "outside_limits"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"


# How a point flagged by several rules is labelled.
RULE_PRIORITY: tuple[Rule, ...] = (Rule.OUTSIDE_LIMITS, Rule.TREND, Rule.TWO_OF_THREE, Rule.SHIFT)


class TrendTies(StrEnum):
    """How two equal consecutive values inside a trend are read."""

    BREAK = "break"  # the tie ends the run (NHSRplotthedots)
    IGNORE = "ignore"  # the tie neither counts towards the run nor breaks it


class PointType(StrEnum):
    """The Making Data Count vocabulary for a point (and for the variation icon)."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"

    @property
    def short(self) -> str:
        """The short form used in CSV output: common_cause, improvement, concern, ..."""
        return self.value.removeprefix("special_cause_")


@dataclass(frozen=True)
class RuleSettings:
    """Which rules run, and their lengths. Defaults follow NHSRplotthedots 0.2.2."""

    outside_limits: bool = True
    shift: bool = True
    shift_length: int = 7
    trend: bool = True
    trend_length: int = 7
    trend_ties: TrendTies = TrendTies.BREAK
    two_of_three: bool = True
    # Count points beyond the process limit as beyond the 2-sigma line too (0.2.2 does not).
    two_of_three_counts_beyond_limits: bool = False


@dataclass(frozen=True)
class ProcessLimits:
    """Centre line and limits of one segment, with what they were computed from.

    ``forcestat.spc.xmr.process_limits`` computes them; the rules here only read the lines.
    """

    mean: float
    mean_moving_range: float
    lpl: float
    upl: float
    lower_two_sigma: float
    upper_two_sigma: float
    points_used: int
    moving_ranges_used: int
    moving_ranges_excluded: int


@dataclass(frozen=True)
class PointLimits:
    """The centre line, process limits and 2-sigma lines that apply at one point."""

    mean: float
    lpl: float
    upl: float
    lower_two_sigma: float
    upper_two_sigma: float


class _Lines(Protocol):
    @property
    def mean(self) -> float: ...
    @property
    def lpl(self) -> float: ...
    @property
    def upl(self) -> float: ...
    @property
    def lower_two_sigma(self) -> float: ...
    @property
    def upper_two_sigma(self) -> float: ...


# One set of lines for every point of a segment, or one set a point.
Limits = ProcessLimits | Sequence[PointLimits]


def _per_point(limits: Limits, n: int) -> Sequence[_Lines]:
    if isinstance(limits, ProcessLimits):
        return [limits] * n
    if len(limits) != n:
        raise ValueError(f"{n} values but limits for {len(limits)} points")
    return limits


@dataclass(frozen=True)
class Signal:
    """One rule flagging one point, in one direction."""

    rule: Rule
    direction: Direction


@dataclass(frozen=True)
class RuleRun:
    """Points one rule flagged together; ``indexes`` are positions within a segment."""

    rule: Rule
    direction: Direction
    indexes: tuple[int, ...]


@dataclass(frozen=True)
class SpecialCause:
    """A ``RuleRun`` in months: ``months`` are the flagged points, in order, of segment
    ``segment`` of the chart."""

    rule: Rule
    direction: Direction
    months: tuple[dt.date, ...]
    segment: int

    @property
    def first_month(self) -> dt.date:
        return self.months[0]

    @property
    def last_month(self) -> dt.date:
        return self.months[-1]


# ---- rules (indexes are positions within one segment) ---------------------------------


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _direction(sign: int) -> Direction:
    return Direction.UP if sign > 0 else Direction.DOWN


def find_outside_limits(values: Sequence[float], limits: Limits) -> tuple[RuleRun, ...]:
    """Points strictly above the upper or below the lower process limit (their own, on a
    p or u chart); neighbours on the same side form one run."""
    lines = _per_point(limits, len(values))
    sides = [
        1 if v > at.upl else -1 if v < at.lpl else 0 for v, at in zip(values, lines, strict=True)
    ]
    return _runs_of_equal_sides(Rule.OUTSIDE_LIMITS, sides, min_length=1)


def find_shifts(values: Sequence[float], mean: float, length: int) -> tuple[RuleRun, ...]:
    """``length`` or more consecutive points strictly on one side of the mean; a point on
    the mean breaks the run. The whole run is flagged."""
    return _runs_of_equal_sides(Rule.SHIFT, [_sign(v - mean) for v in values], length)


def _runs_of_equal_sides(rule: Rule, sides: Sequence[int], min_length: int) -> tuple[RuleRun, ...]:
    runs: list[RuleRun] = []
    start = 0
    for i in range(1, len(sides) + 1):
        if i == len(sides) or sides[i] != sides[start]:
            if sides[start] != 0 and i - start >= min_length:
                runs.append(RuleRun(rule, _direction(sides[start]), tuple(range(start, i))))
            start = i
    return tuple(runs)


def find_trends(values: Sequence[float], length: int, ties: TrendTies) -> tuple[RuleRun, ...]:
    """``length`` or more points each strictly above (or below) the one before.

    With ``TrendTies.IGNORE`` an equal neighbour is carried inside the run without
    counting towards ``length``. The whole run, ties included, is flagged.
    """
    runs: list[RuleRun] = []
    start, sign, moves = 0, 0, 0

    def close(end: int) -> None:
        if sign and moves + 1 >= length:
            runs.append(RuleRun(Rule.TREND, _direction(sign), tuple(range(start, end + 1))))

    for i in range(1, len(values)):
        step = _sign(values[i] - values[i - 1])
        if step == 0:
            if ties is TrendTies.BREAK:
                close(i - 1)
                start, sign, moves = i, 0, 0
        elif sign in (0, step):
            sign, moves = step, moves + 1
        else:
            close(i - 1)
            start, sign, moves = i - 1, step, 1
    close(len(values) - 1)
    return tuple(runs)


def find_two_of_three(
    values: Sequence[float], limits: Limits, *, counts_beyond_limits: bool = False
) -> tuple[RuleRun, ...]:
    """Two of three consecutive points beyond the same 2-sigma line, all three on that
    side of the mean. Only the points beyond the line are flagged; overlapping windows
    on the same side form one run."""
    lines = _per_point(limits, len(values))
    sides = [_sign(v - at.mean) for v, at in zip(values, lines, strict=True)]

    def beyond(v: float, at: _Lines) -> int:
        outside = v > at.upl or v < at.lpl
        if outside and not counts_beyond_limits:
            return 0
        return 1 if v > at.upper_two_sigma else -1 if v < at.lower_two_sigma else 0

    beyond_side = [beyond(v, at) for v, at in zip(values, lines, strict=True)]
    flagged: dict[int, int] = {}
    for i in range(len(values) - 2):
        window = range(i, i + 3)
        side = sides[i]
        if side and all(sides[j] == side for j in window):
            hits = [j for j in window if beyond_side[j] == side]
            if len(hits) >= 2:
                flagged.update((j, side) for j in hits)
    runs: list[RuleRun] = []
    for j in sorted(flagged):
        last = runs[-1] if runs else None
        if last and last.direction == _direction(flagged[j]) and j - last.indexes[-1] <= 2:
            runs[-1] = RuleRun(last.rule, last.direction, (*last.indexes, j))
        else:
            runs.append(RuleRun(Rule.TWO_OF_THREE, _direction(flagged[j]), (j,)))
    return tuple(runs)


def find_rule_runs(values: Sequence[float], limits: Limits, rules: RuleSettings) -> list[RuleRun]:
    """Every run flagged by the rules switched on in ``rules``, ordered by first point.
    The shift rule reads the mean of the first point's lines: one mean a segment."""
    runs: list[RuleRun] = []
    if rules.outside_limits:
        runs += find_outside_limits(values, limits)
    if rules.trend:
        runs += find_trends(values, rules.trend_length, rules.trend_ties)
    if rules.two_of_three:
        runs += find_two_of_three(
            values, limits, counts_beyond_limits=rules.two_of_three_counts_beyond_limits
        )
    if rules.shift:
        mean = _per_point(limits, len(values))[0].mean if values else 0.0
        runs += find_shifts(values, mean, rules.shift_length)
    # A stable sort keeps rule order (as above) among runs that start together.
    return sorted(runs, key=lambda r: r.indexes[0])


# ---- labelling ------------------------------------------------------------------------


def signal_point_type(direction: Direction, polarity: Polarity) -> PointType:
    """What a signal in ``direction`` means for a measure of ``polarity``.

    Example:
        >>> signal_point_type(Direction.DOWN, Polarity.LOWER).short
        'improvement'
    """
    if polarity is Polarity.NEUTRAL:
        return PointType.NEUTRAL_HIGH if direction is Direction.UP else PointType.NEUTRAL_LOW
    better = Direction.UP if polarity is Polarity.HIGHER else Direction.DOWN
    return PointType.IMPROVEMENT if direction is better else PointType.CONCERN


def point_type(signals: Sequence[Signal], polarity: Polarity) -> PointType:
    """Label a point by its highest-priority signal. ``signals`` are in the order their
    runs start; where one rule points both ways (the peak between two trends) the later
    run wins, as NHSRplotthedots reads it."""
    if not signals:
        return PointType.COMMON_CAUSE
    ranked = sorted(range(len(signals)), key=lambda k: (RULE_PRIORITY.index(signals[k].rule), -k))
    return signal_point_type(signals[ranked[0]].direction, polarity)
