"""Limits of p and u charts, whose width follows each month's denominator.

A **p-chart** charts a proportion with a known number of trials a month (victims
surveyed, 999 calls presented); a **u-chart** a rate with a known exposure a month
(offences per resident, complaints per officer). The centre line is the pooled ratio
of the baseline months, and each month's limits are three standard errors of a month
of its own size:

- p-chart: p̄ = Σx / Σn, limits p̄ ± 3·sqrt(p̄(1 - p̄) / n_i) (Montgomery, *Introduction
  to Statistical Quality Control*, §7.2);
- u-chart: ū = Σx / Σn, limits ū ± 3·sqrt(ū / n_i) (Montgomery §7.3).

With large denominators these limits become so narrow that nearly every month falls
outside them: the months differ by more than sampling alone. Laney's p' and u' charts
(Laney 2002, *Quality Engineering* 14(4)) widen them by sigma_Z, the spread of the
months' z-scores z_i = (p_i - p̄) / sqrt(p̄(1 - p̄) / n_i) measured as an XmR chart
measures spread: mean moving range / 1.128. ``LaneyRule`` says when: by default
(``AUTO``) when sigma_Z is 2 or more (the months vary at least twice as much as
sampling explains, so the plain limits would flag about one month in seven of a steady
process, and far more as denominators grow) and beyond what chance gives a series that
short (1 + 3 standard errors, 0.909 / sqrt(k) for k moving ranges). A survey of a few
hundred victims a month keeps its plain p-chart; 999 calls by the ten thousand, or
offences per resident, get Laney's. ``docs/methodology.md`` gives the reasoning.

Centre lines are exact (``forcestat.spc.exact``): a month whose proportion equals p̄
is on the centre line, not a float's width below it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from forcestat.spc.exact import as_written
from forcestat.spc.rules import PointLimits

__all__ = [
    "ATTRIBUTE_SIGMAS",
    "D2",
    "LANEY_SIGMA_Z",
    "SIGMA_Z_STANDARD_ERROR",
    "AttributeLimits",
    "ChartType",
    "LaneyRule",
    "attribute_limits",
    "attribute_values",
    "sigma_z_threshold",
]

# p and u chart limits sit three standard errors from the centre line, 2-sigma lines two.
ATTRIBUTE_SIGMAS = 3
# d2 for moving ranges of two points: sigma = mean moving range / 1.128.
D2 = 1.128
# LaneyRule.AUTO widens limits from this sigma_Z: the months vary twice as much as sampling.
LANEY_SIGMA_Z = 2.0
# Standard error of sigma_Z, times sqrt(k), when the months vary only as sampling does:
# sqrt((2 - 4/pi) + 2 * cov) / 1.128, cov the lag-one covariance of the moving ranges of
# independent standard normal z-scores, (4/pi)(sqrt(3)/2 + pi/12) - 4/pi.
SIGMA_Z_STANDARD_ERROR = 0.909


class ChartType(StrEnum):
    """Which process behaviour chart: XmR for counts and other single values, p for a
    proportion with a denominator a month, u for a rate with an exposure a month."""

    XMR = "xmr"
    P = "p"
    U = "u"


class LaneyRule(StrEnum):
    """When a p or u chart widens its limits by Laney's sigma_Z."""

    AUTO = "auto"  # when sigma_Z is 2 or more and beyond chance (sigma_z_threshold)
    ALWAYS = "always"  # Laney's p' and u' charts as published
    NEVER = "never"  # the textbook p and u charts


@dataclass(frozen=True)
class AttributeLimits:
    """One segment's p or u chart: the centre line, the lines at each of its points (in
    the chart's units: ``per`` times the ratio), sigma_Z and whether it widened them."""

    centre: float
    points: tuple[PointLimits, ...]
    sigma_z: float | None  # None when the baseline has one month or a centre of 0 (or 1)
    mean_moving_range_z: float | None
    laney: bool


def sigma_z_threshold(moving_ranges: int) -> float:
    """The sigma_Z from which ``LaneyRule.AUTO`` widens the limits: 2, or 1 plus three
    standard errors of sigma_Z (when the months vary only as sampling does) if that is
    more, as it is for fewer than nine moving ranges.

    Example:
        >>> sigma_z_threshold(59), round(sigma_z_threshold(4), 4)
        (2.0, 2.3635)
    """
    chance = 1 + ATTRIBUTE_SIGMAS * SIGMA_Z_STANDARD_ERROR / math.sqrt(moving_ranges)
    return max(LANEY_SIGMA_Z, chance)


def attribute_values(
    numerators: Sequence[float], denominators: Sequence[float], per: float = 1
) -> list[float]:
    """Each month's ratio times ``per`` (100 for a percentage), rounded once."""
    scale = as_written(per)
    return [
        float(as_written(x) / as_written(n) * scale)
        for x, n in zip(numerators, denominators, strict=True)
    ]


def _variance_factor(chart: ChartType, centre: Fraction) -> Fraction:
    # Variance of one trial (p) or one unit of exposure (u) at the centre line.
    return centre * (1 - centre) if chart is ChartType.P else centre


def attribute_limits(
    chart: ChartType,
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    baseline: tuple[int, int] | None = None,
    laney: LaneyRule = LaneyRule.AUTO,
    per: float = 1,
) -> AttributeLimits:
    """The p or u chart of one segment: centre line from the ``baseline`` points (start,
    stop; default all), and the lines at every point.

    Example (Montgomery's dyed cloth, §7.3: ū = 153 / 107.5 = 1.4233):
        >>> limits = attribute_limits(ChartType.U, [14, 12], [10, 8], laney=LaneyRule.NEVER)
        >>> round(limits.centre, 4)
        1.4444
    """
    if chart is ChartType.XMR:
        raise ValueError("attribute_limits draws p and u charts only")
    start, stop = baseline or (0, len(numerators))
    x = [as_written(v) for v in numerators]
    n = [as_written(v) for v in denominators]
    centre = sum(x[start:stop], Fraction(0)) / sum(n[start:stop], Fraction(0))
    factor = _variance_factor(chart, centre)
    errors = [math.sqrt(factor / size) for size in n]  # one standard error a month
    sigma_z = mean_mr_z = None
    if factor > 0 and stop - start >= 2:
        z = [float(x[i] / n[i] - centre) / errors[i] for i in range(start, stop)]
        mean_mr_z = math.fsum(abs(b - a) for a, b in itertools.pairwise(z)) / (len(z) - 1)
        sigma_z = mean_mr_z / D2
    widen = sigma_z is not None and (
        laney is LaneyRule.ALWAYS
        or (laney is LaneyRule.AUTO and sigma_z >= sigma_z_threshold(stop - start - 1))
    )
    spread = (sigma_z if widen and sigma_z is not None else 1.0) * float(per)
    middle = centre * as_written(per)
    ceiling = float(as_written(per)) if chart is ChartType.P else math.inf
    mean = float(middle)

    def line(sigmas: int, error: float) -> float:
        return min(ceiling, max(0.0, float(middle + Fraction(sigmas * error * spread))))

    points = tuple(
        PointLimits(
            mean=mean,
            lpl=line(-ATTRIBUTE_SIGMAS, e),
            upl=line(ATTRIBUTE_SIGMAS, e),
            lower_two_sigma=line(-2, e),
            upper_two_sigma=line(2, e),
        )
        for e in errors
    )
    return AttributeLimits(mean, points, sigma_z, mean_mr_z, widen)
