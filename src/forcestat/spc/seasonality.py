"""Month-of-year patterns in a monthly series, and the series with them taken out.

Method (stated in every result as ``SeasonalPattern.method``): classical decomposition
by ratio to a centred moving average, as in the first pass of X-11.

1. The trend is the centred 2x12 moving average (weights 1/24, eleven of 1/12, 1/24),
   so each calendar month has equal weight; it is undefined for the first and last
   six months.
2. Each month's seasonal-irregular value is its ratio to the trend (multiplicative
   model, used when every value is positive) or its difference from it (additive
   model, used otherwise).
3. A month's seasonal index is the mean of its seasonal-irregular values over the
   years, normalised so the twelve indices average 1 (multiplicative) or sum to 0.
4. The test for stable seasonality is X-11's: a one-way analysis of variance of the
   seasonal-irregular values by calendar month; the pattern is reported when the F
   test is significant at the 0.1% level (``significance``) and at least three years
   of months are given.
5. The seasonally adjusted series divides each value by its month's index
   (multiplicative) or subtracts it (additive), so a December peak that comes every
   year is not read as special cause on the adjusted chart.

Example:
    >>> import datetime as dt
    >>> months = [dt.date(2019 + i // 12, i % 12 + 1, 1) for i in range(36)]
    >>> values = [130.0 if m.month == 12 else 100.0 for m in months]
    >>> pattern = seasonal_pattern(months, values)
    >>> pattern.seasonal, pattern.high_months, round(pattern.adjusted[11], 1)
    (True, (12,), 102.5)
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from forcestat.errors import ForcestatError
from forcestat.months import next_month

__all__ = [
    "DEFAULT_SIGNIFICANCE",
    "MIN_SEASONAL_MONTHS",
    "SeasonalPattern",
    "SeasonalityError",
    "f_test_p_value",
    "seasonal_pattern",
]

MIN_SEASONAL_MONTHS = 36
# X-11 reports stable seasonality at the 0.1% level.
DEFAULT_SIGNIFICANCE = 0.001
# A month whose index is at least this far from average (5%) is said to run high or low.
DEFAULT_MATERIAL_CHANGE = 0.05

METHOD = (
    "classical decomposition: ratio to (or difference from) a centred 2x12 moving "
    "average; seasonal indices are month-of-year means of those, normalised; stable "
    "seasonality by one-way analysis of variance by calendar month (X-11 F test)"
)


class SeasonalityError(ForcestatError):
    """The series cannot be tested for a month-of-year pattern as given."""


@dataclass(frozen=True)
class SeasonalPattern:
    """The month-of-year pattern of a series and the series adjusted for it.

    ``indices`` run January to December: ratios averaging 1 (``model`` 'multiplicative')
    or differences summing to 0 ('additive'). ``high_months`` / ``low_months`` are
    month numbers (1-12) whose index is at least ``material_change`` (5%) of the level
    above / below average; both are empty unless ``seasonal``. ``adjusted`` has one
    value per month of ``months``.
    """

    method: str
    model: str
    months: tuple[dt.date, ...]
    indices: tuple[float, ...]
    f_statistic: float
    p_value: float
    significance: float
    seasonal: bool
    high_months: tuple[int, ...]
    low_months: tuple[int, ...]
    adjusted: tuple[float, ...]


def _centred_moving_average(values: Sequence[float]) -> list[float | None]:
    trend: list[float | None] = [None] * len(values)
    for i in range(6, len(values) - 6):
        window = values[i - 6 : i + 7]
        trend[i] = (window[0] / 2 + math.fsum(window[1:12]) + window[12] / 2) / 12
    return trend


def _log_beta_front(x: float, a: float, b: float) -> float:
    return (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    # Modified Lentz evaluation of the continued fraction for the incomplete beta function.
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 1000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < eps:
            break
    return result


def _regularised_beta(x: float, a: float, b: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(_log_beta_front(x, a, b))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1 - front * _beta_continued_fraction(1 - x, b, a) / b


def f_test_p_value(f_statistic: float, df_between: int, df_within: int) -> float:
    """P(F >= f_statistic) for an F distribution with the given degrees of freedom.

    Example: with 2 and 2 degrees of freedom P(F >= f) = 1 / (1 + f), so
    ``f_test_p_value(3.0, 2, 2)`` is 0.25.
    """
    if math.isinf(f_statistic):
        return 0.0
    if f_statistic <= 0:
        return 1.0
    x = df_within / (df_within + df_between * f_statistic)
    return _regularised_beta(x, df_within / 2, df_between / 2)


def _anova_by_month(groups: dict[int, list[float]]) -> tuple[float, int, int]:
    everything = [v for vs in groups.values() for v in vs]
    grand = math.fsum(everything) / len(everything)
    between = math.fsum(len(vs) * (math.fsum(vs) / len(vs) - grand) ** 2 for vs in groups.values())
    within = math.fsum((v - math.fsum(vs) / len(vs)) ** 2 for vs in groups.values() for v in vs)
    df_between, df_within = len(groups) - 1, len(everything) - len(groups)
    # Rounding noise on an exactly repeating pattern must not read as variation.
    scale = max(1.0, math.fsum(v * v for v in everything))
    if within <= 1e-18 * scale:
        return (math.inf if between > 1e-18 * scale else 0.0), df_between, df_within
    return (between / df_between) / (within / df_within), df_between, df_within


def seasonal_pattern(
    months: Sequence[dt.date],
    values: Sequence[float],
    *,
    significance: float = DEFAULT_SIGNIFICANCE,
    material_change: float = DEFAULT_MATERIAL_CHANGE,
) -> SeasonalPattern:
    """Detect a stable month-of-year pattern and adjust the series for it (see module)."""
    if len(months) != len(values):
        raise SeasonalityError(f"{len(months)} months but {len(values)} values")
    if len(months) < MIN_SEASONAL_MONTHS:
        raise SeasonalityError(
            f"{len(months)} months given; a month-of-year pattern needs at least "
            f"{MIN_SEASONAL_MONTHS} (three years)"
        )
    for earlier, later in itertools.pairwise(months):
        if later != next_month(earlier):
            raise SeasonalityError(f"{later} follows {earlier}: months must be consecutive")
    multiplicative = all(v > 0 for v in values)
    trend = _centred_moving_average(values)
    groups: dict[int, list[float]] = {m: [] for m in range(1, 13)}
    for month, value, level in zip(months, values, trend, strict=True):
        if level is not None:
            groups[month.month].append(value / level if multiplicative else value - level)
    raw = [math.fsum(groups[m]) / len(groups[m]) for m in range(1, 13)]
    centre = math.fsum(raw) / 12
    indices = tuple(r / centre if multiplicative else r - centre for r in raw)
    f_statistic, df_between, df_within = _anova_by_month(groups)
    p_value = f_test_p_value(f_statistic, df_between, df_within)
    seasonal = p_value < significance
    # For the additive model "5%" is measured against the series' average level.
    threshold = material_change * (1 if multiplicative else abs(math.fsum(values) / len(values)))
    offsets = [i - 1 if multiplicative else i for i in indices]
    adjusted = tuple(
        v / indices[m.month - 1] if multiplicative else v - indices[m.month - 1]
        for m, v in zip(months, values, strict=True)
    )
    return SeasonalPattern(
        method=METHOD,
        model="multiplicative" if multiplicative else "additive",
        months=tuple(months),
        indices=indices,
        f_statistic=f_statistic,
        p_value=p_value,
        significance=significance,
        seasonal=seasonal,
        high_months=tuple(m for m in range(1, 13) if seasonal and offsets[m - 1] >= threshold),
        low_months=tuple(m for m in range(1, 13) if seasonal and offsets[m - 1] <= -threshold),
        adjusted=adjusted,
    )
