"""p and u charts against published worked examples, and Laney's adjustment by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from forcestat.spc.attributes import (
    ChartType,
    LaneyRule,
    attribute_limits,
    attribute_values,
    sigma_z_threshold,
)
from forcestat.spc.xmr import (
    PointType,
    Polarity,
    Rebase,
    Rule,
    RuleSettings,
    SpcError,
    SpcOptions,
    run_spc,
)

ONLY_LIMITS = RuleSettings(shift=False, trend=False, two_of_three=False)


def months_from(year: int, month: int, n: int) -> list[dt.date]:
    return [dt.date(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, 1) for i in range(n)]


# ---- p-chart: Montgomery's orange juice cans -------------------------------------------
# Montgomery, D.C. (1991) Introduction to Statistical Quality Control, 2nd ed., Wiley,
# pp. 152-155 (Example 6-1 in later editions): 30 samples of 50 cans, D nonconforming
# (the data as the R package qcc ships them, data/orangejuice.txt, trial samples).
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
ORANGE_JUICE += [8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


def test_p_chart_limits_match_montgomerys_orange_juice_example() -> None:
    # p-bar = 347 / 1500 = 0.2313. One sample of 50: sqrt(0.2313 x 0.7687 / 50)
    # = sqrt(0.003556) = 0.05963, so UCL = 0.2313 + 3 x 0.05963 = 0.4102 and
    # LCL = 0.2313 - 0.1789 = 0.0524, as the book gives them.
    assert sum(ORANGE_JUICE) == 347
    limits = attribute_limits(ChartType.P, ORANGE_JUICE, [50] * 30, laney=LaneyRule.NEVER)
    assert limits.centre == 347 / 1500
    line = limits.points[0]
    assert round(line.upl, 4) == 0.4102
    assert round(line.lpl, 4) == 0.0524
    assert line.upl == pytest.approx(347 / 1500 + 3 * math.sqrt(347 / 1500 * 1153 / 1500 / 50))
    # The 2-sigma lines at 0.2313 +/- 2 x 0.05963.
    assert round(line.upper_two_sigma, 4) == 0.3506
    assert limits.laney is False


def test_p_chart_flags_the_samples_montgomery_flags() -> None:
    # Samples 15 (22 / 50 = 0.44) and 23 (24 / 50 = 0.48) are above 0.4102: the new
    # batch of cardboard and the inexperienced operator in the book.
    options = SpcOptions(chart=ChartType.P, laney=LaneyRule.NEVER, rules=ONLY_LIMITS)
    result = run_spc(months_from(2020, 1, 30), ORANGE_JUICE, options, denominators=[50] * 30)
    outside = [i + 1 for i, p in enumerate(result.points) if p.special_cause]
    assert outside == [15, 23]
    assert result.points[14].value == 0.44
    assert (result.points[14].numerator, result.points[14].denominator) == (22, 50)


def test_auto_keeps_the_plain_p_chart_for_a_textbook_sized_sample() -> None:
    # sigma_Z is about 1.66 here: more spread than sampling (the book's special causes),
    # but under 2, so the automatic rule keeps the textbook limits.
    limits = attribute_limits(ChartType.P, ORANGE_JUICE, [50] * 30)
    assert limits.sigma_z is not None
    assert 1.6 < limits.sigma_z < 2
    assert limits.laney is False
    assert round(limits.points[0].upl, 4) == 0.4102


# ---- u-chart: Montgomery's dyed cloth ------------------------------------------------
# Montgomery (1991), pp. 183-184: nonconformities in ten rolls of dyed cloth, each roll
# so many inspection units of 50 square metres (qcc's data/dyedcloth.txt).
CLOTH_DEFECTS = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
CLOTH_UNITS = [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5]


def test_u_chart_limits_follow_each_rolls_exposure() -> None:
    # u-bar = 153 / 107.5 = 1.4233. A roll of 10 units: 3 x sqrt(1.4233 / 10) = 1.1318,
    # so limits 0.2915 to 2.5550 (the book: 0.29 and 2.55). A roll of 8 units:
    # 3 x sqrt(1.4233 / 8) = 1.2654, limits 0.1579 to 2.6886; of 13 units:
    # 3 x sqrt(1.4233 / 13) = 0.9926, limits 0.4306 to 2.4159.
    limits = attribute_limits(ChartType.U, CLOTH_DEFECTS, CLOTH_UNITS, laney=LaneyRule.NEVER)
    assert sum(CLOTH_DEFECTS) == 153 and sum(CLOTH_UNITS) == 107.5
    assert limits.centre == 153 / 107.5
    by_units = {
        n: (round(p.lpl, 4), round(p.upl, 4))
        for n, p in zip(CLOTH_UNITS, limits.points, strict=True)
    }
    assert by_units[10] == (0.2915, 2.5550)
    assert by_units[8] == (0.1579, 2.6886)
    assert by_units[13] == (0.4306, 2.4159)
    # Every roll is in control, as the book concludes.
    values = attribute_values(CLOTH_DEFECTS, CLOTH_UNITS)
    assert all(p.lpl <= v <= p.upl for v, p in zip(values, limits.points, strict=True))


def test_a_u_chart_lower_limit_stops_at_zero() -> None:
    # u-bar = 2 / 4 = 0.5 a unit; one unit: 0.5 - 3 x sqrt(0.5) < 0, so the limit is 0.
    limits = attribute_limits(ChartType.U, [1, 1], [1, 3], laney=LaneyRule.NEVER)
    assert limits.points[0].lpl == 0.0
    assert limits.points[0].upl == pytest.approx(0.5 + 3 * math.sqrt(0.5))


# ---- Laney's p' chart, worked by hand ------------------------------------------------
# 999 calls: 10,000 a month, 1,000 and 1,200 answered late in turn. p-bar = 0.11;
# one month's standard error sqrt(0.11 x 0.89 / 10000) = 0.0031289. Each month is 0.01
# from p-bar, z = +/-3.1960, beyond the plain 3-sigma limits every time.
LATE = [1000, 1200] * 6
CALLS = [10_000] * 12


def test_plain_p_chart_flags_every_month_when_denominators_are_large() -> None:
    limits = attribute_limits(ChartType.P, LATE, CALLS, laney=LaneyRule.NEVER)
    error = math.sqrt(0.11 * 0.89 / 10_000)
    assert limits.points[0].upl == pytest.approx(0.11 + 3 * error)  # 0.1194
    values = attribute_values(LATE, CALLS)
    assert all(not p.lpl <= v <= p.upl for v, p in zip(values, limits.points, strict=True))


def test_laney_widens_the_limits_by_sigma_z() -> None:
    # Every moving range of z is 2 x 3.1960 = 6.3920, so sigma_Z = 6.3920 / 1.128
    # = 5.6667, and the limits are 0.11 +/- 3 x 0.0031289 x 5.6667 = 0.11 +/- 0.05319:
    # 0.0568 to 0.1632. No month is outside them.
    limits = attribute_limits(ChartType.P, LATE, CALLS)
    z = 0.01 / math.sqrt(0.11 * 0.89 / 10_000)
    assert limits.mean_moving_range_z == pytest.approx(2 * z)
    assert limits.sigma_z == pytest.approx(2 * z / 1.128)
    assert round(limits.sigma_z or 0, 4) == 5.6667
    assert limits.laney is True  # sigma_Z of 5.67 is beyond 2
    assert round(limits.points[0].upl, 4) == 0.1632
    assert round(limits.points[0].lpl, 4) == 0.0568
    values = attribute_values(LATE, CALLS)
    assert all(p.lpl <= v <= p.upl for v, p in zip(values, limits.points, strict=True))
    never = attribute_limits(ChartType.P, LATE, CALLS, laney=LaneyRule.NEVER)
    assert never.sigma_z == limits.sigma_z and never.laney is False


def test_laney_always_applies_even_when_sigma_z_is_small() -> None:
    limits = attribute_limits(ChartType.P, ORANGE_JUICE, [50] * 30, laney=LaneyRule.ALWAYS)
    sigma_z = limits.sigma_z or 0
    assert limits.laney is True
    plain = attribute_limits(ChartType.P, ORANGE_JUICE, [50] * 30, laney=LaneyRule.NEVER)
    # The spread from the centre grows by sigma_Z exactly.
    assert limits.points[0].upl - limits.centre == pytest.approx(
        sigma_z * (plain.points[0].upl - plain.centre)
    )


def test_the_automatic_threshold_is_two_or_what_chance_allows_a_short_series() -> None:
    # 1 + 3 x 0.909 / sqrt(k): 2.3635 for 4 moving ranges, 1.9090 for 9 (so 2 rules).
    assert sigma_z_threshold(4) == pytest.approx(1 + 3 * 0.909 / 2)
    assert sigma_z_threshold(9) == 2.0
    assert sigma_z_threshold(59) == 2.0
    # Three months of the 999 example: sigma_Z 5.67 is above 1 + 3 x 0.909 / sqrt(2).
    assert attribute_limits(ChartType.P, LATE[:3], CALLS[:3]).laney is True


# ---- the chart: exact centre lines, rules, validation -----------------------------------


def test_a_month_at_the_centre_line_is_on_it_in_per_cent() -> None:
    # Seven per cent every month: 7 / 100 x 100 is 7.000000000000001 in floats, and the
    # month would read as above a centre of 700 / 10000 x 100 = 7.0; exactly, both are 7.
    assert 7 / 100 * 100 != 7.0
    options = SpcOptions(chart=ChartType.P, per=100)
    result = run_spc(months_from(2021, 1, 8), [7] * 8, options, denominators=[100] * 8)
    assert {p.value for p in result.points} == {7.0}
    assert result.segments[0].limits.mean == 7.0
    assert result.special_causes == ()


def test_rules_read_each_months_own_limits() -> None:
    # 70 of 400 in month 2, 1 of 50 in the others: p-bar = 74 / 600 = 0.12333, and
    # p-bar x (1 - p-bar) = 0.10812. Month 2: 0.12333 + 3 x sqrt(0.10812 / 400)
    # = 0.12333 + 0.04932 = 0.17266, and 70 / 400 = 0.175 is above it. A month of 50
    # has 0.12333 + 3 x sqrt(0.10812 / 50) = 0.26284, which 0.175 would be inside, and
    # a lower limit below zero, so 0; its 1 / 50 = 0.02 is inside.
    denominators = [50, 400, 50, 50, 50]
    options = SpcOptions(
        chart=ChartType.P, laney=LaneyRule.NEVER, rules=ONLY_LIMITS, polarity=Polarity.LOWER
    )
    result = run_spc(months_from(2021, 1, 5), [1, 70, 1, 1, 1], options, denominators=denominators)
    assert round(result.points[1].upl, 5) == 0.17266
    assert round(result.points[0].upl, 5) == 0.26284
    assert result.points[0].lpl == 0.0
    assert [p.special_cause for p in result.points] == [False, True, False, False, False]
    assert result.points[1].rules == (Rule.OUTSIDE_LIMITS,)
    assert result.points[1].point_type is PointType.CONCERN
    assert result.variation is PointType.COMMON_CAUSE  # the latest month is inside


def test_each_segment_has_its_own_centre_line() -> None:
    rebase = Rebase(dt.date(2021, 4, 1), "New recording system", "analyst", dt.datetime(2022, 1, 1))
    options = SpcOptions(chart=ChartType.U, per=1000, rebases=(rebase,))
    result = run_spc(
        months_from(2021, 1, 6),
        [10, 12, 11, 20, 22, 21],
        options,
        denominators=[10_000] * 6,
    )
    first, second = result.segments
    # 33 / 30,000 x 1,000 = 1.1 a thousand; then 63 / 30,000 x 1,000 = 2.1.
    assert first.limits.mean == 1.1
    assert second.limits.mean == 2.1
    assert result.points[0].value == 1.0


@pytest.mark.parametrize(
    ("numerators", "denominators", "chart", "message"),
    [
        ([5, 60], [50, 50], ChartType.P, "2021-02: 60 of 50 is more than all of them"),
        ([5, 6], [50, 0], ChartType.U, "2021-02: denominator 0 is not a positive number"),
        ([5, -1], [50, 50], ChartType.U, "2021-02: count -1 is negative"),
        ([5, 6], None, ChartType.P, "a p-chart needs a denominator for every month"),
        ([5, 6], [50], ChartType.P, "2 values but 1 denominators"),
        ([5, 6], [50, 50], ChartType.XMR, "denominators are given but an XmR chart uses none"),
    ],
)
def test_bad_attribute_input_is_refused_with_the_month(
    numerators: list[float],
    denominators: list[float] | None,
    chart: ChartType,
    message: str,
) -> None:
    with pytest.raises(SpcError, match=message):
        run_spc(
            months_from(2021, 1, 2),
            numerators,
            SpcOptions(chart=chart),
            denominators=denominators,
        )
