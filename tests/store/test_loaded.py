"""What is loaded: forces, months and years held, files and rejects, on a tiny store whose
rows are written here, so every expected figure can be read off the rows below."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from forcestat.forces import find_force
from forcestat.store.loaded import (
    FinancialYears,
    IngestLogEntry,
    PoliceukMonths,
    RejectedLine,
    financial_years_held,
    forces_loaded,
    forces_with_street_level,
    loaded_files,
    policeuk_months_held,
    rejected_lines,
    rejects_total,
)

CITY = find_force("City of London")
WEST_MIDLANDS = find_force("West Midlands")
KENT = find_force("Kent")
LOADED_AT = dt.datetime(2024, 5, 1, 9, 30)


def _log(con: duckdb.DuckDBPyConnection, ingest_id: int, path: str, rejected: int) -> None:
    con.execute(
        "INSERT INTO ingest_log VALUES (?, ?, ?, ?, '', 'policeuk_street', 10, ?, ?, 0, 0, [], "
        "?, 'test')",
        [
            ingest_id,
            path,
            path.rsplit("/", 1)[-1],
            f"sha{ingest_id}",
            10 - rejected,
            rejected,
            LOADED_AT,
        ],
    )


def _crime(con: duckdb.DuckDBPyConnection, month: dt.date, reported_by: str) -> None:
    con.execute(
        "INSERT INTO crimes (month, reported_by, falls_within, crime_type, ingest_id, line_no) "
        "VALUES (?, ?, ?, 'Burglary', 1, 2)",
        [month, reported_by, reported_by],
    )


def _offences(
    con: duckdb.DuckDBPyConnection, year: str, force_name: str, csp: str | None = None
) -> None:
    con.execute(
        "INSERT INTO offence_counts VALUES (?, 1, DATE '2017-04-01', ?, ?, 'Burglary', NULL, "
        "NULL, '28E', 5, 3, 2)",
        [year, force_name, csp],
    )


@pytest.fixture
def tiny(store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """City of London: police.uk rows for March 2019 and January 2020 (with a gap between)
    and Home Office rows under its Home Office name for 2018/19 and 2019/20. West
    Midlands: Home Office force-area rows for 2017/18 only. Kent: only a community
    safety partnership row, which is not a force-area row. Two files: one rejected
    line in the first, three in the second, written out of order."""
    _log(store, 1, "/in/2019-03-city-of-london-street.csv", 1)
    _log(store, 2, "/in/zips/prc.zip!table.csv", 3)
    _crime(store, dt.date(2020, 1, 1), CITY.policeuk_name)
    _crime(store, dt.date(2019, 3, 1), CITY.policeuk_name)
    _offences(store, "2019/20", "London, City of")
    _offences(store, "2018/19", "London, City of")
    _offences(store, "2017/18", "West Midlands")
    _offences(store, "2016/17", "Kent", csp="Maidstone")
    store.executemany(
        "INSERT INTO rejects VALUES (?, ?, ?, ?)",
        [
            (2, 9, "raw 2/9", "too few fields"),
            (2, 4, "raw 2/4", "bad month"),
            (1, 7, "raw 1/7", "bad month"),
            (2, 12, "raw 2/12", "no crime type"),
        ],
    )
    return store


def test_forces_loaded_are_those_with_street_rows_or_force_area_rows(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    # City by both sources, West Midlands by a force-area row; Kent's row is a CSP's.
    # FORCES lists City of London before West Midlands.
    assert forces_loaded(tiny) == (CITY, WEST_MIDLANDS)
    assert forces_with_street_level(tiny) == frozenset({"city-of-london"})


def test_an_empty_store_has_no_forces(store: duckdb.DuckDBPyConnection) -> None:
    assert forces_loaded(store) == ()
    assert forces_with_street_level(store) == frozenset()


def test_months_held_run_from_the_first_to_the_last_month_loaded(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    assert policeuk_months_held(tiny, CITY) == PoliceukMonths(
        dt.date(2019, 3, 1), dt.date(2020, 1, 1)
    )
    assert policeuk_months_held(tiny, WEST_MIDLANDS) is None


def test_years_held_count_force_area_rows_under_any_of_the_forces_names(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    assert financial_years_held(tiny, CITY) == FinancialYears("2018/19", "2019/20")
    assert financial_years_held(tiny, WEST_MIDLANDS) == FinancialYears("2017/18", "2017/18")
    assert financial_years_held(tiny, KENT) is None  # a CSP's row only


def test_loaded_files_are_listed_latest_first(tiny: duckdb.DuckDBPyConnection) -> None:
    assert loaded_files(tiny) == (
        IngestLogEntry(2, "prc.zip!table.csv", "", "policeuk_street", 7, 3, LOADED_AT, "sha2"),
        IngestLogEntry(
            1, "2019-03-city-of-london-street.csv", "", "policeuk_street", 9, 1, LOADED_AT, "sha1"
        ),
    )


def test_rejects_come_in_load_then_line_order_up_to_the_limit(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    city_file = "2019-03-city-of-london-street.csv"
    first = RejectedLine(1, f"/in/{city_file}", city_file, 7, "bad month", "raw 1/7")
    second = RejectedLine(
        2, "/in/zips/prc.zip!table.csv", "prc.zip!table.csv", 4, "bad month", "raw 2/4"
    )
    assert rejected_lines(tiny, 2) == (first, second)
    assert [r.line_no for r in rejected_lines(tiny, 50)] == [7, 4, 9, 12]
    assert [r.line_no for r in rejected_lines(tiny, 2, ingest_id=2)] == [4, 9]
    assert rejected_lines(tiny, 50, ingest_id=99) == ()
    assert rejects_total(tiny) == 4
