"""The files a report rests on, on a tiny store whose rows are written here: each
expected file, span and year below is read off the rows the fixture writes."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from forcestat.store.provenance import SourceFileUsed, sources_used

ALL_TABLES = ("crimes", "stop_search", "offence_counts", "areas", "population")


def _log(
    con: duckdb.DuckDBPyConnection, ingest_id: int, file_name: str, rows: int, part: str = ""
) -> None:
    con.execute(
        "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, 'layout', ?, ?, 0, 0, 0, [], "
        "TIMESTAMP '2024-05-01 09:30:00', 'test')",
        [ingest_id, f"/in/{file_name}", file_name, f"sha{ingest_id}", part, rows, rows],
    )


def _crime(con: duckdb.DuckDBPyConnection, ingest_id: int, month: str, reported_by: str) -> None:
    con.execute(
        "INSERT INTO crimes (month, reported_by, falls_within, crime_type, ingest_id, line_no) "
        "VALUES (?::DATE, ?, ?, 'Burglary', ?, 2)",
        [month, reported_by, reported_by, ingest_id],
    )


@pytest.fixture
def tiny(store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Eight files:

    1 b-street.csv    crimes: City of London Police, 2021-01 and 2021-03
    2 a-street.csv    crimes: City of London Police 2021-05, West Midlands Police 2021-02
    3 wm-street.csv   crimes: West Midlands Police 2021-01
    4 ss.csv          stop and search: City of London 2021-02
    5 prc.xlsx        Home Office, sheet 'Table 1': quarters starting 2020-04 and 2020-07
    6 lookup.csv      the area lookup, two neighbourhoods
    7 census2011.csv  population, census_2011, 2011
    8 census2021.csv  population, census_2021, 2021
    """
    con = store
    for ingest_id, name, rows in (
        (1, "b-street.csv", 2),
        (2, "a-street.csv", 2),
        (3, "wm-street.csv", 1),
        (4, "ss.csv", 1),
        (6, "lookup.csv", 2),
        (7, "census2011.csv", 1),
        (8, "census2021.csv", 1),
    ):
        _log(con, ingest_id, name, rows)
    _log(con, 5, "prc.xlsx", 2, part="Table 1")
    _crime(con, 1, "2021-01-01", "City of London Police")
    _crime(con, 1, "2021-03-01", "City of London Police")
    _crime(con, 2, "2021-05-01", "City of London Police")
    _crime(con, 2, "2021-02-01", "West Midlands Police")
    _crime(con, 3, "2021-01-01", "West Midlands Police")
    con.execute(
        "INSERT INTO stop_search (force, month, search_type, searched_at, ingest_id, line_no) "
        "VALUES ('City of London', DATE '2021-02-01', 'Person search', "
        "TIMESTAMP '2021-02-03 10:00:00', 4, 2)"
    )
    for quarter, start in ((1, "2020-04-01"), (2, "2020-07-01")):
        con.execute(
            "INSERT INTO offence_counts VALUES ('2020/21', ?, ?::DATE, 'London, City of', NULL, "
            "'Burglary', NULL, NULL, '28E', 5, 5, ?)",
            [quarter, start, quarter + 1],
        )
    for line, lsoa in ((2, "E01000001"), (3, "E01000002")):
        con.execute(
            "INSERT INTO areas (lsoa_code, force_name, lsoa_geography, ingest_id, line_no) "
            "VALUES (?, 'City of London', 'LSOA2011', 6, ?)",
            [lsoa, line],
        )
    for ingest_id, source, year in ((7, "census_2011", 2011), (8, "census_2021", 2021)):
        con.execute(
            "INSERT INTO population (area_code, area_type, population_year, persons, source, "
            "ingest_id, line_no) VALUES ('E01000001', 'LSOA2011', ?, 1500, ?, ?, 2)",
            [year, source, ingest_id],
        )
    return con


def _file(
    name: str,
    sha: str,
    rows: int,
    first: dt.date | None = None,
    last: dt.date | None = None,
    year: int | None = None,
    part: str = "",
) -> SourceFileUsed:
    return SourceFileUsed(name, part, "layout", sha, rows, first, last, year)


def test_every_table_for_one_force_in_table_then_file_order(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    # Crimes: only City of London Police's rows, so wm-street.csv is not used and
    # a-street.csv covers 2021-05 alone. The Home Office table runs to the end of the
    # last quarter: 2020-07 + 2 months = 2020-09.
    assert sources_used(tiny, ["City of London"], ALL_TABLES) == (
        _file("a-street.csv", "sha2", 2, dt.date(2021, 5, 1), dt.date(2021, 5, 1)),
        _file("b-street.csv", "sha1", 2, dt.date(2021, 1, 1), dt.date(2021, 3, 1)),
        _file("ss.csv", "sha4", 1, dt.date(2021, 2, 1), dt.date(2021, 2, 1)),
        _file("prc.xlsx", "sha5", 2, dt.date(2020, 4, 1), dt.date(2020, 9, 1), part="Table 1"),
        _file("lookup.csv", "sha6", 2),
        _file("census2011.csv", "sha7", 1, year=2011),
        _file("census2021.csv", "sha8", 1, year=2021),
    )


def test_months_after_the_period_and_populations_not_chosen_are_left_out(
    tiny: duckdb.DuckDBPyConnection,
) -> None:
    # Up to 2021-03: a-street.csv keeps only West Midlands' 2021-02 row.
    used = sources_used(
        tiny,
        ["City of London", "West Midlands"],
        ["population", "crimes"],
        last_month=dt.date(2021, 3, 1),
        populations={("census_2021", 2021)},
    )
    assert used == (
        _file("a-street.csv", "sha2", 2, dt.date(2021, 2, 1), dt.date(2021, 2, 1)),
        _file("b-street.csv", "sha1", 2, dt.date(2021, 1, 1), dt.date(2021, 3, 1)),
        _file("wm-street.csv", "sha3", 1, dt.date(2021, 1, 1), dt.date(2021, 1, 1)),
        _file("census2021.csv", "sha8", 1, year=2021),
    )


def test_no_tables_or_no_populations_use_no_files(tiny: duckdb.DuckDBPyConnection) -> None:
    assert sources_used(tiny, ["City of London"], []) == ()
    assert sources_used(tiny, ["City of London"], ["population"], populations=set()) == ()
    # No forces: no police.uk file is theirs.
    assert sources_used(tiny, [], ["crimes", "stop_search"]) == ()
