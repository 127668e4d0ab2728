"""The Making Data Count rules and point labelling, one function at a time, by hand."""

from __future__ import annotations

import pytest

from forcestat.spc.rules import (
    Direction,
    PointType,
    Polarity,
    ProcessLimits,
    Rule,
    RuleSettings,
    Signal,
    TrendTies,
    find_outside_limits,
    find_rule_runs,
    find_shifts,
    find_trends,
    find_two_of_three,
    point_type,
    signal_point_type,
)

# Mean 0, 2-sigma lines at +/-2, process limits at +/-3.
UNIT_LIMITS = ProcessLimits(0.0, 3 / 2.66, -3.0, 3.0, -2.0, 2.0, 12, 11, 0)


# ---- outside the limits ---------------------------------------------------------------


def test_outside_limits_groups_neighbours_on_the_same_side() -> None:
    # 3.5 and 3.2 are above +3 (one run), 3.0 sits on the limit, -3.1 is below -3.
    runs = find_outside_limits([3.5, 3.2, 3.0, 0.0, -3.1], UNIT_LIMITS)
    assert [(r.rule, r.direction, r.indexes) for r in runs] == [
        (Rule.OUTSIDE_LIMITS, Direction.UP, (0, 1)),
        (Rule.OUTSIDE_LIMITS, Direction.DOWN, (4,)),
    ]


# ---- shift ----------------------------------------------------------------------------


def test_find_shifts_reports_the_whole_run() -> None:
    runs = find_shifts([1, 1, 1, 1, 1, 1, 1, 9], mean=2.0, length=7)
    assert [(r.direction, r.indexes) for r in runs] == [(Direction.DOWN, tuple(range(7)))]


# ---- trend ----------------------------------------------------------------------------


def test_trend_of_six_is_not_flagged_and_seven_is() -> None:
    assert find_trends([1, 2, 3, 4, 5, 6, 5], 7, TrendTies.BREAK) == ()
    (run,) = find_trends([1, 2, 3, 4, 5, 6, 7, 5], 7, TrendTies.BREAK)
    assert (run.direction, run.indexes) == (Direction.UP, tuple(range(7)))
    (falling,) = find_trends([9, 7, 6, 5, 4, 3, 2, 2], 7, TrendTies.BREAK)
    assert (falling.direction, falling.indexes) == (Direction.DOWN, tuple(range(7)))


def test_tie_inside_a_trend_under_both_settings() -> None:
    values = [1, 2, 3, 3, 4, 5, 6, 7]
    # Breaking: 1,2,3 (3 points) and 3,4,5,6,7 (5 points); neither reaches 7.
    assert find_trends(values, 7, TrendTies.BREAK) == ()
    # Ignoring: six strict rises (1..7) with the tie carried inside: all 8 points flagged.
    (run,) = find_trends(values, 7, TrendTies.IGNORE)
    assert run.indexes == tuple(range(8))
    # Ignored ties do not count: 1,2,3,3,4,5,6 is only six distinct rising points.
    assert find_trends([1, 2, 3, 3, 4, 5, 6], 7, TrendTies.IGNORE) == ()


# ---- two of three ---------------------------------------------------------------------


def test_two_of_three_flags_only_points_beyond_the_line() -> None:
    (run,) = find_two_of_three([2.5, 0.5, 2.5], UNIT_LIMITS)
    assert (run.direction, run.indexes) == (Direction.UP, (0, 2))


def test_two_of_three_needs_the_third_point_on_the_same_side_of_the_mean() -> None:
    assert find_two_of_three([2.5, -0.5, 2.5], UNIT_LIMITS) == ()
    assert find_two_of_three([-0.5, 2.5, 2.5], UNIT_LIMITS) == ()
    # A point exactly on the 2-sigma line is not beyond it.
    assert find_two_of_three([2.0, 0.5, 2.5], UNIT_LIMITS) == ()
    (low,) = find_two_of_three([-0.5, -2.5, -2.1], UNIT_LIMITS)
    assert (low.direction, low.indexes) == (Direction.DOWN, (1, 2))


def test_two_of_three_and_points_beyond_the_process_limit() -> None:
    # 3.5 is beyond the process limit: NHSRplotthedots 0.2.2 does not count it here.
    assert find_two_of_three([3.5, 2.5, 0.5], UNIT_LIMITS) == ()
    (run,) = find_two_of_three([3.5, 2.5, 0.5], UNIT_LIMITS, counts_beyond_limits=True)
    assert run.indexes == (0, 1)


# ---- all rules together, and labelling -----------------------------------------------


def test_rule_runs_come_in_the_order_they_start() -> None:
    # Seven 1s above the mean of 0 then 3.5, above the limit of 3: one shift of all
    # eight points (starting at 0) and one point outside the limits (at 7). The 1s tie,
    # so no trend; 1 is inside the 2-sigma line and 3.5 beyond the limit, so no 2-of-3.
    runs = find_rule_runs([1, 1, 1, 1, 1, 1, 1, 3.5], UNIT_LIMITS, RuleSettings())
    assert [(r.rule, r.indexes) for r in runs] == [
        (Rule.SHIFT, tuple(range(8))),
        (Rule.OUTSIDE_LIMITS, (7,)),
    ]
    only_limits = RuleSettings(shift=False, trend=False, two_of_three=False)
    assert [r.rule for r in find_rule_runs([0, 3.5], UNIT_LIMITS, only_limits)] == [
        Rule.OUTSIDE_LIMITS
    ]


@pytest.mark.parametrize(
    ("direction", "polarity", "expected"),
    [
        (Direction.UP, Polarity.HIGHER, PointType.IMPROVEMENT),
        (Direction.DOWN, Polarity.HIGHER, PointType.CONCERN),
        (Direction.UP, Polarity.LOWER, PointType.CONCERN),
        (Direction.DOWN, Polarity.LOWER, PointType.IMPROVEMENT),
        (Direction.UP, Polarity.NEUTRAL, PointType.NEUTRAL_HIGH),
        (Direction.DOWN, Polarity.NEUTRAL, PointType.NEUTRAL_LOW),
    ],
)
def test_a_signal_read_by_polarity(
    direction: Direction, polarity: Polarity, expected: PointType
) -> None:
    assert signal_point_type(direction, polarity) is expected


def test_point_type_takes_the_highest_priority_rule() -> None:
    # A point in an upward shift but below the lower limit: outside limits outranks the
    # shift, so the point reads as low.
    signals = [Signal(Rule.SHIFT, Direction.UP), Signal(Rule.OUTSIDE_LIMITS, Direction.DOWN)]
    assert point_type(signals, Polarity.HIGHER) is PointType.CONCERN
    assert point_type(signals, Polarity.LOWER) is PointType.IMPROVEMENT
    assert point_type(signals, Polarity.NEUTRAL) is PointType.NEUTRAL_LOW
    assert point_type([], Polarity.HIGHER) is PointType.COMMON_CAUSE
    # Same rule both ways (the peak between two trends): the later run wins.
    peak = [Signal(Rule.TREND, Direction.UP), Signal(Rule.TREND, Direction.DOWN)]
    assert point_type(peak, Polarity.HIGHER) is PointType.CONCERN
