"""The victim survey layout, on the synthetic responses file and on small files written
here. Expected figures come from the csv module or are written by hand."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import duckdb

from conftest import SAMPLE, write_csv
from forcestat.ingest.load import ingest_path

SURVEY = SAMPLE / "local" / "victim-survey-responses-SYNTHETIC.csv.gz"
HEADER = "response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"
SCALE = (
    "completely satisfied",
    "very satisfied",
    "fairly satisfied",
    "neither satisfied nor dissatisfied",
    "fairly dissatisfied",
    "very dissatisfied",
    "completely dissatisfied",
)


def test_synthetic_file_loads_every_response(store: duckdb.DuckDBPyConnection) -> None:
    with gzip.open(SURVEY, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    [result] = ingest_path(store, SURVEY)
    assert (result.layout, result.rows_loaded, result.rows_rejected) == (
        "victim_survey",
        len(rows),
        0,
    )
    # Answers given as 1..7 are stored as the scale's words.
    expected = Counter(
        SCALE[int(r["overall_satisfaction"]) - 1]
        if r["overall_satisfaction"].isdigit()
        else r["overall_satisfaction"]
        for r in rows
    )
    got = dict(
        store.execute("SELECT satisfaction, count(*) FROM survey_responses GROUP BY 1").fetchall()
    )
    assert got == dict(expected)
    forces = store.execute("SELECT DISTINCT force_name FROM survey_responses").fetchall()
    assert forces == [("West Midlands",)]


BAD = {
    2: (",2020-01,Burglary,Birmingham,no,1", "response_id is blank"),
    3: ("r3,January 2020,Burglary,Birmingham,no,1",
        "month_closed is not a month in the form YYYY-MM"),
    4: ("r4,2020-01,,Birmingham,no,1", "offence_group is blank"),
    5: ("r5,2020-01,Burglary,Gotham,no,1",
        "area is not a force or local authority forcestat knows (a force as 'forcestat "
        "forces' names it, or a local authority's name or ONS code)"),
    6: ("r6,2020-01,Burglary,Birmingham,maybe,1", "domestic_abuse is not yes or no"),
    7: ("r7,2020-01,Burglary,Birmingham,no,8",
        "overall_satisfaction is not an answer on the 7-point scale (completely satisfied "
        "to completely dissatisfied, or 1 to 7) or yes/no"),
    8: ("r8,2020-01,Burglary,Birmingham,no,quite happy",
        "overall_satisfaction is not an answer on the 7-point scale (completely satisfied "
        "to completely dissatisfied, or 1 to 7) or yes/no"),
    10: ("r9,2020-02,Burglary,Coventry,no,2", "response_id is on an earlier line of this file"),
}  # fmt: skip


def test_bad_responses_are_rejected_with_line_and_reason(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    lines = [HEADER] + [""] * 9
    for line_no, (raw, _) in BAD.items():
        lines[line_no - 1] = raw
    lines[8] = "r9,2020-01,Burglary,E08000025,Y,Very Satisfied"
    path = write_csv(tmp_path / "survey.csv", lines)
    [result] = ingest_path(store, path)
    assert (result.rows_loaded, result.rows_rejected) == (1, len(BAD))
    got = store.execute("SELECT line_no, raw_line, reason FROM rejects ORDER BY 1").fetchall()
    assert got == [(n, raw, reason) for n, (raw, reason) in sorted(BAD.items())]
    loaded = store.execute(
        "SELECT response_id, area, area_code, domestic_abuse, satisfaction FROM survey_responses"
    ).fetchall()
    assert loaded == [("r9", "Birmingham", "E08000025", True, "very satisfied")]


def test_a_later_extract_replaces_responses_with_the_same_id(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    first = write_csv(
        tmp_path / "a.csv",
        [HEADER, "r1,2020-01,Burglary,Birmingham,no,5", "r2,2020-01,Burglary,Dudley,no,1"],
    )
    second = write_csv(tmp_path / "b.csv", [HEADER, "r1,2020-01,Burglary,Birmingham,no,yes"])
    ingest_path(store, first)
    [result] = ingest_path(store, second)
    assert result.rows_replaced == 1
    got = store.execute(
        "SELECT response_id, satisfaction FROM survey_responses ORDER BY 1"
    ).fetchall()
    assert got == [("r1", "yes"), ("r2", "completely satisfied")]
