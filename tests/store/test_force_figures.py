"""Queries over the published force figures, on the bundled force tables.

Expected values are read from the files with the csv module and openpyxl in the test.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from forcestat.forces import find_force
from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store
from forcestat.store.drilldown import force_months
from forcestat.store.force_figures import (
    ROLLING_SOURCE,
    TOTAL_EXCLUDING_FRAUD,
    area_figures,
    rolling_year_figures,
    rolling_year_history,
)

TABLES = Path(__file__).resolve().parents[2] / "data" / "tables"
ROLLING = TABLES / "homeoffice" / "rec-crime-pfa.csv.gz"
DEC_2019 = TABLES / "ons" / "pfa-tables" / "pfatablesdec19.xlsx.gz"
JUNE_2019 = TABLES / "ons" / "pfa-tables" / "policeforceareatablesyearendingjune2019.xlsx.gz"


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    store = open_store(tmp_path_factory.mktemp("figures") / "figures.duckdb")
    for path in (ROLLING, JUNE_2019, DEC_2019, TABLES / "policeuk" / "street"):
        ingest_path(store, path)
    yield store
    store.close()


def _csv_rows() -> list[dict[str, str]]:
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _month(text: str) -> dt.date:
    _day, month, year = (int(p) for p in text.split("-"))
    return dt.date(year, month, 1)


def test_history_is_every_rolling_year_back_to_2003(con: duckdb.DuckDBPyConnection) -> None:
    expected = {
        _month(r["12 months ending"]): float(r["Rolling year total number of offences"])
        for r in _csv_rows()
        if r["PFA"] == "West Midlands" and r["Offence"] == "Robbery"
    }
    history = rolling_year_history(con, "West Midlands", "Robbery")
    from_csv = {end: value for end, value, source in history if source == ROLLING_SOURCE}
    assert from_csv == expected
    assert len(expected) == 52 and min(expected) == dt.date(2003, 3, 1)
    # Quarterly from 2007: every quarter end from June 2007 to December 2018.
    quarters = [e for e in from_csv if e >= dt.date(2007, 6, 1)]
    assert len(quarters) == (2018 - 2007) * 4 + 3
    # The ONS editions carry it on: June and December 2019.
    ons = [end for end, _, source in history if source != ROLLING_SOURCE]
    assert ons == [dt.date(2019, 6, 1), dt.date(2019, 12, 1)]


def test_rolling_totals_total_is_every_offence_but_fraud(con: duckdb.DuckDBPyConnection) -> None:
    totals: dict[str, float] = defaultdict(float)
    for r in _csv_rows():
        if r["12 months ending"] == "30-06-2010" and r["Offence"] != "Fraud offences":
            totals[r["PFA"]] += float(r["Rolling year total number of offences"])
    found = rolling_year_figures(con, TOTAL_EXCLUDING_FRAUD, [dt.date(2010, 6, 1)])
    assert {force: f.value for (_, force), f in found.items()} == {
        find_force(name).name: v
        for name, v in totals.items()
        if name not in ("Action Fraud", "CIFAS", "UK Finance")
    }


def test_england_and_wales_and_regions_are_queryable(con: duckdb.DuckDBPyConnection) -> None:
    wb = load_workbook(io.BytesIO(gzip.decompress(DEC_2019.read_bytes())), data_only=True)
    p1 = [r for r in wb["Table P1"].iter_rows(values_only=True)]
    published = {r[0]: r[2] for r in p1 if r[0] and str(r[0])[:3] in ("K04", "E92", "W92", "E12")}
    found = area_figures(con, TOTAL_EXCLUDING_FRAUD, dt.date(2019, 12, 1))
    assert {a.area_code: a.value for a in found} == published
    assert len(found) == 12  # England and Wales, England, Wales, nine regions
    england_wales = next(a for a in found if a.area_code == "K04000001")
    assert england_wales.note is not None and "Greater Manchester" in england_wales.note


def test_warwickshire_months_are_in_the_drill_down(con: duckdb.DuckDBPyConnection) -> None:
    months = force_months(con, find_force("Warwickshire"))
    assert months == [
        dt.date(2018, 10, 1),
        dt.date(2018, 11, 1),
        dt.date(2018, 12, 1),
        dt.date(2019, 1, 1),
        dt.date(2019, 2, 1),
    ]
