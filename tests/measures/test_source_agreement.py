"""Sources compared for one force and rolling year, on the real files."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import duckdb
from click.testing import CliRunner

from forcestat.cli import cli
from forcestat.ingest.load import ingest_path
from forcestat.measures.source_agreement import source_agreement

# The published files as bundled (see data/tables/PROVENANCE.md).
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "tables"
PRC_FILE = REPO / "data" / "sample" / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
TABLES = DATA / "ons" / "pfa-tables"
PRC = PRC_FILE

TOTAL = "Total recorded crime (excluding fraud)"


def _load(con: duckdb.DuckDBPyConnection) -> None:
    for name in (
        "policeforceareatablesyearendingmarch2018v2.xlsx.gz",
        "policeforceareatablesyearendingdecember2018.xlsx.gz",
    ):
        ingest_path(con, TABLES / name)
    ingest_path(con, DATA / "homeoffice" / "rec-crime-pfa.csv.gz")
    ingest_path(con, PRC)


def test_march_2018_total_agrees_in_all_three_sources(store: duckdb.DuckDBPyConnection) -> None:
    _load(store)
    with gzip.open(PRC, "rt", encoding="utf-8-sig", newline="") as fh:
        by_code = sum(
            int(r["Number of Offences"].strip() or 0)
            for r in csv.DictReader(fh)
            if r["Force Name"].strip() == "West Midlands" and r["Offence Group"] != "Fraud offences"
        )
    found = source_agreement(store, "West Midlands", dt.date(2018, 3, 1))
    total = found.rows[0]
    assert total.series == TOTAL and total.agree is True
    assert [v for _, v in total.figures] == [by_code, by_code, by_code] == [233_393] * 3
    # Violence with injury: the offence-code subgroup counts death or serious injury by
    # driving too (36 in 2017/18), a group of its own in the published tables.
    vwi = next(r for r in found.rows if r.series == "Violence with injury")
    assert vwi.agree is False and vwi.difference == 36
    driving = next(r for r in found.rows if r.series.startswith("Death or serious injury"))
    assert dict(driving.figures)["ONS police force area data tables"] == 36


def test_cli_lists_agreements_for_december_2018(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _load(store)
    path = store.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    assert path is not None
    store.close()
    result = CliRunner().invoke(
        cli,
        [
            "reconcile",
            "--store",
            str(path[0]),
            "--force",
            "West Midlands",
            "--period",
            "2018-12",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = {r["series"]: r for r in csv.DictReader(result.output.splitlines())}
    total = rows[TOTAL]
    assert total["agree"] == "True"
    assert float(total["ONS police force area data tables"]) == 252_689
    assert float(total["Home Office rolling 12-month totals by force"]) == 252_689
