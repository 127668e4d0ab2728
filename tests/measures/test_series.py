"""Each measure's monthly run, checked against counts taken from the raw sample files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import write_csv
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import PLAN_EXAMPLE, Catalogue, load_catalogue
from forcestat.measures.series import (
    CHART_MONTHS,
    measure_series,
    monthly_series,
    series_axis_title,
)
from measures_fixtures import (
    census_by_force,
    stop_search_rows,
    street_rows,
)

COL = "City of London Police"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(PLAN_EXAMPLE)


def _month(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def test_a_count_measure_counts_each_month_of_the_latest_five_years(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    # The sample holds City of London street crime for 2017-01 to 2021-12: 60 months,
    # exactly CHART_MONTHS, so the whole run is charted.
    burglaries = Counter(
        r["Month"] for r in street_rows("2017-01", "2021-12") if r["Crime type"] == "Burglary"
    )
    series = monthly_series(sample_store, catalogue.get("burglary_policeuk"), COL)
    assert series is not None and series.grain == "monthly"
    assert len(series.months) == CHART_MONTHS == 60
    assert (series.months[0], series.months[-1]) == (dt.date(2017, 1, 1), dt.date(2021, 12, 1))
    assert dict(zip(series.months, series.values, strict=True)) == {
        _month(m): float(n) for m, n in burglaries.items()
    }


def test_a_series_stops_at_the_month_asked_for(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    series = monthly_series(
        sample_store, catalogue.get("burglary_policeuk"), COL, dt.date(2019, 6, 1)
    )
    assert series is not None
    assert (series.months[0], series.months[-1]) == (dt.date(2017, 1, 1), dt.date(2019, 6, 1))


def test_a_proportion_is_charted_in_per_cent_and_a_rate_per_resident(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    # Stop and search files run 2017-12 to 2020-11 in the sample.
    rows = [r for month, r in stop_search_rows("2020-11", "2020-11")]
    no_action = {"A no further action disposal", "Nothing found - no further action"}
    recorded = [r for r in rows if r["Outcome"]]
    positive = [r for r in recorded if r["Outcome"] not in no_action]
    share = monthly_series(sample_store, catalogue.get("stop_search_positive_outcome_rate"), COL)
    assert share is not None and share.months[-1] == dt.date(2020, 11, 1)
    assert share.values[-1] == pytest.approx(100 * len(positive) / len(recorded))
    assert len(share.months) == 36
    rate = monthly_series(sample_store, catalogue.get("stop_search_rate"), COL)
    assert rate is not None
    # The 2020 rate uses the latest population at or before 2020: the 2011 census.
    assert rate.values[-1] == pytest.approx(len(rows) / census_by_force()["City of London"] * 1000)
    # Each month's numerator and denominator come too, for the p and u charts.
    assert share.numerators is not None and share.denominators is not None
    assert (share.numerators[-1], share.denominators[-1]) == (len(positive), len(recorded))
    assert len(share.numerators) == len(share.denominators) == 36
    assert rate.numerators is not None and rate.denominators is not None
    assert rate.numerators[-1] == len(rows)
    assert rate.denominators[-1] == census_by_force()["City of London"]
    count = monthly_series(sample_store, catalogue.get("burglary_policeuk"), COL)
    assert count is not None and count.numerators is None and count.denominators is None
    assert series_axis_title(catalogue.get("stop_search_positive_outcome_rate")) == "Per cent"
    assert series_axis_title(catalogue.get("stop_search_rate")) == (
        "Rate per 1,000 residents, a month"
    )
    assert series_axis_title(catalogue.get("burglary_policeuk")) == "Offences a month"


def test_quarterly_sources_and_empty_forces_have_no_monthly_series(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    assert monthly_series(sample_store, catalogue.get("homicide"), "West Midlands Police") is None
    assert monthly_series(sample_store, catalogue.get("burglary_policeuk"), "Kent Police") is None
    before_any = monthly_series(
        sample_store, catalogue.get("burglary_policeuk"), COL, dt.date(2016, 12, 1)
    )
    assert before_any is None


def test_a_survey_series_counts_the_answers_the_setting_names(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    lines = ["response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"]
    # January: completely, very, fairly satisfied; February: fairly, fairly, very,
    # completely dissatisfied.
    for i, answer in enumerate(["1", "2", "3"]):
        lines.append(f"j{i},2020-01,Burglary,Birmingham,no,{answer}")
    for i, answer in enumerate(["3", "3", "2", "7"]):
        lines.append(f"f{i},2020-02,Burglary,Birmingham,no,{answer}")
    ingest_path(store, write_csv(tmp_path / "survey.csv", lines))
    measure = load_catalogue().get("victim_satisfaction")
    default = monthly_series(store, measure, "West Midlands", dt.date(2020, 2, 1))
    assert default is not None
    assert default.values == pytest.approx((100 * 3 / 3, 100 * 3 / 4))
    strict = {"satisfied_answers": ("completely satisfied", "very satisfied")}
    found = measure_series(store, [measure], "West Midlands", dt.date(2020, 2, 1), strict)
    series = found["victim_satisfaction"]
    assert series.months == (dt.date(2020, 1, 1), dt.date(2020, 2, 1))
    assert series.values == pytest.approx((100 * 2 / 3, 100 * 1 / 4))
    assert series.numerators == (2, 1) and series.denominators == (3, 4)
    only = monthly_series(store, measure, "West Midlands", local_settings=strict)
    assert only is not None and only.values == pytest.approx(series.values)
