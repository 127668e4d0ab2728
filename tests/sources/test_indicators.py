"""The generic indicator layout, checked on the real annual-report file and on small files
written here. Expected figures come from the csv module or are written by hand."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE, snapshot, write_csv
from forcestat.errors import IngestError
from forcestat.ingest.load import ingest_path
from forcestat.sources import detect_layout
from forcestat.sources.local_areas import local_area_keys

INDICATORS = SAMPLE / "local" / "annual-report-2020-21-indicators.csv.gz"
HEADER = "indicator,area,period,numerator,denominator,value,breakdown,breakdown_value,note"


def _published() -> list[dict[str, str]]:
    with gzip.open(INDICATORS, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_header_is_recognised() -> None:
    layout, _ = detect_layout(HEADER.split(","), "x.csv")
    assert layout.name == "indicator"


def test_real_annual_report_file_loads_every_row(store: duckdb.DuckDBPyConnection) -> None:
    rows = _published()
    [result] = ingest_path(store, INDICATORS)
    assert (result.layout, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "indicator",
        len(rows),
        133,
        0,
    )
    # Victim satisfaction, 2020: 819 of 1,916 (from the file, by hand).
    got = store.execute(
        "SELECT area, area_type, period_type, first_month, last_month, numerator, denominator "
        "FROM indicators WHERE indicator = 'victim_satisfaction' AND period = '2020'"
    ).fetchall()
    assert got == [
        ("West Midlands", "force", "year", dt.date(2020, 1, 1), dt.date(2020, 12, 1), 819, 1916)
    ]
    # Financial years run April to March.
    fy = store.execute(
        "SELECT first_month, last_month FROM indicators "
        "WHERE indicator = 'vehicle_crime_local' AND period = '2019/20'"
    ).fetchone()
    assert fy == (dt.date(2019, 4, 1), dt.date(2020, 3, 1))
    # Every complaint case of 2020 by type, summed from the file with csv.
    expected = sum(
        int(r["numerator"])
        for r in rows
        if r["indicator"] == "complaints_recorded" and r["period"] == "2020"
    )
    total = store.execute(
        "SELECT sum(numerator) FROM indicators "
        "WHERE indicator = 'complaints_recorded' AND period = '2020'"
    ).fetchone()
    assert total == (expected,) == (3710 + 174 + 2456 + 256,)
    # Same bytes again: a no-op.
    [again] = ingest_path(store, INDICATORS)
    assert again.status == "already_loaded"


def test_periods_and_areas_of_every_form(tmp_path: Path, store: duckdb.DuckDBPyConnection) -> None:
    path = write_csv(
        tmp_path / "forms.csv",
        [
            HEADER,
            "calls_999,West Midlands Police,2021-03,900,1000,,,,",
            "calls_999,west-midlands,2021-q2,2700,3000,,,,",
            "answer_101,E08000025,2020/21,,5000,95.5,,,average seconds",
            "answer_101,Birmingham,2020,,,80,,,",
            'answer_101,"Bristol, City of",2020,,,70,,,',
            'answer_101,"Bristol, City of UA",2019,,,71,,,',
        ],
    )
    [result] = ingest_path(store, path)
    assert result.rows_rejected == 0
    got = store.execute(
        "SELECT area, area_code, area_type, force_name, period, period_type, first_month, "
        "last_month FROM indicators ORDER BY line_no"
    ).fetchall()
    assert got == [
        (
            "West Midlands", None, "force", "West Midlands", "2021-03", "month",
            dt.date(2021, 3, 1), dt.date(2021, 3, 1),
        ),
        (
            "West Midlands", None, "force", "West Midlands", "2021-Q2", "quarter",
            dt.date(2021, 4, 1), dt.date(2021, 6, 1),
        ),
        (
            "Birmingham", "E08000025", "local_authority", "West Midlands", "2020/21",
            "financial_year", dt.date(2020, 4, 1), dt.date(2021, 3, 1),
        ),
        (
            "Birmingham", "E08000025", "local_authority", "West Midlands", "2020", "year",
            dt.date(2020, 1, 1), dt.date(2020, 12, 1),
        ),
        (
            "Bristol, City of", "E06000023", "local_authority", "Avon and Somerset", "2020",
            "year", dt.date(2020, 1, 1), dt.date(2020, 12, 1),
        ),
        (
            "Bristol, City of", "E06000023", "local_authority", "Avon and Somerset", "2019",
            "year", dt.date(2019, 1, 1), dt.date(2019, 12, 1),
        ),
    ]  # fmt: skip


BAD_ROWS = {
    2: ("Victim Satisfaction,West Midlands,2020,1,2,,,,",
        "indicator is not an id of lower-case letters, digits and underscores "
        "(such as victim_satisfaction)"),
    3: ("x,Atlantis,2020,1,2,,,,",
        "area is not a force or local authority forcestat knows (a force as 'forcestat "
        "forces' names it, or a local authority's name or ONS code)"),
    4: ("x,West Midlands,2020-13,1,2,,,,",
        "period is not YYYY-MM (a month), YYYY-Qn (a quarter), YYYY/YY (a financial year) "
        "or YYYY"),
    5: ("x,West Midlands,2020/22,1,2,,,,",
        "period is not YYYY-MM (a month), YYYY-Qn (a quarter), YYYY/YY (a financial year) "
        "or YYYY"),
    6: ("x,West Midlands,Q1 2020,1,2,,,,",
        "period is not YYYY-MM (a month), YYYY-Qn (a quarter), YYYY/YY (a financial year) "
        "or YYYY"),
    7: ("x,West Midlands,2018,1.5,2,,,,", "numerator is not a whole number"),
    8: ("x,West Midlands,2017,1,two,,,,", "denominator is not a whole number"),
    9: ("y,West Midlands,2016,,,fast,,,", "value is not a number"),
    10: ("z,West Midlands,2016,-3,,,,,", "numerator is negative; a count cannot be below zero"),
    11: ("x,West Midlands,2015,5,-1,,,,",
         "denominator is negative; a count cannot be below zero"),
    12: ("x,West Midlands,2014,5,4,,,,", "denominator is smaller than numerator"),
    13: ("z,West Midlands,2014,,,,,,", "neither numerator nor value is given"),
    14: ("z,West Midlands,2013,4,,,flag,,", "breakdown and breakdown_value must be given "
         "together or both left empty"),
    15: ("x,West Midlands,2013,4,,,,,", "a proportion with no denominator: other rows of "
         "this indicator give a numerator with a denominator"),
    17: ("x,West Midlands,2020-03,2,3,,,,", "the same indicator, area, period and breakdown "
         "are on an earlier line of this file"),
}  # fmt: skip


def test_bad_rows_are_rejected_with_line_and_reason(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    lines = [HEADER] + [""] * 16
    for line_no, (raw, _) in BAD_ROWS.items():
        lines[line_no - 1] = raw
    lines[15] = "x,West Midlands,2020-03,1,2,,,,"  # line 16: good; line 17 repeats it
    path = write_csv(tmp_path / "bad.csv", lines)
    [result] = ingest_path(store, path)
    assert (result.rows_loaded, result.rows_rejected) == (1, len(BAD_ROWS))
    got = store.execute("SELECT line_no, raw_line, reason FROM rejects ORDER BY 1").fetchall()
    assert got == [(n, raw, reason) for n, (raw, reason) in sorted(BAD_ROWS.items())]


def test_strict_load_of_a_bad_file_leaves_the_store_as_it_was(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    before = snapshot(store)
    path = write_csv(
        tmp_path / "bad.csv", [HEADER, "x,West Midlands,2020,1,2,,,,", "x,Atlantis,2020,1,2,,,,"]
    )
    with pytest.raises(IngestError, match="line 3"):
        ingest_path(store, path, strict=True)
    assert snapshot(store) == before


def test_a_republished_period_replaces_what_it_supersedes(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    first = write_csv(
        tmp_path / "first.csv",
        [
            HEADER,
            "sat,West Midlands,2020,800,1900,,,,first edition",
            "sat,West Midlands,2019,1793,3806,,,,",
            "sat,West Midlands,2020,30,60,,offence_group,Burglary,",
        ],
    )
    second = write_csv(
        tmp_path / "second.csv", [HEADER, "sat,West Midlands,2020,819,1916,,,,revised"]
    )
    ingest_path(store, first)
    [result] = ingest_path(store, second)
    assert result.rows_replaced == 1
    got = store.execute(
        "SELECT period, breakdown_value, numerator, denominator, note FROM indicators "
        "ORDER BY period, breakdown_value"
    ).fetchall()
    assert got == [
        ("2019", "", 1793, 3806, ""),
        ("2020", "", 819, 1916, "revised"),
        ("2020", "Burglary", 30, 60, ""),
    ]


def test_every_local_authority_of_the_lookup_is_known_by_code_and_name() -> None:
    keys = local_area_keys()
    assert keys["e08000026"].name == "Coventry"
    assert keys["county durham"].force == "Durham"
    assert keys["west midlands"].area_type == "force"
    # 326 English local authorities in the 2011 lookup, each by code.
    assert sum(1 for k, a in keys.items() if a.code == k.upper()) == 326
