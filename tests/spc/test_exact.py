"""Exact means and sums over values as written, checked against fractions.Fraction."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from forcestat.spc.exact import as_written, exact_mean, exact_sum


def test_a_value_is_read_as_the_decimal_that_was_written() -> None:
    assert as_written(0.1) == Fraction(1, 10)
    assert as_written(1093.0) == Fraction(1093)
    # The binary float nearest 0.1 is a little more than a tenth; the decimal is not.
    assert Fraction(0.1) != Fraction(1, 10)


def test_the_mean_of_a_one_decimal_series_is_exact() -> None:
    values = [4.4, 2.8, 6.0]
    # 4.4 + 2.8 + 6.0 = 13.2 and 13.2 / 3 = 4.4, exactly.
    assert exact_mean(values) == Fraction("13.2") / 3 == Fraction("4.4")
    assert float(exact_mean(values)) == 4.4
    # Summing floats rounds at each step and lands a float's width away from it.
    assert sum(values) / 3 == 4.3999999999999995
    assert math.fsum(values) / 3 != 4.4


def test_sums_are_exact_and_refuse_what_is_not_a_number() -> None:
    assert exact_sum([0.1] * 10) == 1
    assert sum([0.1] * 10) != 1.0
    with pytest.raises(ValueError):
        as_written(math.nan)
    with pytest.raises(ValueError):
        exact_mean([])
