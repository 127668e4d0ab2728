"""A force beside England and Wales, its most similar forces and every other force.

From the engine's rows for all 43 forces (one measure, one period):

- **England and Wales**: the sum of every force's count; for a rate, the summed counts
  over the summed population of the forces whose population is loaded (the forces
  without one are named);
- **the most similar forces**: their *combined* figure, the sum of their offences over
  the sum of their residents, as HMICFRS shows a group (so a large force weighs as much
  as its residents), or, as a setting, the plain mean of their figures;
- **rank in words**, said from whichever end is nearer: '3rd highest of 39 forces';
- **funnel limits**: the counts a force of a given size would show 95% and 99.8% of the
  time if its true rate were the national one (exact Poisson quantiles).

Counts are never compared across forces (forces differ in size): a count measure gets
its England and Wales total only.

Example:
    >>> comparison = compare_forces(rows, measure, "Kent", ("Essex", "Hampshire"))  # doctest: +SKIP
    >>> comparison.rank_words  # doctest: +SKIP
    '17th lowest of 39 forces'
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from forcestat.forces import TERRITORIAL_FORCES
from forcestat.measures.catalogue import Kind, Measure
from forcestat.measures.stats import gamma_lower_regularised
from forcestat.measures.table import MeasureRow

__all__ = [
    "FUNNEL_LEVELS",
    "ForceComparison",
    "ForcePoint",
    "FunnelPoint",
    "GroupFigure",
    "compare_forces",
    "funnel_limits",
    "poisson_quantile",
    "rank_words",
]

# The funnel's two pairs of limits: about 2 and 3 standard deviations.
FUNNEL_LEVELS = (0.95, 0.998)


class GroupFigure(StrEnum):
    """How the most similar forces' figure is worked out (the ``group_figure`` setting)."""

    COMBINED = "combined"  # sum of offences / sum of residents, as HMICFRS
    MEAN = "mean"  # the plain mean of the forces' own figures


@dataclass(frozen=True)
class ForcePoint:
    """One force's figure: its count, its residents (or trials) and its value."""

    force: str
    numerator: int | None
    denominator: float | None
    value: float | None


@dataclass(frozen=True)
class ForceComparison:
    """One measure for one force beside England and Wales, its group and every force.

    ``points``: every territorial force with a value, highest first. ``without_value``:
    forces with no value (a rate with no population loaded, say). ``national_value``:
    the England and Wales count (count measures) or rate over ``national_forces``
    forces. ``group_value``: the most similar forces' figure by ``group_method``.
    """

    measure_id: str
    unit: str
    per: int
    force: str
    force_value: float | None
    points: tuple[ForcePoint, ...]
    without_value: tuple[str, ...]
    national_count: int | None
    national_value: float | None
    national_forces: int
    group: tuple[str, ...]
    group_value: float | None
    group_method: GroupFigure
    rank: int | None  # 1 = the lowest, as the engine ranks
    rank_of: int | None
    rank_words: str | None

    @property
    def compares_forces(self) -> bool:
        """Whether forces may be set against each other: rates and proportions only."""
        return self.unit != "count"


def rank_words(rank: int, of: int) -> str:
    """A rank (1 = the lowest) said from the nearer end: 37 of 39 -> '3rd highest of 39
    forces'; 2 of 39 -> '2nd lowest of 39 forces'."""
    from_top = of - rank + 1
    if from_top < rank:
        return f"{_ordinal(from_top)} highest of {of} forces"
    return f"{_ordinal(rank)} lowest of {of} forces"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _combined(points: Sequence[ForcePoint], per: int) -> float | None:
    counted = [p for p in points if p.numerator is not None and p.denominator]
    if len(counted) != len(points) or not counted:
        return None
    offences = sum(p.numerator for p in counted if p.numerator is not None)
    residents = sum(p.denominator for p in counted if p.denominator is not None)
    return offences / residents * per


def compare_forces(
    rows: Mapping[str, MeasureRow],
    measure: Measure,
    force: str,
    group: Sequence[str],
    method: GroupFigure = GroupFigure.COMBINED,
) -> ForceComparison:
    """``force`` beside England and Wales, its ``group`` and every force, from the
    engine's ``rows`` for one measure and period, by area."""
    per = measure.unit.per
    points: list[ForcePoint] = []
    without: list[str] = []
    counts: list[int] = []
    for f in TERRITORIAL_FORCES:
        row = rows.get(f.name)
        if row is None:
            without.append(f.name)
            continue
        if row.numerator is not None:
            counts.append(row.numerator)
        if row.value is None:
            without.append(f.name)
            continue
        points.append(ForcePoint(f.name, row.numerator, row.denominator, row.value))
    national_count = sum(counts) if len(counts) == len(TERRITORIAL_FORCES) else None
    if measure.kind is Kind.COUNT:
        national_value = float(national_count) if national_count is not None else None
        national_forces = len(counts)
    else:
        national_value = _combined(points, per)
        national_forces = len(points)
    members = [p for p in points if p.force in group and p.force != force]
    group_value = None
    if (
        measure.kind is not Kind.COUNT
        and group
        and len(members) == len([g for g in group if g != force])
    ):
        if method is GroupFigure.COMBINED:
            group_value = _combined(members, per)
        else:
            group_value = statistics.fmean(p.value for p in members if p.value is not None)
    own = rows.get(force)
    rank = rank_of = None
    words = None
    if measure.kind is not Kind.COUNT and own is not None and own.value is not None:
        ranked = sorted(p.value for p in points if p.value is not None)
        if own.value in ranked:
            # 1 + how many forces have a lower value (ties share the lower rank).
            rank = 1 + sum(1 for v in ranked if v < own.value)
            rank_of = len(ranked)
            words = rank_words(rank, rank_of)
    return ForceComparison(
        measure_id=measure.id,
        unit=measure.unit.value,
        per=per,
        force=force,
        force_value=own.value if own is not None else None,
        points=tuple(sorted(points, key=lambda p: (-(p.value or 0.0), p.force))),
        without_value=tuple(without),
        national_count=national_count,
        national_value=national_value,
        national_forces=national_forces,
        group=tuple(g for g in group if g != force),
        group_value=group_value,
        group_method=method,
        rank=rank,
        rank_of=rank_of,
        rank_words=words,
    )


def poisson_quantile(mean: float, probability: float) -> int:
    """The smallest count k with P(X <= k) >= ``probability`` for X ~ Poisson(mean).

    P(X <= k) is the upper regularised gamma function Q(k + 1, mean).
    """
    if mean <= 0:
        return 0
    spread = 10 * math.sqrt(mean) + 10
    lo, hi = max(0, int(mean - spread)), int(mean + spread) + 1
    while lo < hi:  # the first k whose cumulative probability reaches the target
        k = (lo + hi) // 2
        if 1 - gamma_lower_regularised(k + 1, mean) >= probability:
            hi = k
        else:
            lo = k + 1
    return lo


@dataclass(frozen=True)
class FunnelPoint:
    """The limits at one population: (lower, upper) per level in ``FUNNEL_LEVELS``,
    as rates in the measure's unit."""

    population: float
    limits: tuple[tuple[float, float], ...]


def funnel_limits(
    national_rate: float, per: int, populations: Sequence[float], steps: int = 60
) -> tuple[FunnelPoint, ...]:
    """Poisson funnel limits around ``national_rate`` (per ``per`` residents) from the
    smallest to the largest of ``populations``, on a log scale of ``steps`` points."""
    sizes = [p for p in populations if p > 0]
    if not sizes or national_rate <= 0:
        return ()
    low, high = math.log(min(sizes)), math.log(max(sizes))
    found = []
    for i in range(steps + 1):
        population = math.exp(low + (high - low) * i / steps)
        expected = national_rate / per * population
        limits = []
        for level in FUNNEL_LEVELS:
            tail = (1 - level) / 2
            lower = poisson_quantile(expected, tail) / population * per
            upper = poisson_quantile(expected, 1 - tail) / population * per
            limits.append((lower, upper))
        found.append(FunnelPoint(population, tuple(limits)))
    return tuple(found)
