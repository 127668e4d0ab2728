"""Month-of-year patterns: indices, the stable-seasonality test and the adjusted series."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcestat.spc.seasonality import (
    SeasonalityError,
    f_test_p_value,
    seasonal_pattern,
)
from forcestat.spc.xmr import run_spc


def months(n: int, start: int = 2019) -> list[dt.date]:
    return [dt.date(start + i // 12, i % 12 + 1, 1) for i in range(n)]


def test_a_december_peak_is_found_and_adjusted_away() -> None:
    # 100 a month, 130 in December, three years. Every centred 2x12 window holds one
    # December's worth of weight (two half-weighted Decembers when centred on June), so
    # the trend is 100 + 30/12 = 102.5 throughout. Ratios: 130/102.5 in December and
    # 100/102.5 otherwise, which already average 1. Adjusted: every month 102.5.
    ms = months(36)
    values = [130.0 if m.month == 12 else 100.0 for m in ms]
    pattern = seasonal_pattern(ms, values)
    assert pattern.model == "multiplicative"
    assert pattern.indices[11] == pytest.approx(130 / 102.5)
    assert pattern.indices[:11] == pytest.approx([100 / 102.5] * 11)
    assert pattern.adjusted == pytest.approx([102.5] * 36)
    # No month-to-month noise at all: the F test cannot miss it.
    assert pattern.seasonal and pattern.p_value == 0.0
    assert pattern.high_months == (12,)
    assert pattern.low_months == ()
    assert "2x12 moving average" in pattern.method


def test_the_adjusted_series_is_not_read_as_special_cause() -> None:
    ms = months(48)
    values = [130.0 if m.month == 12 else 100.0 + (i % 2) for i, m in enumerate(ms)]
    raw = run_spc(ms, values)
    assert any(p.special_cause for p in raw.points if p.month.month == 12)
    adjusted = run_spc(ms, seasonal_pattern(ms, values).adjusted)
    assert not any(p.special_cause for p in adjusted.points if p.month.month == 12)


def test_winter_months_run_high_with_noise() -> None:
    # Level 200; October to January +20%, June to August -10%; a repeating wobble of
    # +/-2 that has nothing to do with the calendar month.
    effect = {10: 1.2, 11: 1.2, 12: 1.2, 1: 1.2, 6: 0.9, 7: 0.9, 8: 0.9}
    ms = months(60)
    values = [200 * effect.get(m.month, 1.0) + (2 if i % 5 < 2 else -2) for i, m in enumerate(ms)]
    pattern = seasonal_pattern(ms, values)
    assert pattern.seasonal and pattern.p_value < 0.001
    assert pattern.high_months == (1, 10, 11, 12)
    assert pattern.low_months == (6, 7, 8)


def test_zero_or_negative_values_use_the_additive_model() -> None:
    ms = months(36)
    values = [10.0 if m.month == 7 else -2.0 for m in ms]
    pattern = seasonal_pattern(ms, values)
    assert pattern.model == "additive"
    # Trend: -2 + 12/12 = -1 everywhere; July is 11 above it, the rest 1 below.
    assert pattern.indices[6] == pytest.approx(11.0)
    assert pattern.indices[0] == pytest.approx(-1.0)
    assert sum(pattern.indices) == pytest.approx(0.0)
    assert pattern.adjusted == pytest.approx([-1.0] * 36)


@given(
    start=st.floats(min_value=20, max_value=1000),
    slope=st.floats(min_value=-0.2, max_value=5),
    n=st.integers(min_value=36, max_value=96),
)
def test_a_straight_line_has_no_seasonal_pattern(start: float, slope: float, n: int) -> None:
    # A centred moving average of a straight line is the line itself: every ratio is 1.
    # (start >= 20 keeps the line above zero, so the multiplicative model applies.)
    values = [start + slope * i for i in range(n)]
    pattern = seasonal_pattern(months(n), values)
    assert pattern.indices == pytest.approx([1.0] * 12)
    assert pattern.adjusted == pytest.approx(values)
    assert not pattern.seasonal
    assert pattern.high_months == pattern.low_months == ()


@pytest.mark.parametrize(
    ("f", "d1", "d2", "p"),
    [
        (3.0, 2, 2, 0.25),  # F(2, 2): P(F >= f) = 1 / (1 + f)
        (1.0, 2, 2, 0.5),
        (9.0, 2, 2, 0.1),
        (4.0, 1, 10, 0.07339),  # = P(|t_10| >= 2), from t tables
        (0.0, 11, 24, 1.0),
    ],
)
def test_f_test_p_value(f: float, d1: int, d2: int, p: float) -> None:
    assert f_test_p_value(f, d1, d2) == pytest.approx(p, abs=1e-5)


def test_short_or_broken_series_are_refused() -> None:
    with pytest.raises(SeasonalityError, match="at least 36"):
        seasonal_pattern(months(35), [1.0] * 35)
    gappy = months(37)
    del gappy[5]
    with pytest.raises(SeasonalityError, match="consecutive"):
        seasonal_pattern(gappy, [1.0] * 36)
