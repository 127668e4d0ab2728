"""Month arithmetic, on dates worked out with a calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from forcestat.months import add_months, month_label, months_between, next_month


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2019, 6, 1), -11, dt.date(2018, 7, 1)),  # the first month of a rolling year
        (dt.date(2019, 12, 1), 1, dt.date(2020, 1, 1)),
        (dt.date(2020, 1, 1), -1, dt.date(2019, 12, 1)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year: clamped to the 29th
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),  # a six-monthly review
        (dt.date(2023, 5, 15), 0, dt.date(2023, 5, 15)),
        (dt.date(2023, 5, 15), -24, dt.date(2021, 5, 15)),
    ],
)
def test_add_months_keeps_the_day_within_the_month(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def test_next_month_is_the_first_of_the_following_month() -> None:
    assert next_month(dt.date(2021, 12, 31)) == dt.date(2022, 1, 1)
    assert next_month(dt.date(2021, 2, 1)) == dt.date(2021, 3, 1)


def test_months_between_counts_both_ends() -> None:
    assert months_between(dt.date(2019, 11, 1), dt.date(2020, 2, 29)) == [
        dt.date(2019, 11, 1),
        dt.date(2019, 12, 1),
        dt.date(2020, 1, 1),
        dt.date(2020, 2, 1),
    ]
    assert months_between(dt.date(2020, 3, 1), dt.date(2020, 2, 1)) == []


def test_month_label_names_the_month() -> None:
    assert month_label(dt.date(2019, 6, 1)) == "June 2019"
