"""ONS police force area data tables, rolling totals and PFA populations, on the real files.

Expected figures are read from the files in the test with openpyxl and the csv module
(not forcestat's readers), and the headline ones are the values the publications print.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

import duckdb
from openpyxl import Workbook, load_workbook

from forcestat.ingest.load import ingest_path
from forcestat.sources.ons_pfa import clean_label

# The published files as bundled (see data/tables/PROVENANCE.md).
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "tables"
PRC_FILE = REPO / "data" / "sample" / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
PFA_TABLES = DATA / "ons" / "pfa-tables"
JUNE_2019 = PFA_TABLES / "policeforceareatablesyearendingjune2019.xlsx.gz"
MARCH_2018 = PFA_TABLES / "policeforceareatablesyearendingmarch2018v2.xlsx.gz"
DEC_2018 = PFA_TABLES / "policeforceareatablesyearendingdecember2018.xlsx.gz"
DEC_2019 = PFA_TABLES / "pfatablesdec19.xlsx.gz"
ROLLING = DATA / "homeoffice" / "rec-crime-pfa.csv.gz"
POPULATION = DATA / "population" / "pfa_population_data_mid2018.csv.gz"
PRC_201718 = PRC_FILE


TOTAL = "Total recorded crime (excluding fraud)"
WEST_MIDLANDS = "E23000014"


def _workbook(path: Path) -> Workbook:
    return load_workbook(io.BytesIO(gzip.decompress(path.read_bytes())), data_only=True)


def _sheet(wb: Workbook, prefix: str):  # type: ignore[no-untyped-def]
    return next(wb[n] for n in wb.sheetnames if n.strip() == prefix)


def _p1_total(path: Path, code: str) -> float:
    """Column C of the row whose column A is ``code`` in Table P1 (header row 5)."""
    sheet = _sheet(_workbook(path), "Table P1")
    for row in sheet.iter_rows(values_only=True):
        if row[0] == code:
            return float(row[2])
    raise AssertionError(code)


def _figure(
    con: duckdb.DuckDBPyConnection, source: str, end: str, series: str, unit: str = "count"
) -> float:
    row = con.execute(
        "SELECT value FROM force_figures WHERE source = ? AND period_end = ? AND area_code = ? "
        "AND series = ? AND unit = ?",
        [source, end, WEST_MIDLANDS, series, unit],
    ).fetchone()
    assert row is not None, (source, end, series)
    return float(row[0])


def _rolling_total_excluding_fraud(force: str, date: str) -> int:
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        return sum(
            int(r["Rolling year total number of offences"])
            for r in csv.DictReader(fh)
            if r["PFA"] == force
            and r["12 months ending"] == date
            and r["Offence"] != "Fraud offences"
        )


def test_clean_label_drops_footnote_digits() -> None:
    assert clean_label("Total recorded crime (excluding fraud3)") == TOTAL
    assert clean_label("Residential burglary5") == "Residential burglary"
    assert clean_label("Death or serious injury - unlawful driving 4") == (
        "Death or serious injury caused by illegal driving"
    )


def test_every_edition_loads_and_west_midlands_totals_agree_across_sources(
    store: duckdb.DuckDBPyConnection,
) -> None:
    results = ingest_path(store, PFA_TABLES)
    assert {r.status for r in results} == {"loaded"}
    ingest_path(store, ROLLING)
    # Every edition's P1 gives West Midlands' total: as ONS printed it in each edition.
    for path in sorted(PFA_TABLES.glob("*.xlsx.gz")):
        expected = _p1_total(path, WEST_MIDLANDS)
        held = store.execute(
            "SELECT f.value FROM force_figures f JOIN ingest_log l USING (ingest_id) "
            "WHERE l.file_name = ? AND f.area_code = ? AND f.series = ? AND f.unit = 'count'",
            [path.name, WEST_MIDLANDS, TOTAL],
        ).fetchone()
        assert held is not None and held[0] == expected, path.name
    assert _figure(store, "ons_pfa_tables", "2019-06-01", TOTAL) == 262_558
    assert _p1_total(JUNE_2019, WEST_MIDLANDS) == 262_558
    # March 2018: the ONS edition, the rolling totals and the offence-code table agree.
    assert _figure(store, "ons_pfa_tables", "2018-03-01", TOTAL) == 233_393
    assert _rolling_total_excluding_fraud("West Midlands", "31-03-2018") == 233_393
    rolling = store.execute(
        "SELECT sum(value) FROM force_figures WHERE source = 'homeoffice_rolling_totals' "
        "AND period_end = '2018-03-01' AND force_name = 'West Midlands' "
        "AND series <> 'Fraud offences'"
    ).fetchone()
    assert rolling is not None and rolling[0] == 233_393
    with gzip.open(PRC_201718, "rt", encoding="utf-8-sig", newline="") as fh:
        prc = sum(
            int(r["Number of Offences"].strip().replace("-00", "0") or 0)
            for r in csv.DictReader(fh)
            if r["Force Name"].strip() == "West Midlands" and r["Offence Group"] != "Fraud offences"
        )
    assert prc == 233_393
    # December 2018: the rolling totals and the ONS edition.
    assert _figure(store, "ons_pfa_tables", "2018-12-01", TOTAL) == 252_689
    assert _rolling_total_excluding_fraud("West Midlands", "31-12-2018") == 252_689
    assert _p1_total(DEC_2018, WEST_MIDLANDS) == 252_689


def test_dec_2017_published_as_30_12_2017_is_december(store: duckdb.DuckDBPyConnection) -> None:
    ingest_path(store, ROLLING)
    expected = _rolling_total_excluding_fraud("West Midlands", "30-12-2017")
    held = store.execute(
        "SELECT sum(value), count(DISTINCT period_end) FROM force_figures "
        "WHERE period_end = '2017-12-01' AND force_name = 'West Midlands' "
        "AND series <> 'Fraud offences'"
    ).fetchone()
    assert held == (expected, 1)
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    loaded = store.execute("SELECT count(*) FROM force_figures").fetchone()
    assert loaded is not None and loaded[0] == rows
    # Loading it again is a no-op (same sha256).
    again = ingest_path(store, ROLLING)
    assert [r.status for r in again] == ["already_loaded"]


def test_greater_manchester_from_july_2019_is_not_available_with_the_reason(
    store: duckdb.DuckDBPyConnection,
) -> None:
    ingest_path(store, DEC_2019)
    sheet = _sheet(_workbook(DEC_2019), "Table P1")
    gmp = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "E23000005")
    assert gmp[2] == ".."
    value, why = store.execute(
        "SELECT value, not_available FROM force_figures WHERE area_code = 'E23000005' "
        "AND series = ? AND unit = 'count' AND table_name = 'Table P1'",
        [TOTAL],
    ).fetchone() or (0, "")
    assert value is None
    assert "new IT system in July 2019" in why
    # The national total leaves Greater Manchester out, and says so.
    note = store.execute(
        "SELECT note FROM force_figures WHERE area_code = 'K04000001' AND series = ? "
        "AND unit = 'count'",
        [TOTAL],
    ).fetchone()
    assert note is not None and "not included in the National and Regional totals" in note[0]


def test_population_csv_and_p3_give_west_midlands_mid_2018(
    store: duckdb.DuckDBPyConnection,
) -> None:
    ingest_path(store, POPULATION)
    with gzip.open(POPULATION, "rt", encoding="utf-8", newline="") as fh:
        by_code = {r["code"]: int(r["MYE2018"]) for r in csv.DictReader(fh)}
    held = store.execute(
        "SELECT persons FROM population WHERE area_code = 'West Midlands' AND area_type = 'force' "
        "AND population_year = 2018"
    ).fetchone()
    assert held is not None and held[0] == by_code[WEST_MIDLANDS] == 2_916_500
    region = store.execute(
        "SELECT persons FROM population WHERE area_code = 'E12000005' AND population_year = 2018"
    ).fetchone()
    assert region is not None and region[0] == by_code["E12000005"]
    # P3 of the June 2019 edition gives the same figure, and its rate is 90.0 per 1,000.
    p3 = _sheet(_workbook(JUNE_2019), "Table P3")
    row = next(r for r in p3.iter_rows(values_only=True) if r[0] == WEST_MIDLANDS)
    assert row[2] == 2_916_500
    assert round(262_558 / 2_916_500 * 1000, 1) == round(row[5], 1) == 90.0


def test_p9_gives_populations_by_year(store: duckdb.DuckDBPyConnection) -> None:
    ingest_path(store, MARCH_2018)
    p9 = _sheet(_workbook(MARCH_2018), "Table P9")
    rows = list(p9.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Area Code")
    wm = next(r for r in rows if r[0] == WEST_MIDLANDS)
    expected = {int(y): int(v) for y, v in zip(header[2:], wm[2:], strict=False) if y and v}
    held = dict(
        store.execute(
            "SELECT population_year, persons FROM population WHERE area_code = 'West Midlands' "
            "AND population_year <= 2016"
        ).fetchall()
    )
    assert held == expected and min(held) == 2002


def test_a_workbook_with_moved_rows_and_renamed_sheets_loads_the_same(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """A future edition: three rows inserted above every table, sheets renamed."""
    wb = _workbook(JUNE_2019)
    for index, sheet in enumerate(list(wb.worksheets)):
        sheet.insert_rows(1, amount=3)
        sheet.title = f"Sheet {index}"
    moved = tmp_path / "policeforceareatablesmoved.xlsx"
    wb.save(moved)
    ingest_path(store, moved)
    assert _figure(store, "ons_pfa_tables", "2019-06-01", TOTAL) == 262_558
    robbery = _sheet(_workbook(JUNE_2019), "Table P1")
    rows = list(robbery.iter_rows(values_only=True))
    col = rows[4].index("Robbery")
    wm = next(r for r in rows if r[0] == WEST_MIDLANDS)
    assert _figure(store, "ons_pfa_tables", "2019-06-01", "Robbery") == wm[col]
    line = store.execute(
        "SELECT line_no FROM force_figures WHERE area_code = ? AND series = ? AND unit = 'count'",
        [WEST_MIDLANDS, TOTAL],
    ).fetchone()
    original = next(i for i, r in enumerate(rows, start=1) if r[0] == WEST_MIDLANDS)
    assert line is not None and line[0] == original + 3


def test_a_bad_cell_is_rejected_naming_the_cell(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    wb = _workbook(JUNE_2019)
    p1 = _sheet(wb, "Table P1")
    at = next(
        i for i, r in enumerate(p1.iter_rows(values_only=True), start=1) if r[0] == WEST_MIDLANDS
    )
    p1.cell(row=at, column=3, value="lots")
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    ingest_path(store, bad)
    rejects = store.execute("SELECT line_no, raw_line, reason FROM rejects").fetchall()
    assert len(rejects) == 1
    line, raw, reason = rejects[0]
    assert line == at and f"C{at}" in raw and "lots" in raw
    assert "neither a number" in reason
    assert _figure(store, "ons_pfa_tables", "2019-06-01", "Robbery") > 0


def test_gzipped_and_plain_workbooks_read_alike(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plain = tmp_path / "policeforceareatablesyearendingjune2019.xlsx"
    with gzip.open(JUNE_2019) as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    ingest_path(store, plain)
    assert _figure(store, "ons_pfa_tables", "2019-06-01", TOTAL) == 262_558


def test_a_corrected_edition_replaces_the_period_and_a_reload_is_a_no_op(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = ingest_path(store, JUNE_2019)
    again = ingest_path(store, JUNE_2019)
    assert {r.status for r in again} == {"already_loaded"} and len(again) == len(first)
    rows_before = store.execute("SELECT count(*) FROM force_figures").fetchone()
    # A corrected edition: West Midlands' robbery restated.
    wb = _workbook(JUNE_2019)
    p1 = _sheet(wb, "Table P1")
    header = next(r for r in p1.iter_rows(values_only=True) if r[0] == "Area Code")
    col = header.index("Robbery") + 1
    at = next(
        i for i, r in enumerate(p1.iter_rows(values_only=True), start=1) if r[0] == WEST_MIDLANDS
    )
    p1.cell(row=at, column=col, value=9_999)
    corrected = tmp_path / "policeforceareatablesyearendingjune2019corrected.xlsx"
    wb.save(corrected)
    results = ingest_path(store, corrected)
    assert any(r.rows_replaced for r in results)
    assert store.execute("SELECT count(*) FROM force_figures").fetchone() == rows_before
    assert _figure(store, "ons_pfa_tables", "2019-06-01", "Robbery") == 9_999
