"""Breakdowns of local figures, against values worked out by hand in each test."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE, write_csv
from forcestat.ingest.load import ingest_path
from forcestat.measures.breakdowns import (
    indicator_breakdown,
    indicator_history,
    survey_breakdown,
    withheld,
)
from forcestat.measures.periods import parse_month, rolling_12_months

SURVEY_HEADER = "response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"


@pytest.fixture
def survey(tmp_path: Path, store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    lines = [SURVEY_HEADER]
    # Birmingham: answers 1, 2, 3, 4, 5, yes -> satisfied 4 of 6 (1, 2, 3 and yes)
    for i, answer in enumerate(["1", "2", "3", "4", "5", "yes"], start=1):
        lines.append(f"b{i},2020-0{i},Burglary,Birmingham,{'yes' if i <= 2 else 'no'},{answer}")
    # Coventry: 7, no, 3 -> satisfied 1 of 3
    for i, answer in enumerate(["7", "no", "3"], start=1):
        lines.append(f"c{i},2020-1{i - 1},Theft,E08000026,no,{answer}")
    # Outside the period: not counted
    lines.append("x1,2019-12,Theft,Coventry,no,1")
    ingest_path(store, write_csv(tmp_path / "survey.csv", lines))
    return store


def test_survey_by_area_each_against_the_rest(survey: duckdb.DuckDBPyConnection) -> None:
    period = rolling_12_months(parse_month("2020-12"))
    birmingham, coventry = survey_breakdown(survey, "West Midlands", period, "area")
    assert (birmingham.group, birmingham.numerator, birmingham.denominator) == ("Birmingham", 4, 6)
    assert (coventry.group, coventry.numerator, coventry.denominator) == ("Coventry", 1, 3)
    assert birmingham.rest_value == pytest.approx(1 / 3)
    # pooled p = 5/9; z = (4/6 - 1/3) / sqrt(5/9 * 4/9 * (1/6 + 1/3)) = 0.9487; p = 0.343
    z = (4 / 6 - 1 / 3) / math.sqrt(5 / 9 * 4 / 9 * (1 / 6 + 1 / 3))
    assert birmingham.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert 0.34 < birmingham.p_value < 0.35
    assert birmingham.beyond_chance is False
    # Domestic abuse: b1 and b2, both satisfied (answers 1 and 2): 2 of 2
    groups = {
        g.group: g for g in survey_breakdown(survey, "West Midlands", period, "domestic_abuse")
    }
    assert (groups["Domestic abuse"].numerator, groups["Domestic abuse"].denominator) == (2, 2)
    assert (groups["Other victims"].numerator, groups["Other victims"].denominator) == (3, 7)


def test_published_history_with_points_and_test(store: duckdb.DuckDBPyConnection) -> None:
    ingest_path(store, SAMPLE / "local" / "annual-report-2020-21-indicators.csv.gz")
    years = indicator_history(store, "victim_satisfaction", "West Midlands")
    assert [(y.period, y.numerator, y.denominator) for y in years] == [
        ("2018", 1412, 3081),
        ("2019", 1793, 3806),
        ("2020", 819, 1916),
    ]
    # 2019 against 2018: 47.110% - 45.829% = +1.28 points; pooled 3205/6887, z = 1.06,
    # p = 0.29: within chance. 2020 against 2019: -4.36 points, p = 0.0018: beyond.
    assert years[0].change_points is None
    assert years[1].change_points == pytest.approx(100 * (1793 / 3806 - 1412 / 3081))
    assert years[1].beyond_chance is False
    assert years[2].change_points == pytest.approx(100 * (819 / 1916 - 1793 / 3806))
    assert years[2].beyond_chance is True
    # Up to the end of 2019 only.
    assert len(indicator_history(store, "victim_satisfaction", "West Midlands",
                                 last_month=parse_month("2019-12"))) == 2  # fmt: skip
    flags = indicator_breakdown(store, "hidden_crime_flagged", "flag", "West Midlands", "2017/18")
    # Counts, largest first: DA (non-crime) 30,182, then DA 25,672; last MS (non-crime) 0
    assert [(f.group, f.numerator) for f in flags[:2]] == [("DA (non-crime)", 30182), ("DA", 25672)]
    assert (flags[-1].group, flags[-1].numerator) == ("MS (non-crime)", 0)
    # FGM 2: exact Poisson 95% interval 0.2422 to 7.2247 (chi-square tables / 2)
    [fgm] = [f for f in flags if f.group == "FGM"]
    assert fgm.numerator == 2
    assert fgm.interval_low == pytest.approx(0.2422, abs=1e-4)
    assert fgm.interval_high == pytest.approx(7.2247, abs=1e-4)


def test_withheld_counts_are_one_to_threshold_less_one() -> None:
    assert [withheld(n, 5) for n in (0, 1, 4, 5, None)] == [False, True, True, False, False]
    assert withheld(3, 0) is False
