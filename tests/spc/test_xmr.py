"""XmR limits and the Making Data Count rules, on series worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from forcestat.spc.xmr import (
    AssuranceType,
    BaselinePeriod,
    Direction,
    PointType,
    Polarity,
    ProcessLimits,
    Rebase,
    Rule,
    RuleSettings,
    SpcError,
    SpcOptions,
    SpcPoint,
    TrendTies,
    assurance_type,
    find_shifts,
    process_limits,
    run_spc,
)

STREET = Path(__file__).resolve().parents[2] / "data" / "sample" / "policeuk" / "street"

ONLY_SHIFT = RuleSettings(outside_limits=False, trend=False, two_of_three=False)
ONLY_TREND = RuleSettings(outside_limits=False, shift=False, two_of_three=False)


def months_from(year: int, month: int, n: int) -> list[dt.date]:
    return [dt.date(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, 1) for i in range(n)]


def flagged(points: Sequence[SpcPoint]) -> list[int]:
    return [i for i, p in enumerate(points) if p.special_cause]


# ---- limits ---------------------------------------------------------------------------

GOLDEN = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_golden_limits_with_screening() -> None:
    # 18 points summing to 35 (nine 1s, eight 2s and the 10): mean 35/18 = 1.944.
    # Moving ranges: 1, 1, 1, 8, 9, then twelve 1s: 17 ranges summing to 32, mean 1.882.
    # Screen: 3.267 x 1.882 = 6.149, so 8 and 9 are dropped; 15 ranges of 1 -> mean 1.
    # Limits: 1.944 +/- 2.66 x 1 = 4.60 and -0.72.
    limits = process_limits(GOLDEN)
    assert limits.mean == pytest.approx(35 / 18)
    assert round(limits.mean, 2) == 1.94
    assert limits.mean_moving_range == pytest.approx(1.0)
    assert (limits.moving_ranges_used, limits.moving_ranges_excluded) == (15, 2)
    assert round(limits.upl, 2) == 4.60
    assert round(limits.lpl, 2) == -0.72
    # 2-sigma lines at two thirds of 2.66: 1.944 +/- 1.773.
    assert limits.upper_two_sigma == pytest.approx(35 / 18 + 2.66 * 2 / 3)
    assert limits.lower_two_sigma == pytest.approx(35 / 18 - 2.66 * 2 / 3)


def test_golden_limits_without_screening() -> None:
    # Mean moving range 32/17 = 1.882; 2.66 x 1.882 = 5.007; 1.944 +/- 5.007.
    limits = process_limits(GOLDEN, screen=False)
    assert limits.mean_moving_range == pytest.approx(32 / 17)
    assert round(limits.upl, 2) == 6.95
    assert round(limits.lpl, 2) == -3.06
    assert limits.moving_ranges_excluded == 0


# Eight one-decimal months summing to 31.2 (2.2 + 0.9 + 1.5 + 3.9 + 0.9 + 3.1 + 1.6 +
# 17.1), so the exact mean is 31.2 / 8 = 3.9, the fourth month's own value.
ON_THE_MEAN = [2.2, 0.9, 1.5, 3.9, 0.9, 3.1, 1.6, 17.1]


def test_the_mean_is_exact_so_a_month_on_it_is_not_below_it() -> None:
    exact = sum(Fraction(repr(v)) for v in ON_THE_MEAN) / len(ON_THE_MEAN)
    assert exact == Fraction("3.9")
    # Naive summation, and even fsum then a division, land one float step above 3.9 ...
    naive = sum(ON_THE_MEAN) / 8
    assert naive == math.fsum(ON_THE_MEAN) / 8 == 3.9000000000000004
    # ... which reads 3.9 as below the mean and makes the first seven months a shift.
    assert [r.indexes for r in find_shifts(ON_THE_MEAN, naive, 7)] == [tuple(range(7))]
    result = run_spc(months_from(2023, 1, 8), ON_THE_MEAN, SpcOptions(rules=ONLY_SHIFT))
    assert result.segments[0].limits.mean == 3.9
    assert result.points[3].value == result.points[3].mean
    assert result.special_causes == ()  # 3.9 is on the mean and breaks the run


def test_limits_and_moving_ranges_are_exact_too() -> None:
    # 10.1, 10.2 alternating: mean 10.15, every moving range 0.1, so the limits are
    # 10.15 +/- 2.66 x 0.1 = 10.416 and 9.884; the upper 2-sigma line 10.15 + 0.266 x 2/3.
    limits = process_limits([10.1, 10.2] * 6)
    assert limits.mean == 10.15
    assert limits.mean_moving_range == 0.1
    assert limits.upl == 10.416
    assert limits.lpl == 9.884
    assert limits.upper_two_sigma == float(Fraction("10.15") + Fraction("0.266") * 2 / 3)
    # Float arithmetic gives 10.149999999999999, 0.09999999999999964 and 10.415999999999997.
    assert 10.2 - 10.1 != 0.1
    result = run_spc(months_from(2023, 1, 12), [10.1, 10.2] * 6)
    assert {p.moving_range for p in result.points[1:]} == {0.1}


@pytest.mark.parametrize("screen", [True, False])
def test_golden_series_flags_only_the_ten(screen: bool) -> None:
    # 10 is above both upper limits (4.60, 6.95). The 1s and 2s alternate either side of
    # 1.944, so no shift, no trend, and none passes the 2-sigma line (3.72 screened).
    result = run_spc(months_from(2023, 1, 18), GOLDEN, SpcOptions(screen_moving_ranges=screen))
    assert flagged(result.points) == [4]
    assert result.points[4].rules == (Rule.OUTSIDE_LIMITS,)
    assert result.points[4].point_type is PointType.NEUTRAL_HIGH
    assert result.variation is PointType.COMMON_CAUSE


def test_baseline_fixes_limits_on_first_points() -> None:
    # First 12: 5, 6 alternating -> mean 5.5, every moving range 1 -> limits 5.5 +/- 2.66.
    values = [5, 6] * 6 + [20, 20, 20]
    result = run_spc(months_from(2022, 1, 15), values, SpcOptions(baseline_points=12))
    limits = result.segments[0].limits
    assert (limits.mean, limits.mean_moving_range, limits.points_used) == (5.5, 1.0, 12)
    assert limits.upl == pytest.approx(8.16)
    # The three later points of 20 lie above 8.16.
    assert flagged(result.points) == [12, 13, 14]
    assert result.points[12].rules[0] is Rule.OUTSIDE_LIMITS


def test_baseline_shorter_than_twelve_is_refused() -> None:
    with pytest.raises(SpcError, match="at least 12"):
        run_spc(months_from(2022, 1, 20), [1.0] * 20, SpcOptions(baseline_points=11))


# 2016: 20, 22 alternating; 2017: 5, 6 alternating; January to June 2018: 5, 6 again.
NAMED = [20, 22] * 6 + [5, 6] * 6 + [5, 6] * 3
YEAR_2017 = BaselinePeriod(dt.date(2017, 1, 1), dt.date(2017, 12, 1))


def test_baseline_period_fixes_limits_on_the_named_months() -> None:
    # Limits from 2017 alone: mean (6 x 5 + 6 x 6) / 12 = 5.5; its 11 moving ranges are
    # all 1, so the mean moving range is 1 and none is screened (3.267 x 1 > 1).
    # UPL 5.5 + 2.66 = 8.16, LPL 5.5 - 2.66 = 2.84, for every month of the series.
    result = run_spc(months_from(2016, 1, 30), NAMED, SpcOptions(baseline_period=YEAR_2017))
    (segment,) = result.segments
    assert segment.baseline == YEAR_2017
    limits = segment.limits
    assert (limits.mean, limits.mean_moving_range, limits.points_used) == (5.5, 1.0, 12)
    assert (limits.lpl, limits.upl) == (pytest.approx(2.84), pytest.approx(8.16))
    assert {(p.lpl, p.upl) for p in result.points} == {(limits.lpl, limits.upl)}
    # All twelve months of 2016 (20 and 22) lie above 8.16; 2017 and 2018 alternate
    # either side of 5.5 inside the limits.
    assert flagged(result.points) == list(range(12))
    assert {r for p in result.points[:12] for r in p.rules} >= {Rule.OUTSIDE_LIMITS}
    # The first 12 points instead (2016): mean 21, moving ranges 2, LPL 21 - 5.32 = 15.68.
    first_twelve = run_spc(months_from(2016, 1, 30), NAMED, SpcOptions(baseline_points=12))
    assert first_twelve.segments[0].limits.lpl == pytest.approx(15.68)
    assert first_twelve.segments[0].baseline == BaselinePeriod(
        dt.date(2016, 1, 1), dt.date(2016, 12, 1)
    )


def test_baseline_period_applies_to_its_own_segment_only() -> None:
    # 2021: 5, 6 (mean 5.5, moving ranges 1); 2022: 20, 22; 2023: 30, 32. Rebased at
    # 2022-01 with the baseline 2022: segment 1 has mean 21 and moving ranges 2 (the
    # 22 -> 30 step is outside the baseline), so UPL 21 + 5.32 = 26.32 and every point
    # of 2023 lies above it. Segment 0 rests on all its own 12 points.
    values = [5, 6] * 6 + [20, 22] * 6 + [30, 32] * 6
    rebase = Rebase(
        dt.date(2022, 1, 1), "new recording rules", "A. Analyst", dt.datetime(2024, 1, 1)
    )
    period = BaselinePeriod(dt.date(2022, 1, 1), dt.date(2022, 12, 1))
    result = run_spc(
        months_from(2021, 1, 36), values, SpcOptions(baseline_period=period, rebases=(rebase,))
    )
    first, second = result.segments
    assert (first.limits.mean, first.limits.mean_moving_range) == (5.5, 1.0)
    assert first.baseline == BaselinePeriod(dt.date(2021, 1, 1), dt.date(2021, 12, 1))
    assert (second.limits.mean, second.limits.mean_moving_range) == (21.0, 2.0)
    assert second.limits.upl == pytest.approx(26.32)
    assert second.baseline == period
    assert all(Rule.OUTSIDE_LIMITS in p.rules for p in result.points[24:])


def _month(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


@pytest.mark.parametrize(
    ("first", "last", "baseline_points", "rebase", "message"),
    [
        ("2017-01", "2017-11", None, None, "2017-01 to 2017-11 has 11 months: .* at least 12"),
        ("2015-01", "2016-12", None, None, r"not inside the series \(2016-01 to 2018-06\)"),
        ("2018-01", "2018-12", None, None, "not inside the series"),
        ("2017-12", "2017-01", None, None, "ends before it starts"),
        ("2017-01", "2017-12", 12, None, "a baseline of 12 points and the baseline period"),
        ("2017-01", "2017-12", None, "2017-07", "spans the rebase at 2017-07"),
    ],
)
def test_unusable_baseline_periods_are_refused(
    first: str, last: str, baseline_points: int | None, rebase: str | None, message: str
) -> None:
    rebases = () if rebase is None else (Rebase(_month(rebase), "x", "y", dt.datetime(2024, 1, 1)),)
    options = SpcOptions(
        baseline_points=baseline_points,
        baseline_period=BaselinePeriod(_month(first), _month(last)),
        rebases=rebases,
    )
    with pytest.raises(SpcError, match=message):
        run_spc(months_from(2016, 1, 30), NAMED, options)


def test_fewer_than_thirteen_points_gives_trial_limits() -> None:
    twelve = run_spc(months_from(2022, 1, 12), [5, 6] * 6)
    thirteen = run_spc(months_from(2022, 1, 13), [5, 6] * 6 + [5])
    assert twelve.segments[0].trial_limits
    assert twelve.warnings and "trial limits" in twelve.warnings[0]
    assert "12 points" in twelve.warnings[0]
    assert not thirteen.segments[0].trial_limits
    assert thirteen.warnings == ()


# ---- shift ----------------------------------------------------------------------------


def test_shift_run_of_six_is_not_flagged_and_seven_is() -> None:
    # 3,4 x3 (6 points) then 6,7,6,7,6,7,6 (7 points): sum 21 + 45 = 66, mean 5.08.
    values = [3, 4] * 3 + [6, 7] * 3 + [6]
    result = run_spc(months_from(2022, 1, 13), values, SpcOptions(rules=ONLY_SHIFT))
    assert flagged(result.points) == list(range(6, 13))
    assert {p.point_type for p in result.points[6:]} == {PointType.NEUTRAL_HIGH}
    assert [c.months[0] for c in result.special_causes] == [dt.date(2022, 7, 1)]


def test_point_on_the_mean_breaks_a_shift() -> None:
    # Above: 6,7,6,7 | 5 | 7,6,7,6 (sum 57); below: 3,4,3,4,3,4,4,4,4 (sum 33).
    # 18 points sum 90: the mean is exactly 5, so the 5 sits on it and splits the nine
    # months above into two runs of 4. The nine below form one shift.
    values = [6, 7, 6, 7, 5, 7, 6, 7, 6, 3, 4, 3, 4, 3, 4, 4, 4, 4]
    result = run_spc(months_from(2022, 1, 18), values, SpcOptions(rules=ONLY_SHIFT))
    assert result.segments[0].limits.mean == 5.0
    assert flagged(result.points) == list(range(9, 18))
    short = run_spc(
        months_from(2022, 1, 18),
        values,
        SpcOptions(
            rules=RuleSettings(
                outside_limits=False, shift_length=4, trend=False, two_of_three=False
            )
        ),
    )
    assert flagged(short.points) == [0, 1, 2, 3, *range(5, 18)]


# ---- trend ----------------------------------------------------------------------------


def test_trend_ties_setting_reaches_the_chart() -> None:
    values = [10, 11, 12, 12, 13, 14, 15, 16, 12, 13, 12, 13, 12]
    default = run_spc(months_from(2022, 1, 13), values, SpcOptions(rules=ONLY_TREND))
    ignoring = run_spc(
        months_from(2022, 1, 13),
        values,
        SpcOptions(
            rules=RuleSettings(
                outside_limits=False, shift=False, trend_ties=TrendTies.IGNORE, two_of_three=False
            )
        ),
    )
    assert flagged(default.points) == []
    assert flagged(ignoring.points) == list(range(8))


def test_peak_between_two_trends_takes_the_later_run() -> None:
    # Rising 1..7 then falling 7..1: the 7 ends one trend and starts the other.
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    result = run_spc(
        months_from(2022, 1, 13), values, SpcOptions(Polarity.HIGHER, rules=ONLY_TREND)
    )
    assert result.points[5].point_type is PointType.IMPROVEMENT
    assert len(result.points[6].signals) == 2
    assert result.points[6].point_type is PointType.CONCERN
    assert result.points[7].point_type is PointType.CONCERN


# ---- several rules on one point, icons ------------------------------------------------

# 20 points alternating 10, 11 (sum 210), then a decaying spike 40, 38, ..., 28 (sum 238).
# Mean 448 / 27 = 16.59. Moving ranges: nineteen 1s, 29 (11 -> 40), six 2s: 60 / 26 = 2.31;
# 3.267 x 2.31 = 7.54 drops the 29, leaving 31 / 25 = 1.24. UPL = 16.59 + 3.30 = 19.89.
# The last seven points are above the UPL, above the mean and strictly falling.
SPIKE = [10, 11] * 10 + [40, 38, 36, 34, 32, 30, 28]


def test_conflicting_flags_report_every_rule_and_label_by_priority() -> None:
    result = run_spc(months_from(2020, 1, 27), SPIKE, SpcOptions(Polarity.LOWER))
    assert result.segments[0].limits.upl == pytest.approx(448 / 27 + 2.66 * 1.24)
    latest = result.latest
    assert latest.rules == (Rule.OUTSIDE_LIMITS, Rule.TREND, Rule.SHIFT)
    # Outside limits (above: a concern when lower is better) outranks the falling trend.
    assert latest.point_type is PointType.CONCERN
    higher = run_spc(months_from(2020, 1, 27), SPIKE, SpcOptions(Polarity.HIGHER))
    assert higher.latest.point_type is PointType.IMPROVEMENT
    assert higher.variation is PointType.IMPROVEMENT
    neutral = run_spc(months_from(2020, 1, 27), SPIKE)
    assert neutral.variation is PointType.NEUTRAL_HIGH


def test_the_variation_icon_never_contradicts_the_latest_point() -> None:
    # The icon summarises the latest point (Making Data Count), so it takes the type that
    # colours that point: here above the upper limit in a falling trend, lower is better.
    # The point is orange (a concern, by the outside-limits rule), so the icon is too,
    # not the improvement the falling trend alone would say.
    result = run_spc(months_from(2020, 1, 27), SPIKE, SpcOptions(Polarity.LOWER))
    assert result.latest.point_type is PointType.CONCERN
    assert result.variation is PointType.CONCERN
    assert result.variation is result.latest.point_type


def test_the_icon_follows_a_shift_at_the_latest_point() -> None:
    # Twelve months alternating 9, 11 (sum 120), then seven alternating 11.5, 11.6 (sum
    # 80.8): mean 200.8 / 19 = 10.57; moving ranges eleven 2s, 0.5 and six 0.1s, mean
    # 23.1 / 18 = 1.28, so UPL 10.57 + 3.41 = 13.98 and upper 2-sigma 12.84. The last
    # seven are above the mean, below both lines and not rising: only the shift rule
    # flags them. Lower is better: a concern, point and icon alike.
    values = [9.0, 11.0] * 6 + [11.5, 11.6, 11.5, 11.6, 11.5, 11.6, 11.5]
    result = run_spc(months_from(2021, 1, 19), values, SpcOptions(Polarity.LOWER))
    assert result.latest.rules == (Rule.SHIFT,)
    assert result.latest.point_type is PointType.CONCERN
    assert result.variation is PointType.CONCERN
    # No special cause at the latest point: common cause, whatever came before.
    calm = run_spc(months_from(2021, 1, 20), [*values, 10.0], SpcOptions(Polarity.LOWER))
    assert calm.latest.signals == ()
    assert calm.variation is PointType.COMMON_CAUSE


def test_rules_can_be_switched_off() -> None:
    off = RuleSettings(outside_limits=False, shift=False, trend=False, two_of_three=False)
    result = run_spc(months_from(2020, 1, 27), SPIKE, SpcOptions(rules=off))
    assert flagged(result.points) == []
    assert result.special_causes == ()


# Mean 0, 2-sigma lines at +/-2, process limits at +/-3.
UNIT_LIMITS = ProcessLimits(0.0, 3 / 2.66, -3.0, 3.0, -2.0, 2.0, 12, 11, 0)


@pytest.mark.parametrize(
    ("target", "polarity", "expected"),
    [
        (4.0, Polarity.HIGHER, AssuranceType.CONSISTENT_FAIL),  # above the UPL of 3
        (4.0, Polarity.LOWER, AssuranceType.CONSISTENT_PASS),
        (-4.0, Polarity.HIGHER, AssuranceType.CONSISTENT_PASS),  # below the LPL of -3
        (-4.0, Polarity.LOWER, AssuranceType.CONSISTENT_FAIL),
        (3.0, Polarity.HIGHER, AssuranceType.INCONSISTENT),  # on the limit: some months
        (0.0, Polarity.LOWER, AssuranceType.INCONSISTENT),
        (4.0, Polarity.NEUTRAL, None),
        (None, Polarity.HIGHER, None),
    ],
)
def test_assurance_against_a_target(
    target: float | None, polarity: Polarity, expected: AssuranceType | None
) -> None:
    assert assurance_type(target, UNIT_LIMITS, polarity) is expected


# ---- rebasing -------------------------------------------------------------------------


def test_rebase_recalculates_limits_and_runs_rules_per_segment() -> None:
    # 5,6 x6 (mean 5.5, moving ranges 1) then 20,22 x6 (mean 21, moving ranges 2).
    values = [5, 6] * 6 + [20, 22] * 6
    months = months_from(2021, 1, 24)
    whole = run_spc(months, values)
    # One set of limits: the mean 13.25 puts the first 12 below and the last 12 above.
    assert {c.rule for c in whole.special_causes} >= {Rule.SHIFT}
    assert [s.month for s in whole.suggested_rebases] == [dt.date(2022, 1, 1)]
    assert len(whole.segments) == 1  # a suggestion is never applied

    rebase = Rebase(
        dt.date(2022, 1, 1), "new recording rules", "A. Analyst", dt.datetime(2024, 5, 1)
    )
    split = run_spc(months, values, SpcOptions(rebases=(rebase,)))
    first, second = split.segments
    assert (first.limits.mean, first.limits.mean_moving_range) == (5.5, 1.0)
    assert (second.limits.mean, second.limits.mean_moving_range) == (21.0, 2.0)
    assert second.limits.upl == pytest.approx(21 + 2.66 * 2)
    assert (second.first_month, second.rebase) == (dt.date(2022, 1, 1), rebase)
    assert first.rebase is None
    assert split.points[12].moving_range is None  # no range across the rebase
    assert flagged(split.points) == []
    assert split.suggested_rebases == ()


def test_several_rebases() -> None:
    values = [5, 6] * 6 + [20, 22] * 6 + [50, 51] * 6
    rebases = tuple(
        Rebase(m, "step change", "A. Analyst", dt.datetime(2024, 5, 1))
        for m in (dt.date(2022, 1, 1), dt.date(2023, 1, 1))
    )
    result = run_spc(months_from(2021, 1, 36), values, SpcOptions(rebases=rebases))
    assert [s.limits.mean for s in result.segments] == [5.5, 21.0, 50.5]
    assert [p.segment for p in result.points[11:14]] == [0, 1, 1]


@pytest.mark.parametrize(
    ("months", "values", "options", "message"),
    [
        ([dt.date(2022, 1, 1), dt.date(2022, 3, 1)], [1, 2], SpcOptions(), "no gaps"),
        ([dt.date(2022, 1, 1)], [1], SpcOptions(), "at least 2"),
        (months_from(2022, 1, 3), [1, float("nan"), 2], SpcOptions(), "not a finite"),
        (
            months_from(2022, 1, 3),
            [1, 2, 3],
            SpcOptions(rebases=(Rebase(dt.date(2021, 1, 1), "x", "y", dt.datetime(2024, 1, 1)),)),
            "rebase at 2021-01",
        ),
        (
            months_from(2022, 1, 3),
            [1, 2, 3],
            SpcOptions(rebases=(Rebase(dt.date(2022, 3, 1), "x", "y", dt.datetime(2024, 1, 1)),)),
            "would rest on 1 month",
        ),
    ],
)
def test_unchartable_input_is_refused(
    months: list[dt.date], values: list[float], options: SpcOptions, message: str
) -> None:
    with pytest.raises(SpcError, match=message):
        run_spc(months, values, options)


# ---- a real series: all crime in the City of London, 2017-2021 -------------------------


@cache
def city_of_london_crimes() -> tuple[list[dt.date], list[int]]:
    """Monthly police.uk crimes, anti-social behaviour excluded, read from the sample."""
    months, counts = [], []
    for path in sorted(STREET.glob("*-city-of-london-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["Crime type"] != "Anti-social behaviour"]
        months.append(dt.date.fromisoformat(rows[0]["Month"] + "-01"))
        counts.append(len(rows))
    return months, counts


def test_city_of_london_covid_drop_is_flagged() -> None:
    months, counts = city_of_london_crimes()
    assert len(months) == 60 and months[0] == dt.date(2017, 1, 1)
    # Limits worked out from the counts: 60 months summing to 32,218, mean 536.97.
    # Moving ranges sum to 3,850 over 59 (mean 65.25); 3.267 x 65.25 = 213.2 drops one
    # range, March -> April 2020 (549 -> 209 = 340), leaving 3,510 / 58 = 60.52.
    # Limits 536.97 +/- 2.66 x 60.52 = 375.99 to 697.94; 2-sigma 429.65 to 644.28.
    mean = sum(counts) / len(counts)
    ranges = [abs(b - a) for a, b in itertools.pairwise(counts)]
    kept = [r for r in ranges if r <= 3.267 * sum(ranges) / len(ranges)]
    lpl = mean - 2.66 * sum(kept) / len(kept)
    assert (sum(counts), len(kept), round(lpl, 2)) == (32218, 58, 375.99)

    result = run_spc(months, counts, SpcOptions(Polarity.LOWER, target=500))
    assert result.segments[0].limits.lpl == pytest.approx(lpl)
    by_month = {p.month: p for p in result.points}
    # April, May and June 2020 (209, 175, 276) fall below the lower limit of 376.
    for month in (dt.date(2020, 4, 1), dt.date(2020, 5, 1), dt.date(2020, 6, 1)):
        assert Rule.OUTSIDE_LIMITS in by_month[month].rules
        assert by_month[month].point_type is PointType.IMPROVEMENT
    # April 2020 to June 2021 are 15 months below the mean (March 2020 was 549, July
    # 2021 548): one shift downwards.
    (shift,) = [
        c for c in result.special_causes if c.rule is Rule.SHIFT and c.first_month.year == 2020
    ]
    assert (shift.direction, shift.first_month, shift.last_month) == (
        Direction.DOWN,
        dt.date(2020, 4, 1),
        dt.date(2021, 6, 1),
    )
    assert len(shift.months) == 15
    # 820, 797, 710, 678, 549, 209, 175: a falling trend from November 2019 to May 2020.
    (trend,) = [c for c in result.special_causes if c.rule is Rule.TREND]
    assert (trend.first_month, trend.last_month) == (dt.date(2019, 11, 1), dt.date(2020, 5, 1))
    # The step down is suggested as a rebase, not applied.
    assert dt.date(2020, 4, 1) in [s.month for s in result.suggested_rebases]
    assert len(result.segments) == 1


def test_city_of_london_icons_for_december_2021() -> None:
    months, counts = city_of_london_crimes()
    result = run_spc(months, counts, SpcOptions(Polarity.LOWER, target=500))
    # December 2021 (549) is inside the limits; July to December 2021 are six months
    # above the mean (one short of a shift); September to November 2021 (676, 655, 687)
    # lie between the upper 2-sigma line (644.28) and the limit (697.94): two of three.
    assert result.latest.value == 549
    assert result.latest.rules == ()
    assert result.variation is PointType.COMMON_CAUSE
    two_of_three = [c for c in result.special_causes if c.rule is Rule.TWO_OF_THREE]
    assert two_of_three[-1].months == (
        dt.date(2021, 9, 1),
        dt.date(2021, 10, 1),
        dt.date(2021, 11, 1),
    )
    assert two_of_three[-1].direction is Direction.UP
    # 500 lies between the limits (376 to 698): met in some months only.
    assert result.assurance is AssuranceType.INCONSISTENT
    # 300 is below the lower limit: lower is better, so never met; 750 always met.
    low = run_spc(months, counts, SpcOptions(Polarity.LOWER, target=300))
    high = run_spc(months, counts, SpcOptions(Polarity.LOWER, target=750))
    assert low.assurance is AssuranceType.CONSISTENT_FAIL
    assert high.assurance is AssuranceType.CONSISTENT_PASS


def test_spc_csv_keeps_negative_limits_as_numbers() -> None:
    import csv
    import io

    from forcestat.spc.files import write_spc_csv

    # Mean 2, mean moving range 8: lower limit 2 - 2.66 * 8 = -19.28 (a number, unquoted).
    values = [6, -2] * 6
    out = io.StringIO()
    write_spc_csv(run_spc(months_from(2023, 1, 12), values), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["lpl"] for r in rows} == {"-19.28"}
    assert [r["value"] for r in rows[:2]] == ["6", "-2"]
