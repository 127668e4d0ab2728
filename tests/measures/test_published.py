"""National measures answered from the published force tables, on the real files.

Expected values are read from the workbooks with openpyxl and worked out by hand here.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from forcestat.cli import cli
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import PLAN_EXAMPLE, load_catalogue
from forcestat.measures.engine import evaluate
from forcestat.measures.periods import period_ending
from forcestat.measures.published import published_counts
from forcestat.store.database import open_store

# The published files as bundled (see data/tables/PROVENANCE.md).
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "tables"
PRC_FILE = REPO / "data" / "sample" / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
TABLES = DATA / "ons" / "pfa-tables"
JUNE_2019 = TABLES / "policeforceareatablesyearendingjune2019.xlsx.gz"
DEC_2019 = TABLES / "pfatablesdec19.xlsx.gz"


def _p_row(path: Path, table: str, code: str) -> dict[str, object]:
    """Row ``code`` of a table as {header label: value}, read with openpyxl."""
    wb = load_workbook(io.BytesIO(gzip.decompress(path.read_bytes())), data_only=True)
    sheet = next(wb[n] for n in wb.sheetnames if n.strip() == table)
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Area Code")
    labels = [str(h or rows[header_at - 1][i] or "") for i, h in enumerate(rows[header_at])]
    row = next(r for r in rows if r[0] == code)
    return {label: value for label, value in zip(labels, row, strict=False) if label}


def _at(row: dict[str, object], label: str) -> float:
    """The value under the header that starts with ``label`` (headers carry footnote digits)."""
    return float(next(v for k, v in row.items() if k.startswith(label)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tables_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("tables") / "tables.duckdb"
    con = open_store(path)
    for target in (JUNE_2019, DEC_2019, DATA / "homeoffice" / "rec-crime-pfa.csv.gz"):
        ingest_path(con, target)
    ingest_path(con, DATA / "population" / "pfa_population_data_mid2018.csv.gz")
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, force: str, end: dt.date, *ids: str, plan: bool = False):  # type: ignore[no-untyped-def]
    catalogue = load_catalogue(PLAN_EXAMPLE if plan else None)
    measures = [catalogue.get(i) for i in ids]
    return {r.measure: r for r in evaluate(con, measures, areas=[force], period_ends=[end]).rows}


def test_december_2019_against_the_june_2019_baseline(
    tables_store: duckdb.DuckDBPyConnection,
) -> None:
    now = _p_row(DEC_2019, "Table P1", "E23000014")
    then = _p_row(JUNE_2019, "Table P1", "E23000014")
    rows = _rows(
        tables_store,
        "West Midlands",
        dt.date(2019, 12, 1),
        "homicide",
        "residential_burglary",
        "personal_robbery",
    )
    homicide = rows["homicide"]
    assert homicide.value == _at(now, "Homicide") and homicide.baseline_value == _at(
        then, "Homicide"
    )
    assert homicide.baseline_period == "12 months to June 2019"
    assert homicide.change == _at(now, "Homicide") - _at(then, "Homicide")  # type: ignore[arg-type]
    burglary = rows["residential_burglary"]
    # residential burglary per 1,000, mid-2018 population 2,916,500 (the latest held for 2019)
    assert burglary.population_year == 2018
    assert burglary.value == pytest.approx(_at(now, "Residential burglary") / 2_916_500 * 1000)  # type: ignore[arg-type]
    assert burglary.baseline_value == pytest.approx(
        _at(then, "Residential burglary") / 2_916_500 * 1000  # type: ignore[arg-type]
    )
    assert "Proxy" not in burglary.note
    robbery = rows["personal_robbery"]
    assert robbery.value == pytest.approx(_at(now, "Robbery") / 2_916_500 * 1000)  # type: ignore[arg-type]
    assert "Proxy: 'Robbery' stands in for personal robbery" in robbery.note


def test_rate_is_ninety_per_thousand_as_ons_published(
    tables_store: duckdb.DuckDBPyConnection,
) -> None:
    p3 = _p_row(JUNE_2019, "Table P3", "E23000014")
    row = _rows(
        tables_store, "West Midlands", dt.date(2019, 6, 1), "total_recorded_crime_rate", plan=True
    )["total_recorded_crime_rate"]
    assert row.numerator == 262_558
    assert row.denominator == 2_916_500 == _at(p3, "Population figures")
    assert round(row.value, 1) == round(_at(p3, "Total recorded crime"), 1) == 90.0  # type: ignore[arg-type]
    assert row.population_year == 2018 and "2,916,500" in row.note
    assert row.rank_of == 43


def test_welsh_forces_get_rates(tables_store: duckdb.DuckDBPyConnection) -> None:
    p1 = _p_row(JUNE_2019, "Table P1", "W15000002")
    row = _rows(tables_store, "Gwent", dt.date(2019, 6, 1), "theft_from_the_person")[
        "theft_from_the_person"
    ]
    assert row.value == pytest.approx(_at(p1, "Theft from the person") / 591_200 * 1000)  # type: ignore[arg-type]


def test_knife_crime_rate_ranks_all_43_forces_in_june_2019(
    tables_store: duckdb.DuckDBPyConnection,
) -> None:
    # Column C of P4: offences involving a knife, total of the selected offences.
    wb = load_workbook(io.BytesIO(gzip.decompress(JUNE_2019.read_bytes())), data_only=True)
    p4 = next(wb[n] for n in wb.sheetnames if n.strip() == "Table P4")
    knives = next(r[2] for r in p4.iter_rows(values_only=True) if r[0] == "E23000014")
    row = _rows(tables_store, "West Midlands", dt.date(2019, 6, 1), "knife_crime_rate")[
        "knife_crime_rate"
    ]
    assert row.numerator == knives
    assert row.value == pytest.approx(float(knives) / 2_916_500 * 100_000)  # type: ignore[arg-type]
    assert row.rank_of == 43 and row.rank is not None


def test_greater_manchester_december_2019_is_not_available_with_the_reason(
    tables_store: duckdb.DuckDBPyConnection,
) -> None:
    row = _rows(tables_store, "Greater Manchester", dt.date(2019, 12, 1), "knife_crime_rate")[
        "knife_crime_rate"
    ]
    assert row.value is None
    assert row.not_available is not None and "new IT system in July 2019" in row.not_available
    # The other forces are ranked without it: 42 of 43.
    wm = _rows(tables_store, "West Midlands", dt.date(2019, 12, 1), "knife_crime_rate")[
        "knife_crime_rate"
    ]
    assert wm.rank_of == 42


def test_a_rolling_year_straddling_the_burglary_reclassification_is_not_used(
    tables_store: duckdb.DuckDBPyConnection,
) -> None:
    # The 12 months to December 2017 hold domestic burglary (April to March 2017 codes)
    # and residential burglary (from April 2017): the published residential figure is
    # nine months only, so it does not answer the measure.
    rows = tables_store.execute(
        "SELECT series, value FROM force_figures WHERE force_name = 'West Midlands' "
        "AND period_end = '2017-12-01' AND series IN ('Domestic burglary', 'Residential burglary')"
    ).fetchall()
    assert dict(rows)["Domestic burglary"] > 0 and dict(rows)["Residential burglary"] > 0
    row = _rows(tables_store, "West Midlands", dt.date(2017, 12, 1), "residential_burglary")[
        "residential_burglary"
    ]
    assert row.value is None
    # By March 2018 domestic burglary is 0: a whole year of residential burglary.
    measure = load_catalogue().get("residential_burglary")
    windows = [period_ending(measure.period, dt.date(y, m, 1)) for y, m in ((2017, 12), (2018, 3))]
    answer = published_counts(tables_store, measure, windows, {})
    assert (windows[0], "West Midlands") not in answer.counts
    assert answer.counts[(windows[1], "West Midlands")].numerator == 20_925


def test_cli_measures_for_december_2019_give_the_june_2019_baseline(tmp_path: Path) -> None:
    store = tmp_path / "cli.duckdb"
    con = open_store(store)
    for target in (JUNE_2019, DEC_2019, DATA / "population" / "pfa_population_data_mid2018.csv.gz"):
        ingest_path(con, target)
    con.close()
    now = _p_row(DEC_2019, "Table P1", "E23000014")
    then = _p_row(JUNE_2019, "Table P1", "E23000014")
    args = ["measures", "--store", str(store), "--force", "West Midlands", "--period", "2019-12"]
    result = CliRunner().invoke(cli, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["measure"]: r for r in csv.DictReader(io.StringIO(result.output))}
    vehicle = rows["vehicle_offences"]
    assert vehicle["baseline_period"] == "12 months to June 2019"
    assert float(vehicle["numerator"]) == _at(now, "Vehicle offences")
    expected_change = (_at(now, "Vehicle offences") - _at(then, "Vehicle offences")) / _at(
        then, "Vehicle offences"
    )
    assert float(vehicle["change_pct"]) == pytest.approx(expected_change * 100)
    assert vehicle["population_year"] == "2018"  # mid-2018: no mid-2019 estimate loaded
    table = CliRunner().invoke(cli, [*args, "--wide"], env={"COLUMNS": "250"})
    assert "population year" in table.output
    assert "personal_robbery: Proxy: 'Robbery' stands in for personal robbery" in table.output


def test_a_proxy_is_not_compared_with_exact_codes(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    prc = PRC_FILE
    ingest_path(store, prc)
    # a population for 2017, the year the 12 months to March 2018 start in
    mid_2017 = tmp_path / "mid2017.csv"
    mid_2017.write_text(
        "area_code,area_name,area_type,year,persons\n"
        "West Midlands,West Midlands,force,2017,2897300\n",
        encoding="utf-8",
    )
    ingest_path(store, mid_2017)
    ingest_path(store, JUNE_2019)
    ingest_path(store, DATA / "population" / "pfa_population_data_mid2018.csv.gz")
    with gzip.open(prc, "rt", encoding="utf-8-sig", newline="") as fh:
        personal = sum(
            int(r["Number of Offences"].strip() or 0)
            for r in csv.DictReader(fh)
            if r["Force Name"].strip() == "West Midlands" and r["Offence Code"].strip() == "34B"
        )
    measure = load_catalogue().get("personal_robbery")
    count = next(
        r
        for r in evaluate(
            store, [measure], areas=["West Midlands"], period_ends=[dt.date(2018, 3, 1)]
        ).rows
    )
    # 2017/18 from the codes (34B only), the baseline from all robbery: not like for like.
    assert count.numerator == personal
    assert count.like_for_like is False and count.change_beyond_chance is None
    assert "Not like for like" in count.note
    # With the March 2018 edition loaded too, both come from the published group.
    ingest_path(store, TABLES / "policeforceareatablesyearendingmarch2018v2.xlsx.gz")
    robbery = _at(
        _p_row(
            TABLES / "policeforceareatablesyearendingmarch2018v2.xlsx.gz", "Table P1", "E23000014"
        ),
        "Robbery",
    )
    both = next(
        r
        for r in evaluate(
            store, [measure], areas=["West Midlands"], period_ends=[dt.date(2018, 3, 1)]
        ).rows
    )
    assert both.numerator == robbery and both.like_for_like is True
    assert "Proxy: 'Robbery' stands in for personal robbery" in both.note
