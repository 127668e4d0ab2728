"""Area lookup and population layouts, checked against sums taken from the files themselves."""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from pathlib import Path

import duckdb

from conftest import SAMPLE, write_csv
from forcestat.ingest import ingest_path

LOOKUP = SAMPLE / "geography" / "PoliceforceLSOA.csv.gz"
CENSUS_2011 = SAMPLE / "geography" / "census_2011_population_hh.csv.gz"
TS001 = SAMPLE / "population" / "TS001_usual_residents_LSOA2021.csv.gz"
LSOA = re.compile(r"[EW]01\d{6}")
MID_YEAR_HEADER = "area_code,area_name,area_type,year,persons"


def _rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def _persons(text: str) -> int:
    return int(text.replace(",", ""))


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_area_lookup_loads_every_lsoa_including_unassigned(
    store: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(LOOKUP)
    per_force = Counter(r[9] or None for r in rows)

    [result] = ingest_path(store, LOOKUP)

    assert (result.layout, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "ons_lsoa_force_lookup",
        len(rows),
        32_844,
        0,
    )
    got = dict(store.execute("SELECT force_name, count(*) FROM areas GROUP BY ALL").fetchall())
    assert got == dict(per_force)
    assert got[None] == 3_335  # published gaps, kept with no force
    assert got["West Midlands"] == 1_680
    assert _one(store, "SELECT count(DISTINCT lsoa_geography) FROM areas") == 1
    assert _one(store, "SELECT min(lsoa_geography) FROM areas") == "LSOA2011"


def test_west_midlands_population_through_the_lookup(store: duckdb.DuckDBPyConnection) -> None:
    wm_lsoas = {r[7] for r in _rows(LOOKUP) if r[9] == "West Midlands"}
    census = {r[6]: _persons(r[9]) for r in _rows(CENSUS_2011)}
    expected = sum(census[code] for code in wm_lsoas)
    assert len(wm_lsoas) == 1_680
    assert expected == 2_736_460

    ingest_path(store, LOOKUP)
    [result] = ingest_path(store, CENSUS_2011)

    assert (result.layout, result.rows_loaded, result.rows_rejected) == (
        "census_2011_lsoa_population",
        len(census),
        0,
    )
    assert _one(store, "SELECT sum(persons) FROM population") == sum(census.values())
    got = store.execute(
        "SELECT count(*), sum(p.persons) FROM areas a JOIN population p "
        "ON p.area_code = a.lsoa_code AND p.population_year = 2011 "
        "WHERE a.force_name = 'West Midlands'"
    ).fetchone()
    assert got == (1_680, expected)
    # The first LSOA, County Durham 001A: "1,563" residents in the first Persons column.
    assert store.execute(
        "SELECT persons, area_type, source FROM population WHERE area_code = 'E01020634'"
    ).fetchone() == (1_563, "LSOA2011", "census_2011")


def test_ts001_totals_and_footer_skipped(store: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(TS001)
    data = [r for r in rows if LSOA.fullmatch(r[2])]
    footer = [r for r in rows if not LSOA.fullmatch(r[2])]
    assert (len(data), len(footer)) == (35_672, 7)
    assert sum(int(r[0]) for r in data) == 59_597_601

    [result] = ingest_path(store, TS001)

    assert (result.layout, result.rows_read, result.rows_loaded) == (
        "census_2021_ts001",
        35_672,
        35_672,
    )
    assert (result.rows_rejected, result.rows_skipped) == (0, 7)
    assert store.execute(
        "SELECT count(*), sum(persons), min(area_type), max(population_year), min(source) "
        "FROM population"
    ).fetchone() == (35_672, 59_597_601, "LSOA2021", 2021, "census_2021")
    wales = sum(1 for r in data if r[2].startswith("W"))
    assert wales == 1_917
    assert _one(store, "SELECT count(*) FROM population WHERE area_code LIKE 'W%'") == wales


def test_reloading_is_a_no_op(store: duckdb.DuckDBPyConnection) -> None:
    ingest_path(store, TS001)
    ingest_path(store, LOOKUP)
    again = ingest_path(store, TS001) + ingest_path(store, LOOKUP)
    assert [r.status for r in again] == ["already_loaded", "already_loaded"]
    assert _one(store, "SELECT count(*) FROM population") == 35_672
    assert _one(store, "SELECT count(*) FROM areas") == 32_844


def test_bad_lsoa_code_in_the_lookup_is_rejected(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    header = (
        ",Region code,Region name,Local authority code,Local authority name,MSOA Code,"
        "MSOA Name,LSOA Code,LSOA Name,Police_force"
    )
    birmingham = "E12000005,WEST MIDLANDS,E08000025,Birmingham,E02001831,Birmingham 001"
    somerset = "E12000009,SOUTH WEST,E07000191,West Somerset,E02006117,West Somerset 005"
    good = f"3,{birmingham},E01009417,Birmingham 001A,West Midlands"
    gap = f"4,{somerset},E01029325,West Somerset 005A,"
    bad = f"5,{birmingham},E0100941,Birmingham 001B,West Midlands"  # seven digits, not six
    [result] = ingest_path(store, write_csv(tmp_path / "lookup.csv", [header, good, gap, bad]))
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert store.execute("SELECT line_no, raw_line FROM rejects").fetchall() == [(4, bad)]
    assert store.execute("SELECT lsoa_code, force_name FROM areas ORDER BY 1").fetchall() == [
        ("E01009417", "West Midlands"),
        ("E01029325", None),
    ]


def test_non_numeric_persons_is_rejected(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with gzip.open(CENSUS_2011, "rt", encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()[:4]
    broken = lines[3].replace('"1,698"', "n/a")
    assert broken != lines[3]
    [r2011] = ingest_path(store, write_csv(tmp_path / "census.csv", [*lines[:3], broken]))
    assert (r2011.rows_loaded, r2011.rows_rejected) == (2, 1)

    ts = [
        "total,2021 super output area - lower layer,mnemonic",
        "2284,Hartlepool 001A,E01011954",
        "1,344,Hartlepool 001B,E01011969",
        "about 1070,Hartlepool 001C,E01011970",
        ",,",
    ]
    [r2021] = ingest_path(store, write_csv(tmp_path / "ts001.csv", ts))
    # line 3 has a field too many (unquoted thousands separator), line 4 a word
    assert (r2021.rows_loaded, r2021.rows_rejected, r2021.rows_skipped) == (1, 2, 1)

    rejects = store.execute(
        "SELECT l.layout, r.line_no, r.reason FROM rejects r JOIN ingest_log l USING (ingest_id) "
        "ORDER BY r.ingest_id, r.line_no"
    ).fetchall()
    assert rejects == [
        ("census_2011_lsoa_population", 4, "Persons is not a whole number"),
        ("census_2021_ts001", 3, "expected 3 fields, found 4"),
        ("census_2021_ts001", 4, "total is not a whole number"),
    ]
    assert _one(store, "SELECT sum(persons) FROM population") == 1_563 + 1_379 + 2_284


def test_mid_year_long_layout_loads_and_is_replaced_by_a_revision(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = [
        MID_YEAR_HEADER,
        'E01009417,Birmingham 001A,LSOA2021,2022,"1,732"',
        "E08000025,Birmingham,local_authority,2022,1157603",
        "West Midlands,,force,2022,2943000",
        "E08000025,Birmingham,district,2022,1157603",  # not an area type
        "E0100941,Birmingham 001B,LSOA2021,2022,1500",  # not an LSOA code
        "E08000026,Coventry,local_authority,22,345324",  # not a year
    ]
    [r1] = ingest_path(store, write_csv(tmp_path / "mye-2022.csv", first))
    assert (r1.layout, r1.rows_loaded, r1.rows_rejected) == ("ons_mid_year_population", 3, 3)
    assert [n for (n,) in store.execute("SELECT line_no FROM rejects ORDER BY 1").fetchall()] == [
        5,
        6,
        7,
    ]
    # 1,732 + 1,157,603 + 2,943,000
    assert _one(store, "SELECT sum(persons) FROM population") == 4_102_335

    revised = [MID_YEAR_HEADER, "E08000025,Birmingham,local_authority,2022,1160000"]
    [r2] = ingest_path(store, write_csv(tmp_path / "mye-2022-revised.csv", revised))
    assert (r2.rows_replaced, r2.replaced_ingest_ids) == (1, [r1.ingest_id])
    assert store.execute(
        "SELECT area_code, persons, source FROM population ORDER BY 1"
    ).fetchall() == [
        ("E01009417", 1_732, "ons_mid_year_estimate"),
        ("E08000025", 1_160_000, "ons_mid_year_estimate"),
        ("West Midlands", 2_943_000, "ons_mid_year_estimate"),
    ]
