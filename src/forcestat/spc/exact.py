"""Exact arithmetic for centre lines and limits, rounded to a float once.

Summing floats one by one rounds at every step, so the mean of 4.4, 2.8 and 6.0 comes
out as 4.3999999999999995 and the month at 4.4 reads as below its own mean: a shift
that is not there. Here each value is read as the shortest decimal that gives the float
back (``repr``: what the CSV or the store held, 4.4 rather than the binary fraction
4.40000000000000035527...), the arithmetic is done on those decimals with ``fractions.Fraction``, and the result is
rounded to the nearest float once. A month equal to the mean, or to a limit, in the
figures as written, then compares equal to it.

Example:
    >>> sum([4.4, 2.8, 6.0]) / 3
    4.3999999999999995
    >>> float(exact_mean([4.4, 2.8, 6.0]))
    4.4
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

__all__ = ["as_written", "exact_mean", "exact_sum"]


def as_written(value: float) -> Fraction:
    """``value`` as the shortest decimal that round-trips to it, exactly.

    Example:
        >>> as_written(0.1)
        Fraction(1, 10)
    """
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    return Fraction(repr(float(value)))


def exact_sum(values: Iterable[float]) -> Fraction:
    """The sum of ``values`` as written, with no rounding."""
    return sum((as_written(v) for v in values), Fraction(0))


def exact_mean(values: Sequence[float]) -> Fraction:
    """The mean of ``values`` as written, with no rounding."""
    if not values:
        raise ValueError("the mean of no values")
    return exact_sum(values) / len(values)
