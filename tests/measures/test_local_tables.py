"""The local tables' period: the latest month a force's local data reach."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from conftest import SAMPLE, write_csv
from forcestat.ingest.load import ingest_path
from forcestat.measures.local_tables import fewer_than, latest_local_month, points_clause


def test_the_latest_month_of_survey_or_indicators(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    assert latest_local_month(store, "West Midlands") is None
    lines = ["response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"]
    lines += ["a,2020-05,Burglary,Birmingham,no,1", "b,2020-11,Burglary,Coventry,no,2"]
    ingest_path(store, write_csv(tmp_path / "survey.csv", lines))
    assert latest_local_month(store, "West Midlands") == dt.date(2020, 11, 1)
    assert latest_local_month(store, "City of London") is None
    # The published file runs to the financial year 2020/21, ending March 2021.
    ingest_path(store, SAMPLE / "local" / "annual-report-2020-21-indicators.csv.gz")
    assert latest_local_month(store, "West Midlands") == dt.date(2021, 3, 1)


def test_words_for_withheld_counts_and_changes() -> None:
    assert fewer_than(5) == "fewer than 5"
    assert points_clause(42.745 - 47.110) == "down 4.4 percentage points"
    assert points_clause(1.0) == "up 1 percentage point"
    assert points_clause(0.04) == "no change"
