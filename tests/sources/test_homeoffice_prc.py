"""Home Office recorded-crime tables and the offence-code lookup, checked against the files.

Every expected figure is worked out here with the csv module from the bundled file (or
written by hand in a comment), never read back from forcestat's own output.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import SAMPLE, write_csv
from forcestat.ingest.load import ingest_path
from forcestat.sources.policeuk import CRIME_TYPES
from forcestat.store.database import open_store

PFA = SAMPLE / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
LOOKUP = SAMPLE / "homeoffice" / "CrimeCatMappings.csv.gz"
PFA_HEADER = (
    "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
    "Offence Subgroup,Offence Code,Number of Offences"
)
CSP_HEADER = (
    "Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,Offence Group,"
    "Offence Subgroup,Offence Code,Number of Offences"
)
COMPARATORS = (
    "West Midlands",
    "Greater Manchester",
    "Merseyside",
    "West Yorkshire",
    "Metropolitan Police",
)
HOMICIDE = "1/4.1/4.10/4.2"  # the published combined row for codes 1, 4.1, 4.10, 4.2


def _rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def _count(text: str) -> int:
    return int(text.strip())  # int("-00") == 0


def _pfa_totals(rows: list[list[str]]) -> Counter[tuple[str, int]]:
    totals: Counter[tuple[str, int]] = Counter()
    for r in rows:
        totals[(r[2], int(r[1]))] += _count(r[7])
    return totals


def _store_totals(
    store: duckdb.DuckDBPyConnection, where: str = "TRUE"
) -> dict[tuple[str, int], int]:
    return {
        (force, int(q)): int(n)
        for force, q, n in store.execute(
            f"SELECT force_name, financial_quarter, sum(offences) FROM offence_counts "
            f"WHERE {where} GROUP BY ALL"
        ).fetchall()
    }


def test_pfa_sample_totals_match_the_file(store: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(PFA)
    expected = _pfa_totals(rows)

    [result] = ingest_path(store, PFA)

    assert result.layout == "homeoffice_prc_pfa"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (len(rows), 23068, 0)
    assert _store_totals(store) == dict(expected)
    # The published quick check (shared/data/README.md), recomputed from the file above.
    wm = sum(n for (force, _q), n in expected.items() if force == "West Midlands")
    assert wm == 233_393
    (stored,) = store.execute(
        "SELECT sum(offences) FROM offence_counts WHERE force_name = 'West Midlands'"
    ).fetchone() or (None,)
    assert stored == 233_393
    for force in COMPARATORS:
        for quarter in (1, 2, 3, 4):
            assert (
                _store_totals(store, f"force_name = '{force}'")[(force, quarter)]
                == expected[(force, quarter)]
            )


def test_homicide_counts_for_the_comparator_forces(store: duckdb.DuckDBPyConnection) -> None:
    expected = {(r[2], int(r[1])): _count(r[7]) for r in _rows(PFA) if r[6] == HOMICIDE}
    ingest_path(store, PFA)
    got = {
        (f, int(q)): int(n)
        for f, q, n in store.execute(
            "SELECT force_name, financial_quarter, offences FROM offence_counts "
            "WHERE offence_code = ?",
            [HOMICIDE],
        ).fetchall()
    }
    assert got == expected
    for force in COMPARATORS:
        assert sum(got[(force, q)] for q in (1, 2, 3, 4)) == sum(
            expected[(force, q)] for q in (1, 2, 3, 4)
        )


def test_pfa_rows_load_as_published(store: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(PFA)
    ingest_path(store, PFA)
    forces = {
        f for (f,) in store.execute("SELECT DISTINCT force_name FROM offence_counts").fetchall()
    }
    assert forces == {r[2] for r in rows}
    assert {
        "London, City of",
        "Action Fraud",
        "CIFAS",
        "UK Finance",
        "Financial Fraud Action UK",
        "British Transport Police",
    } <= forces
    # Q1 of 2017/18 starts 2017-04-01, Q2 2017-07-01, Q3 2017-10-01, Q4 2018-01-01.
    starts = dict(
        store.execute(
            "SELECT DISTINCT financial_quarter, strftime(quarter_start, '%Y-%m-%d') "
            "FROM offence_counts"
        ).fetchall()
    )
    assert starts == {1: "2017-04-01", 2: "2017-07-01", 3: "2017-10-01", 4: "2018-01-01"}
    # '-00' is zero; the published negative quarters stay negative.
    zeros = sum(1 for r in rows if r[7].strip() == "-00")
    negatives = sum(1 for r in rows if _count(r[7]) < 0)
    assert (zeros, negatives) == (5792, 36)
    assert store.execute("SELECT count(*) FROM offence_counts WHERE offences < 0").fetchone() == (
        negatives,
    )
    # Lancashire, Q3, other miscellaneous sexual offences: published as -45 (line 14234).
    assert store.execute(
        "SELECT offences, line_no FROM offence_counts WHERE force_name = 'Lancashire' "
        "AND financial_quarter = 3 AND offence_code = '88C'"
    ).fetchone() == (-45, 14234)


def test_reloading_the_same_file_changes_nothing(store: duckdb.DuckDBPyConnection) -> None:
    [first] = ingest_path(store, PFA)
    [again] = ingest_path(store, PFA)
    assert again.status == "already_loaded"
    assert again.ingest_id == first.ingest_id
    assert store.execute("SELECT count(*) FROM offence_counts").fetchone() == (23068,)
    assert store.execute("SELECT count(*) FROM ingest_log").fetchone() == (1,)


def _pandas_variant(path: Path) -> Path:
    """The same table as crime-sim-toolkit republished it: index, underscores, police.uk type."""
    category = {r[2]: r[5] for r in _rows(LOOKUP)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["", *(h.replace(" ", "_") for h in PFA_HEADER.split(",")), "Policeuk_Cat"])
    for i, r in enumerate(_rows(PFA)):
        writer.writerow([i, *r[:7], _count(r[7]), category[r[6]]])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_republished_variant_replaces_the_same_quarters(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    expected = _pfa_totals(_rows(PFA))
    [original] = ingest_path(store, PFA)
    [newer] = ingest_path(store, _pandas_variant(tmp_path / "prc-pfa-201718_new.csv"))

    assert newer.layout == "homeoffice_prc_pfa"
    assert newer.rows_replaced == original.rows_loaded == 23068
    assert newer.replaced_ingest_ids == [original.ingest_id]
    assert _store_totals(store) == dict(expected)
    assert store.execute("SELECT DISTINCT ingest_id FROM offence_counts").fetchall() == [
        (newer.ingest_id,)
    ]


GOOD_ROWS = [
    "2017/18,1,West Midlands,Homicide,Violence against the person,Homicide,1/4.1/4.10/4.2, 9 ",
    '2017/18,1,"London, City of",Bigamy,Miscellaneous crimes,Miscellaneous crimes,26,-00 ',
]


def test_bad_rows_are_rejected_with_their_line(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    bad = {
        4: ("2017/18,5,West Midlands,Bigamy,Misc,Misc,26, 1 ", "Financial Quarter"),
        5: ("2017/19,1,West Midlands,Bigamy,Misc,Misc,26, 1 ", "Financial Year"),
        6: ("2017/18,1,West Midlands,Bigamy,Misc,Misc,26, n/a ", "Number of Offences"),
        7: ("2017/18,1,West Midlands,Bigamy,Misc,Misc,26,2.5", "Number of Offences"),
        8: ("2017/18,1,West Midlands,Bigamy,Misc,Misc,, 1 ", "Offence Code"),
        9: ("2017/18,1,West Midlands,Bigamy,Misc,Misc,26", "expected 8 fields"),
    }
    lines = [PFA_HEADER, *GOOD_ROWS, *(text for text, _ in bad.values())]
    # line 1 header, lines 2-3 good, lines 4-9 bad
    [result] = ingest_path(store, write_csv(tmp_path / "pfa.csv", lines))

    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 2, 6)
    rejects = store.execute("SELECT line_no, raw_line, reason FROM rejects ORDER BY 1").fetchall()
    assert [n for n, _, _ in rejects] == list(bad)
    for line_no, raw, reason in rejects:
        assert raw == bad[line_no][0]
        assert bad[line_no][1] in reason
    assert store.execute(
        "SELECT force_name, offences, line_no FROM offence_counts ORDER BY line_no"
    ).fetchall() == [("West Midlands", 9, 2), ("London, City of", 0, 3)]


def test_csp_table_keeps_partnerships_apart(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = [
        CSP_HEADER,
        "2017/18,1,West Midlands,Birmingham,Bigamy,Misc,Misc,26, 2 ",
        "2017/18,1,West Midlands,Coventry,Bigamy,Misc,Misc,26, 3 ",
        "2017/18,2,West Midlands,Coventry,Bigamy,Misc,Misc,26, 4 ",
        "2017/18,2,West Midlands,,Bigamy,Misc,Misc,26, 4 ",
    ]
    [r1] = ingest_path(store, write_csv(tmp_path / "csp1.csv", first))
    assert (r1.layout, r1.rows_loaded, r1.rows_rejected) == ("homeoffice_prc_csp", 3, 1)
    ingest_path(store, PFA)  # force-level rows have no CSP and must not touch CSP rows
    # A newer edition restating Coventry Q1 only: replaces that one row.
    second = [CSP_HEADER, "2017/18,1,West Midlands,Coventry,Bigamy,Misc,Misc,26, 5 "]
    [r2] = ingest_path(store, write_csv(tmp_path / "csp2.csv", second))
    assert r2.rows_replaced == 1
    got = store.execute(
        "SELECT csp_name, financial_quarter, offences FROM offence_counts "
        "WHERE csp_name IS NOT NULL ORDER BY ALL"
    ).fetchall()
    assert got == [("Birmingham", 1, 2), ("Coventry", 1, 5), ("Coventry", 2, 4)]
    assert store.execute(
        "SELECT count(*) FROM offence_counts WHERE csp_name IS NULL"
    ).fetchone() == (23068,)


# --- the published workbook shape: cover sheet, title block, header a few rows down ---

_WORKBOOK_FORCES = ("West Midlands", "Merseyside", "London, City of")


def _workbook_rows() -> list[list[object]]:
    """Title, subtitle, blank, header, then the real rows for three forces (counts as numbers)."""
    data = [r for r in _rows(PFA) if r[2] in _WORKBOOK_FORCES]
    blank: list[object] = [None] * 7
    return [
        ["Police recorded crime by police force area, year ending March 2018", *blank],
        ["Source: Police recorded crime, Home Office", *blank],
        [None, *blank],
        PFA_HEADER.split(","),
        *([*r[:7], _count(r[7])] for r in data),
    ]


NOTES = [["Notes"], ["1. Figures are for offences recorded by the police."]]


def _expected_workbook_totals() -> Counter[tuple[str, int]]:
    return _pfa_totals([r for r in _rows(PFA) if r[2] in _WORKBOOK_FORCES])


def test_ods_workbook_loads_its_data_sheet(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "prc-pfa-mar2013-onwards-tables.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame(NOTES).to_excel(writer, sheet_name="Notes", header=False, index=False)
        pd.DataFrame(_workbook_rows()).to_excel(
            writer, sheet_name="2017-18", header=False, index=False
        )
    expected = _expected_workbook_totals()

    results = ingest_path(store, path)

    assert [(r.part, r.layout) for r in results] == [("2017-18", "homeoffice_prc_pfa")]
    assert results[0].rows_rejected == 0
    assert results[0].rows_loaded == sum(1 for r in _rows(PFA) if r[2] in _WORKBOOK_FORCES)
    assert _store_totals(store) == dict(expected)
    # header on sheet row 4, so the first data row is row 5
    assert store.execute("SELECT min(line_no) FROM offence_counts").fetchone() == (5,)


def test_xlsx_workbook_loads_and_rejects_by_sheet_row(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Contents"
    for row in NOTES:
        notes.append(row)
    sheet = book.create_sheet("Table 1")
    rows = _workbook_rows()
    for row in rows:
        sheet.append(row)
    sheet.append(["2017/18", 7, "West Midlands", "Bigamy", "Misc", "Misc", "26", 1])
    bad_row = len(rows) + 1  # the appended row's sheet row number
    path = tmp_path / "prc-pfa.xlsx"
    book.save(path)

    [result] = ingest_path(store, path)

    assert (result.part, result.rows_rejected) == ("Table 1", 1)
    assert store.execute("SELECT line_no, reason FROM rejects").fetchall() == [
        (bad_row, "Financial Quarter is not 1, 2, 3 or 4")
    ]
    assert _store_totals(store) == dict(_expected_workbook_totals())


# --- the offence-code lookup ---


def test_offence_code_lookup_loads_with_police_uk_spelling(
    store: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(LOOKUP)
    spelling = {t.casefold(): t for t in CRIME_TYPES}
    expected = {r[2]: spelling[r[5].casefold()] for r in rows}  # KeyError would fail the test

    [result] = ingest_path(store, LOOKUP)

    assert (result.layout, result.rows_loaded, result.rows_rejected) == (
        "homeoffice_offence_codes",
        132,
        0,
    )
    got = dict(
        store.execute("SELECT offence_code, policeuk_crime_type FROM offence_codes").fetchall()
    )
    assert got == expected
    assert got["28E"] == "Burglary"
    assert got["39"] == "Theft from the person"  # published as 'Theft from the Person'
    # Every offence code in the force table has a lookup entry.
    ingest_path(store, PFA)
    assert store.execute(
        "SELECT count(*) FROM offence_counts c ANTI JOIN offence_codes o USING (offence_code)"
    ).fetchone() == (0,)


def test_offence_code_lookup_rejects_an_unknown_police_uk_type(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    lines = [
        ",Offence_Group,Offence_Code,Offence_Description,Offence_Subgroup,Police.uk_Cat",
        "0,Robbery,34B,Robbery of personal property,Robbery,ROBBERY",
        "1,Robbery,34A,Robbery of business property,Robbery,Mugging",
        "2,Miscellaneous crimes,99,Other notifiable offences,Miscellaneous crimes,",
    ]
    [result] = ingest_path(store, write_csv(tmp_path / "codes.csv", lines))
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert store.execute("SELECT line_no, reason FROM rejects").fetchall() == [
        (3, "Police.uk_Cat is not a police.uk crime type")
    ]
    assert store.execute(
        "SELECT offence_code, policeuk_crime_type FROM offence_codes ORDER BY 1"
    ).fetchall() == [("34B", "Robbery"), ("99", None)]


# --- property: whatever rows arrive, every one is either loaded or rejected at its line ---

_name = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() != "")


@st.composite
def _pfa_row(draw: st.DrawFn) -> tuple[list[str], bool]:
    """A row and whether the layout should accept it."""
    year = draw(st.integers(2002, 2030))
    row = [
        f"{year}/{(year + 1) % 100:02d}",
        str(draw(st.integers(1, 4))),
        draw(_name),
        draw(_name),
        draw(_name),
        draw(_name),
        draw(st.sampled_from(["1/4.1/4.10/4.2", "28E", "37.2", "AF"])),
        draw(st.sampled_from([" {} ", "{}", "-{}"])).format(draw(st.integers(0, 10**6))),
    ]
    flaw = draw(st.sampled_from(["none", "none", "fields", "count", "year", "quarter"]))
    if flaw == "fields":
        row = row[:-1] if draw(st.booleans()) else [*row, "extra"]
    elif flaw == "count":
        row[7] = draw(st.sampled_from([" x ", "1.5", "1,000", "", "--1", "1e3"]))
    elif flaw == "year":
        row[0] = draw(st.sampled_from([f"{year}/{(year + 2) % 100:02d}", str(year), "", "20x7/18"]))
    elif flaw == "quarter":
        row[1] = draw(st.sampled_from(["0", "5", "Q1", ""]))
    return row, flaw == "none"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(_pfa_row(), min_size=1, max_size=30))
def test_property_every_row_is_loaded_or_rejected_at_its_line(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[list[str], bool]]
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PFA_HEADER.split(","))
    for fields, _ok in rows:
        writer.writerow(fields)
    text = out.getvalue()
    path = folder / "pfa.csv"
    path.write_text(text, encoding="utf-8", newline="")
    lines = text.split("\n")
    # Generated names hold no line breaks, so row i sits on line i + 2.
    bad_lines = {i + 2 for i, (_f, ok) in enumerate(rows) if not ok}

    con = open_store(folder / "s.duckdb")
    try:
        [result] = ingest_path(con, path)
        assert result.rows_read == len(rows) == result.rows_loaded + result.rows_rejected
        rejects = con.execute("SELECT line_no, raw_line FROM rejects").fetchall()
        assert {n for n, _ in rejects} == bad_lines
        for line_no, raw in rejects:
            assert raw == lines[line_no - 1]
        loaded = {n for (n,) in con.execute("SELECT line_no FROM offence_counts").fetchall()}
        assert loaded == {i + 2 for i in range(len(rows))} - bad_lines
    finally:
        con.close()
