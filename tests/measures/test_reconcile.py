"""Reconciliation of police.uk with Home Office counts, recomputed from the files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import STREET_HEADER, write_csv
from forcestat.errors import ForcestatError
from forcestat.ingest.load import ingest_path
from forcestat.measures.reconcile import UNMAPPED, reconcile
from forcestat.sources.policeuk import CRIME_TYPES
from measures_fixtures import (
    CODE_LOOKUP,
    PFA,
    PFA_HEADER,
    csv_rows,
    pfa_line,
    street_line,
    street_rows,
)


def test_city_of_london_2017_18_by_crime_type(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    policeuk = Counter(
        r["Crime type"]
        for r in street_rows("2017-04", "2018-03")
        if r["Crime type"] != "Anti-social behaviour"
    )
    # The lookup writes types in title case; police.uk in sentence case.
    spelling = {t.casefold(): t for t in CRIME_TYPES}
    type_of = {r[2].strip(): spelling[r[5].strip().casefold()] for r in csv_rows(CODE_LOOKUP)}
    home_office: Counter[str] = Counter()
    for r in csv_rows(PFA):
        if r[2].strip() == "London, City of" and r[4].strip() != "Fraud offences":
            home_office[type_of[r[6].strip()]] += int(r[7].strip())

    result = reconcile(sample_store, "City of London", "2017/18")

    got = {row.crime_type: row for row in result.rows}
    assert set(got) == set(policeuk) | set(home_office) | {"All crime types"}
    for crime_type in set(policeuk) | set(home_office):
        row = got[crime_type]
        assert (row.policeuk, row.home_office) == (policeuk[crime_type], home_office[crime_type])
        assert row.difference == policeuk[crime_type] - home_office[crime_type]
    total = got["All crime types"]
    assert (total.policeuk, total.home_office) == (
        sum(policeuk.values()),
        sum(home_office.values()),
    )
    assert total.home_office == 5_870  # every City of London row: it has no fraud rows
    assert result.rows[-1] is total
    assert result.policeuk_missing_months == () and result.home_office_missing_quarters == ()


def test_missing_police_uk_months_are_listed(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    result = reconcile(sample_store, "West Midlands", "2017/18")
    assert len(result.policeuk_missing_months) == 12
    total = result.rows[-1]
    assert total.policeuk is None and total.home_office == 233_393 and total.difference is None
    assert any("no file loaded" in n for n in result.notes)


def test_by_hand_with_an_unmapped_code(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # police.uk: 3 burglaries and 1 ASB in April 2017; Home Office Q1: 28E = 2, 99 = 5,
    # with no code lookup loaded, so both land in the unmapped row: 7.
    ingest_path(
        store,
        write_csv(
            tmp_path / "2017-04-city-of-london-street.csv",
            [
                STREET_HEADER,
                *(street_line("2017-04", "Burglary", i) for i in range(3)),
                street_line("2017-04", "Anti-social behaviour", 0),
            ],
        ),
    )
    ingest_path(
        store,
        write_csv(
            tmp_path / "pfa.csv",
            [
                PFA_HEADER,
                pfa_line("2017/18", 1, "London, City of", "28E", 2),
                pfa_line("2017/18", 1, "London, City of", "99", 5),
            ],
        ),
    )
    result = reconcile(store, "city-of-london", "2017/18")
    got = {r.crime_type: (r.policeuk, r.home_office) for r in result.rows}
    assert got == {
        "Burglary": (3, 0),
        UNMAPPED: (0, 7),
        "All crime types": (3, 7),
    }
    assert result.home_office_missing_quarters == (2, 3, 4)
    assert len(result.policeuk_missing_months) == 11


def test_nothing_loaded_is_an_error(store: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ForcestatError, match="nothing to reconcile for West Midlands in 2019/20"):
        reconcile(store, "West Midlands", "2019/20")
