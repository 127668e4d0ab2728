"""Invariants of the XmR chart that must hold for any series."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forcestat.spc.attributes import ChartType, LaneyRule, attribute_limits
from forcestat.spc.xmr import (
    AssuranceType,
    PointType,
    Polarity,
    Rule,
    SpcOptions,
    process_limits,
    run_spc,
)

SWAPPED = {
    PointType.COMMON_CAUSE: PointType.COMMON_CAUSE,
    PointType.IMPROVEMENT: PointType.CONCERN,
    PointType.CONCERN: PointType.IMPROVEMENT,
}
ASSURANCE_SWAPPED = {
    AssuranceType.CONSISTENT_PASS: AssuranceType.CONSISTENT_FAIL,
    AssuranceType.CONSISTENT_FAIL: AssuranceType.CONSISTENT_PASS,
    AssuranceType.INCONSISTENT: AssuranceType.INCONSISTENT,
}


def months(n: int) -> list[dt.date]:
    return [dt.date(2015 + i // 12, i % 12 + 1, 1) for i in range(n)]


counts = st.lists(st.integers(min_value=0, max_value=5_000), min_size=2, max_size=80)
screen = st.booleans()


@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    n=st.integers(min_value=2, max_value=80),
    screen=screen,
)
def test_a_constant_series_flags_nothing(value: float, n: int, screen: bool) -> None:
    result = run_spc(months(n), [value] * n, SpcOptions(screen_moving_ranges=screen))
    assert all(p.point_type is PointType.COMMON_CAUSE for p in result.points)
    assert result.special_causes == ()
    assert result.variation is PointType.COMMON_CAUSE


@given(values=counts, shift=st.integers(min_value=-10_000, max_value=10_000), screen=screen)
def test_adding_a_constant_moves_the_limits_by_that_constant(
    values: list[int], shift: int, screen: bool
) -> None:
    before = process_limits(values, screen=screen)
    after = process_limits([v + shift for v in values], screen=screen)
    for field in ("mean", "lpl", "upl", "lower_two_sigma", "upper_two_sigma"):
        assert getattr(after, field) == pytest.approx(getattr(before, field) + shift, abs=1e-6)
    assert after.mean_moving_range == pytest.approx(before.mean_moving_range)


@given(values=counts, screen=screen)
def test_limits_are_symmetric_about_the_mean(values: list[int], screen: bool) -> None:
    limits = process_limits(values, screen=screen)
    assert limits.upl - limits.mean == pytest.approx(limits.mean - limits.lpl)
    assert limits.lpl <= limits.lower_two_sigma <= limits.mean <= limits.upper_two_sigma
    assert limits.upper_two_sigma <= limits.upl


@given(values=counts, target=st.integers(min_value=0, max_value=5_000))
def test_reversing_polarity_swaps_improvement_and_concern(values: list[int], target: int) -> None:
    higher = run_spc(months(len(values)), values, SpcOptions(Polarity.HIGHER, target=target))
    lower = run_spc(months(len(values)), values, SpcOptions(Polarity.LOWER, target=target))
    assert [SWAPPED[p.point_type] for p in higher.points] == [p.point_type for p in lower.points]
    assert higher.special_causes == lower.special_causes
    assert higher.assurance is not None and lower.assurance is not None
    assert ASSURANCE_SWAPPED[higher.assurance] is lower.assurance


@settings(max_examples=200)
@given(
    noise=st.lists(st.floats(min_value=-1, max_value=1), min_size=20, max_size=60),
    step_at=st.integers(min_value=12, max_value=52),
    sigma=st.floats(min_value=0.5, max_value=500),
    upwards=st.booleans(),
)
def test_a_sustained_step_of_four_sigma_is_a_shift(
    noise: list[float], step_at: int, sigma: float, upwards: bool
) -> None:
    # Noise stays within +/- sigma around 1,000; eight months move by 4 sigma. With at
    # least 20 months the mean moves at most 4 sigma x 8/20 = 1.6 sigma, so every
    # stepped month (at least 3 sigma out) lies beyond the mean: a shift of 8 or more.
    step_at = min(step_at, len(noise) - 8)
    sign = 1 if upwards else -1
    values = [
        1_000 + sigma * e + (sign * 4 * sigma if step_at <= i < step_at + 8 else 0)
        for i, e in enumerate(noise)
    ]
    result = run_spc(months(len(values)), values)
    stepped = result.points[step_at : step_at + 8]
    assert all(Rule.SHIFT in p.rules for p in stepped)
    expected = PointType.NEUTRAL_HIGH if upwards else PointType.NEUTRAL_LOW
    shifts = [c for c in result.special_causes if c.rule is Rule.SHIFT]
    assert any(set(c.months) >= {p.month for p in stepped} for c in shifts)
    assert all(p.point_type is expected for p in stepped if p.rules == (Rule.SHIFT,))


# ---- p and u charts --------------------------------------------------------------------

trials = st.lists(
    st.tuples(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=500)),
    min_size=2,
    max_size=60,
)


@given(rows=trials, laney=st.sampled_from(list(LaneyRule)))
@settings(max_examples=60, deadline=None)
def test_p_chart_lines_are_ordered_inside_zero_and_one(
    rows: list[tuple[int, int]], laney: LaneyRule
) -> None:
    numerators = [min(x, n) for x, n in rows]
    denominators = [n for _, n in rows]
    limits = attribute_limits(ChartType.P, numerators, denominators, laney=laney)
    for line in limits.points:
        assert 0 <= line.lpl <= line.lower_two_sigma <= line.mean
        assert line.mean <= line.upper_two_sigma <= line.upl <= 1


@given(rows=trials)
@settings(max_examples=60, deadline=None)
def test_the_automatic_rule_never_narrows_the_plain_limits(rows: list[tuple[int, int]]) -> None:
    numerators = [x for x, _ in rows]
    exposure = [n for _, n in rows]
    plain = attribute_limits(ChartType.U, numerators, exposure, laney=LaneyRule.NEVER)
    auto = attribute_limits(ChartType.U, numerators, exposure)
    assert auto.centre == plain.centre
    for wide, narrow in zip(auto.points, plain.points, strict=True):
        assert wide.upl >= narrow.upl and wide.lpl <= narrow.lpl


@given(
    ratio=st.integers(min_value=0, max_value=20),
    sizes=st.lists(st.integers(min_value=1, max_value=50), min_size=2, max_size=40),
)
@settings(max_examples=60, deadline=None)
def test_a_steady_proportion_is_on_its_centre_line_every_month(
    ratio: int, sizes: list[int]
) -> None:
    # ratio / 20 of every month's cases: each month equals the pooled p-bar exactly.
    numerators = [ratio * n for n in sizes]
    denominators = [20 * n for n in sizes]
    options = SpcOptions(chart=ChartType.P, per=100)
    result = run_spc(months(len(sizes)), numerators, options, denominators=denominators)
    assert all(p.value == p.mean for p in result.points)
    assert result.special_causes == ()
