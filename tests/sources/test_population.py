"""Area lookup and population layouts, checked against sums taken from the files themselves."""

from __future__ import annotations

import csv
import gzip
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from conftest import SAMPLE, write_csv
from forcestat.errors import IngestError, LayoutError
from forcestat.ingest.inputs import SourceFile
from forcestat.ingest.load import ingest_path
from forcestat.ingest.spreadsheets import read_sheets
from forcestat.measures.denominators import force_populations
from forcestat.sources.population import (
    MYE2_PERSONS,
    MYE2_PERSONS_SHEET,
    mid_year_file_context,
    mid_year_in_title,
)

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


# --- the ONS mid-year estimates workbook, table MYE2 ------------------------------------
#
# Public code reading the published workbooks shows their shape: sheets "MYE2 - Persons",
# "MYE2 - Males" and "MYE2 - Females" with one header, Code, Name, Geography1 (mid-2019;
# Geography from mid-2020), All ages, 0 ... 89, 90+, on row 5 in the mid-2019 .xls (read
# with skip = 4) and on row 8 from mid-2020 (mid-2024: title in A1, header A8:CQ8, the UK
# on row 9). The workbooks here are built in that shape; the areas are real, the counts
# made up by persons_by_age, and the title rows other than A1 stand-ins.

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Sheet rows of MYE2_AREAS[:5] as the mid-2019 workbook lays them out, written as
# Excel 97-2003 (BIFF8) by xlwt 1.3.0: run this module as a script to write it again.
MID_2019_XLS = FIXTURES / "mye2-mid-2019.xls"
MID_2019_XLS_SHEETS = ["MYE2 - Persons", "MYE2 - Males", "MYE2 - Females"]
AGES: list[object] = [*range(90), "90+"]
WEST_MIDLANDS_DISTRICTS = [
    ("E08000025", "Birmingham"),
    ("E08000026", "Coventry"),
    ("E08000027", "Dudley"),
    ("E08000028", "Sandwell"),
    ("E08000029", "Solihull"),
    ("E08000030", "Walsall"),
    ("E08000031", "Wolverhampton"),
]
MYE2_AREAS = [
    ("K02000001", "UNITED KINGDOM", "Country"),
    ("E92000001", "ENGLAND", "Country"),
    ("E12000005", "WEST MIDLANDS", "Region"),
    ("E11000005", "West Midlands (Met County)", "Metropolitan County"),
    *[(code, name, "Metropolitan District") for code, name in WEST_MIDLANDS_DISTRICTS],
    ("E10000034", "Worcestershire", "County"),
    ("E07000234", "Bromsgrove", "Non-metropolitan District"),
    ("E06000019", "Herefordshire, County of", "Unitary Authority"),
    ("E09000001", "City of London", "London Borough"),
    ("W06000015", "Cardiff", "Unitary Authority"),
    ("S12000049", "Glasgow City", "Council Area"),
    ("N09000003", "Belfast", "Local Government District"),
]
# What each ONS label should become; counties add up districts and are not loaded.
AREA_TYPE = {
    "Country": "country",
    "Region": "region",
    "Metropolitan District": "local_authority",
    "Non-metropolitan District": "local_authority",
    "Unitary Authority": "local_authority",
    "London Borough": "local_authority",
    "Council Area": "local_authority",
    "Local Government District": "local_authority",
}


def persons_by_age(index: int, sex: str = "Persons") -> list[int]:
    """Made-up counts for ages 0..89 and 90+ of MYE2_AREAS[index]; persons = males + females."""
    persons = [1_000 * (index + 1) + (age * 37 + index * 11) % 400 for age in range(91)]
    if sex == "Males":
        return [n // 2 for n in persons]
    if sex == "Females":
        return [n - n // 2 for n in persons]
    return persons


@dataclass(frozen=True)
class Edition:
    file_name: str  # the ONS name (mid-2019 was an .xls, which openpyxl cannot write)
    year: int
    geography: str  # the third column's heading
    title_rows: int  # rows above the header


MID_2019 = Edition("ukmidyearestimates20192019ladcodes.xlsx", 2019, "Geography1", 4)
MID_2024 = Edition("mye24tablesuk.xlsx", 2024, "Geography", 7)


def mye2_rows(
    edition: Edition, sex: str = "Persons", areas: int = len(MYE2_AREAS)
) -> list[list[object]]:
    """One MYE2 sheet: title block, header row, a row per area."""
    title = (
        f"MYE2: {sex} by single year of age and sex for local authorities in the UK, "
        f"mid-{edition.year}"
    )
    block: list[list[object]] = [[title], ["Source: Office for National Statistics"]]
    block += [[] for _ in range(edition.title_rows - len(block))]
    header: list[object] = ["Code", "Name", edition.geography, "All ages", *AGES]
    data: list[list[object]] = []
    for i, (code, name, geography) in enumerate(MYE2_AREAS[:areas]):
        ages = persons_by_age(i, sex)
        data.append([code, name, geography, sum(ages), *ages])
    return [*block, header, *data]


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = "Contents"
    contents.append(["Population estimates for the UK, England and Wales, Scotland and NI"])
    summary = book.create_sheet("MYE1")
    summary.append(["MYE1: Population estimates: Summary for the UK"])
    summary.append(["Groups/codes", "UNITED KINGDOM"])
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def expected_population(year: int, areas: int = len(MYE2_AREAS)) -> list[tuple[object, ...]]:
    rows = [
        (code, name, AREA_TYPE[geography], year, sum(persons_by_age(i)), "ons_mid_year_estimate")
        for i, (code, name, geography) in enumerate(MYE2_AREAS[:areas])
        if geography in AREA_TYPE
    ]
    return sorted(rows)


STORED = (
    "SELECT area_code, area_name, area_type, population_year, persons, source "
    "FROM population ORDER BY area_code"
)


@pytest.mark.parametrize("edition", [MID_2019, MID_2024], ids=["mid-2019", "mid-2024"])
def test_mye2_workbook_loads_all_ages_by_area(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, edition: Edition
) -> None:
    path = write_workbook(tmp_path / edition.file_name, {MYE2_PERSONS_SHEET: mye2_rows(edition)})

    [result] = ingest_path(store, path)

    # 18 areas: 2 counties skipped; 2 countries, 1 region and 13 districts loaded
    assert (result.layout, result.part) == ("ons_mye2_persons", "MYE2 - Persons")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (16, 16, 0)
    assert result.rows_skipped == 2
    expected = expected_population(edition.year)
    assert len(expected) == 16
    assert store.execute(STORED).fetchall() == expected
    # line numbers are sheet rows: the UK is the first row under the header
    assert store.execute(
        "SELECT line_no FROM population WHERE area_code = 'K02000001'"
    ).fetchone() == (edition.title_rows + 2,)


def test_mye2_year_is_read_from_the_sheet_title_or_else_the_published_file_name(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    published = {
        "ukmidyearestimates20192019ladcodes.xls": 2019,
        "ukmidyearestimates20192020ladcodes.xls": 2019,
        "ukpopestimatesmid2020on2021geography.xls": 2020,
        "ukpopestimatesmid2021on2021geographyfinal.xls": 2021,
        "mye22final.xlsx": 2022,
        "mye23tablesuk.xlsx": 2023,
        "mye24tablesuk.xlsx": 2024,
        "population-mid-2019.xlsx": 2019,
    }
    for name, year in published.items():
        assert mid_year_file_context(name) == {"population_year": year}, name
    # The title states it too (the mid-2024 sheet's A1, as published).
    title = "MYE2: Persons by single year of age and sex for local authorities in the UK, mid-2024"
    assert mid_year_in_title([[title, ""], []]) == 2024
    assert mid_year_in_title([["MYE2 - Persons"]]) is None

    # Renamed, and its title stripped of the year: nothing says which year it is.
    untitled = mye2_rows(MID_2019, areas=3)
    untitled[0] = ["MYE2: Persons by single year of age and sex for local authorities in the UK"]
    renamed = write_workbook(
        tmp_path / "ons-mid-year-population.xlsx", {MYE2_PERSONS_SHEET: untitled}
    )
    with pytest.raises(IngestError, match="keep the name ONS publishes it under"):
        ingest_path(store, renamed)
    assert store.execute("SELECT count(*) FROM ingest_log").fetchone() == (0,)
    assert store.execute("SELECT count(*) FROM population").fetchone() == (0,)

    # The same sheet under its published name: the name gives 2019.
    named = write_workbook(tmp_path / MID_2019.file_name, {MYE2_PERSONS_SHEET: untitled})
    ingest_path(store, named)
    # UK, England and West Midlands (rows 0-2 of MYE2_AREAS), all for 2019
    assert store.execute(STORED).fetchall() == expected_population(2019, areas=3)


def test_mye2_year_in_the_sheet_title_wins_over_the_file_name(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # A mid-2019 sheet (title "..., mid-2019") in a file renamed, then in one named as
    # the mid-2024 workbook: the title, written by ONS inside the file, says 2019 both times.
    sheet = {MYE2_PERSONS_SHEET: mye2_rows(MID_2019, areas=3)}
    assert str(sheet[MYE2_PERSONS_SHEET][0][0]).endswith("mid-2019")

    [renamed] = ingest_path(store, write_workbook(tmp_path / "population.xlsx", sheet))
    assert store.execute(STORED).fetchall() == expected_population(2019, areas=3)

    misnamed = tmp_path / MID_2024.file_name
    sheet[MYE2_PERSONS_SHEET][1] = ["Source: Office for National Statistics (copy)"]
    [again] = ingest_path(store, write_workbook(misnamed, sheet))
    # the same areas and year: the second file replaces the first's three rows
    assert (again.rows_replaced, again.replaced_ingest_ids) == (3, [renamed.ingest_id])
    assert store.execute(STORED).fetchall() == expected_population(2019, areas=3)


def test_mye2_rows_that_break_the_layout_are_rejected_by_sheet_row(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = mye2_rows(MID_2024, areas=5)  # title rows 1-7, header 8, areas on rows 9-13
    ages = persons_by_age(0)
    rows.append(["E47000007", "West Midlands", "Combined Authority", sum(ages), *ages])  # 14
    rows.append(["E06000020", "Telford and Wrekin", "Unitary Authority", "n/a", *ages])  # 15
    rows.append(["", "Nowhere", "Unitary Authority", sum(ages), *ages])  # 16
    path = write_workbook(tmp_path / MID_2024.file_name, {MYE2_PERSONS_SHEET: rows})

    [result] = ingest_path(store, path)

    assert (result.rows_loaded, result.rows_rejected, result.rows_skipped) == (4, 3, 1)
    got = store.execute("SELECT line_no, reason FROM rejects ORDER BY line_no").fetchall()
    assert got == [
        (14, "Geography is not one of Country, Region, Unitary Authority, Metropolitan "
         "District, Non-metropolitan District, London Borough, Council Area, Local "
         "Government District (nor County, Metropolitan County, Inner London, Outer "
         "London, which are skipped)"),
        (15, "All ages is not a whole number"),
        (16, "Code is blank or not an ONS area code (a capital letter and eight digits)"),
    ]  # fmt: skip
    assert store.execute(STORED).fetchall() == expected_population(2024, areas=5)


def test_mye2_wrong_header_is_refused_naming_the_sheets(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = mye2_rows(MID_2024, areas=3)
    header = rows[MID_2024.title_rows]
    assert header[-1] == "90+"
    # An older age grouping: 0 ... 84 and 85+, so the header is not the MYE2 one.
    rows[MID_2024.title_rows] = [*header[:4], *range(85), "85+"]
    path = write_workbook(tmp_path / MID_2024.file_name, {MYE2_PERSONS_SHEET: rows})

    with pytest.raises(LayoutError) as caught:
        ingest_path(store, path)

    assert str(caught.value) == (
        f"{path}: no sheet has a header forcestat knows (sheets: Contents, MYE1, MYE2 - Persons)"
    )
    assert store.execute("SELECT count(*) FROM ingest_log").fetchone() == (0,)


def test_mye2_districts_give_the_force_population(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    west_midlands = {(r[3], r[4]) for r in _rows(LOOKUP) if r[9] == "West Midlands"}
    assert west_midlands == set(WEST_MIDLANDS_DISTRICTS)  # the seven districts written
    district_rows = [i for i, area in enumerate(MYE2_AREAS) if area[:2] in west_midlands]
    expected = sum(sum(persons_by_age(i)) for i in district_rows)

    workbook = write_workbook(
        tmp_path / MID_2019.file_name, {MYE2_PERSONS_SHEET: mye2_rows(MID_2019)}
    )
    ingest_path(store, LOOKUP)
    ingest_path(store, workbook)
    population = force_populations(store, 2019)["West Midlands"]

    assert (population.persons, population.population_year) == (expected, 2019)
    assert (population.method, population.units, population.source) == (
        "local_authority",
        7,
        "ons_mid_year_estimate",
    )


def test_mye2_figures_are_revised_by_the_long_layout(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / MID_2024.file_name, {MYE2_PERSONS_SHEET: mye2_rows(MID_2024)})
    [workbook] = ingest_path(store, path)
    revision = [MID_YEAR_HEADER, "E08000025,Birmingham,local_authority,2024,1200000"]

    [revised] = ingest_path(store, write_csv(tmp_path / "birmingham-2024.csv", revision))

    assert (revised.rows_replaced, revised.replaced_ingest_ids) == (1, [workbook.ingest_id])
    assert store.execute(
        "SELECT persons FROM population WHERE area_code = 'E08000025'"
    ).fetchall() == [(1_200_000,)]
    assert store.execute("SELECT count(*) FROM population").fetchone() == (16,)


def _as_text(row: list[object]) -> list[str]:
    return [str(v) for v in row]


def test_mye2_xls_as_published_is_read_by_calamine() -> None:
    source = SourceFile(str(MID_2019_XLS), MID_2019_XLS, MID_2019_XLS.name, "", 1, None)

    sheets = {s.name: s for s in read_sheets(source, [MYE2_PERSONS.header_search_rows])}

    assert list(sheets) == ["Contents", "MYE1", *MID_2019_XLS_SHEETS]
    for sex in ("Persons", "Males", "Females"):
        cells = sheets[f"MYE2 - {sex}"].cells
        written = mye2_rows(MID_2019, sex, areas=5)
        assert cells[0][0] == written[0][0]  # the title, "..., mid-2019"
        assert MYE2_PERSONS.match(cells[4]) == MYE2_PERSONS.variants[0]  # Geography1, row 5
        assert [row[: len(written[5])] for row in cells[5:]] == [
            _as_text(row) for row in written[5:]
        ]


def test_mye2_xls_workbook_loads_its_persons_sheet(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "ukmidyearestimates20192019ladcodes.xls"
    shutil.copyfile(MID_2019_XLS, path)

    results = ingest_path(store, path)

    assert [(r.part, r.layout) for r in results] == [("MYE2 - Persons", "ons_mye2_persons")]
    assert store.execute(STORED).fetchall() == expected_population(2019, areas=5)


def test_mye2_sex_sheets_are_not_loaded_as_persons(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    sheets = {f"MYE2 - {sex}": mye2_rows(MID_2024, sex) for sex in ("Persons", "Females", "Males")}
    path = write_workbook(tmp_path / MID_2024.file_name, sheets)

    results = ingest_path(store, path)

    assert [r.part for r in results] == ["MYE2 - Persons"]
    assert store.execute(STORED).fetchall() == expected_population(2024)


def test_mye2_sex_sheet_alone_is_refused_saying_which_sheet_is_read(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / MID_2024.file_name, {"MYE2 - Males": mye2_rows(MID_2024)})

    with pytest.raises(LayoutError) as caught:
        ingest_path(store, path)

    assert str(caught.value) == (
        f"{path}: no sheet has a header forcestat knows (sheets: Contents, MYE1, MYE2 - Males); "
        "sheet 'MYE2 - Males' has the header of layout ons_mye2_persons (ONS mid-year "
        "estimates workbook, MYE2 persons by single year of age), read only from sheet "
        "'MYE2 - Persons'"
    )
    assert store.execute("SELECT count(*) FROM ingest_log").fetchone() == (0,)


def _write_mid_2019_xls(path: Path) -> None:
    """Write MID_2019_XLS: the mid-2019 sheets in the format ONS published them (.xls)."""
    import xlwt  # only to write the fixture again; not a test dependency

    book = xlwt.Workbook()
    book.add_sheet("Contents").write(0, 0, "Population estimates for the UK, mid-2019")
    book.add_sheet("MYE1").write(0, 0, "MYE1: Population estimates: Summary for the UK")
    for name in MID_2019_XLS_SHEETS:
        sheet = book.add_sheet(name)
        rows = mye2_rows(MID_2019, name.removeprefix("MYE2 - "), areas=5)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.save(str(path))


if __name__ == "__main__":
    _write_mid_2019_xls(Path(sys.argv[1]) if len(sys.argv) > 1 else MID_2019_XLS)
