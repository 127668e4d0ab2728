"""Area counts, rates and the offline map, checked against the bundled files read with
the csv module (not the store)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from tests.web.conftest import SAMPLE

from forcestat.forces import find_force
from forcestat.ingest.load import ingest_path
from forcestat.store.drilldown import (
    ASB,
    IncidentPoint,
    LookupNeighbourhood,
    force_months,
    force_neighbourhood_codes,
    incident_points,
    local_authority_neighbourhoods,
    local_authority_table,
    neighbourhood_local_authorities,
    neighbourhood_table,
    window_ending,
)
from forcestat.web.incident_map import incident_map

CITY = find_force("City of London")


def _rows(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.reader(fh)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    from forcestat.store.database import open_store

    con = open_store(tmp_path_factory.mktemp("drill") / "s.duckdb")
    for name in ("geography", "population"):
        ingest_path(con, SAMPLE / name)
    for month in range(1, 13):
        ingest_path(
            con, SAMPLE / "policeuk" / "street" / f"2021-{month:02d}-city-of-london-street.csv.gz"
        )
    yield con
    con.close()


def _expected() -> dict[str, object]:
    lookup = {
        r[7]: (r[3], r[9]) for r in list(_rows(SAMPLE / "geography" / "PoliceforceLSOA.csv.gz"))[1:]
    }
    city_lsoas = {code for code, (la, force) in lookup.items() if force == "City of London"}
    persons = {
        r[6]: int(r[9].replace(",", ""))
        for r in list(_rows(SAMPLE / "geography" / "census_2011_population_hh.csv.gz"))[1:]
        if r[6] in city_lsoas
    }
    crimes = asb = outside = no_location = 0
    by_lsoa: dict[str, int] = {}
    for month in range(1, 13):
        rows = list(
            _rows(SAMPLE / "policeuk" / "street" / f"2021-{month:02d}-city-of-london-street.csv.gz")
        )
        header = rows[0]
        lsoa_i, type_i = header.index("LSOA code"), header.index("Crime type")
        for r in rows[1:]:
            if r[type_i] == ASB:
                asb += r[lsoa_i] in city_lsoas
                continue
            if not r[lsoa_i]:
                no_location += 1
            elif r[lsoa_i] in city_lsoas:
                crimes += 1
                by_lsoa[r[lsoa_i]] = by_lsoa.get(r[lsoa_i], 0) + 1
            else:
                outside += 1
    return {
        "lsoas": city_lsoas,
        "persons": persons,
        "crimes": crimes,
        "asb": asb,
        "outside": outside,
        "no_location": no_location,
        "by_lsoa": by_lsoa,
    }


def test_the_local_authority_table_matches_the_published_files(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    want = _expected()
    window = window_ending(dt.date(2021, 12, 1), force_months(sample_store, CITY))
    assert window.complete and window.first_month == dt.date(2021, 1, 1)
    table = local_authority_table(sample_store, CITY, window)
    (row,) = table.rows
    assert (row.code, row.name) == ("E09000001", "City of London")
    assert row.crimes == want["crimes"]
    assert row.asb == want["asb"]
    population = sum(want["persons"].values())  # type: ignore[attr-defined]
    assert row.population == population
    assert row.rate_per_1000 == pytest.approx(1000 * want["crimes"] / population)  # type: ignore[operator]
    assert table.outside_area == want["outside"]
    assert table.no_location == want["no_location"]
    assert table.population_year == 2011


def test_the_neighbourhood_table_matches_the_published_files(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    want = _expected()
    window = window_ending(dt.date(2021, 12, 1), force_months(sample_store, CITY))
    table = neighbourhood_table(sample_store, CITY, "E09000001", window)
    assert {r.code for r in table.rows} == want["lsoas"]
    for r in table.rows:
        assert r.crimes == want["by_lsoa"].get(r.code, 0)  # type: ignore[attr-defined]
        assert r.population == want["persons"][r.code]  # type: ignore[index]


def test_a_window_with_unloaded_months_lists_them(sample_store: duckdb.DuckDBPyConnection) -> None:
    window = window_ending(dt.date(2022, 2, 1), force_months(sample_store, CITY))
    assert window.missing == (dt.date(2022, 1, 1), dt.date(2022, 2, 1))
    assert not window.complete


def test_map_points_are_the_distinct_locations_with_their_counts(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    window = window_ending(dt.date(2021, 12, 1), force_months(sample_store, CITY))
    points = incident_points(sample_store, CITY, window, ["E01000001"])
    expected: dict[tuple[float, float], int] = {}
    for month in range(1, 13):
        rows = _rows(
            SAMPLE / "policeuk" / "street" / f"2021-{month:02d}-city-of-london-street.csv.gz"
        )
        header = next(rows)
        for r in (dict(zip(header, row, strict=True)) for row in rows):
            if r["LSOA code"] == "E01000001" and r["Crime type"] != ASB and r["Longitude"]:
                key = (float(r["Longitude"]), float(r["Latitude"]))
                expected[key] = expected.get(key, 0) + 1
    assert {(p.longitude, p.latitude): p.incidents for p in points} == expected


def test_the_map_scales_to_the_bounding_box() -> None:
    # Two locations 1 km apart north-south: the height (1 km) limits the scale to
    # (480 - 32) / 1 = 448 px per km; the east-west span is the 0.2 km minimum. The
    # scale bar is the largest step under a quarter of the width (160 px): 250 m = 112 px.
    north = IncidentPoint(-0.09, 51.5 + 1 / 111.32, 1)
    south = IncidentPoint(-0.09, 51.5, 4)
    drawn = incident_map([north, south], area_name="Test")
    assert drawn is not None
    assert drawn.height == 480
    by_count = {c.incidents: c for c in drawn.circles}
    assert by_count[1].y == pytest.approx(16.0)
    assert by_count[4].y == pytest.approx(464.0)
    assert by_count[4].radius == 14.0 and by_count[1].radius == 7.0  # 14 * sqrt(1/4)
    assert (drawn.scale_label, drawn.scale_px) == ("250 m", 112.0)
    assert incident_map([], area_name="Empty") is None


@pytest.fixture
def lookup(store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A hand-written area lookup: four 2011 neighbourhoods in the City of London force
    area (two in its own local authority, one of them unnamed; one in another; one with
    none), a 2021 neighbourhood there, and one in Kent."""
    store.executemany(
        "INSERT INTO areas (lsoa_code, lsoa_name, local_authority_code, local_authority_name, "
        "force_name, lsoa_geography, ingest_id, line_no) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
        [
            ("E01000001", "City of London 001A", "E09000001", "City of London", "City of London",
             "LSOA2011", 2),
            ("E01000002", None, "E09000001", "City of London", "City of London", "LSOA2011", 3),
            ("E01000003", "Other 001A", "E09000099", "Other", "City of London", "LSOA2011", 4),
            ("E01000004", "Unplaced 001A", None, None, "City of London", "LSOA2011", 5),
            ("E01033000", "City of London 001F", "E09000001", "City of London",
             "City of London", "LSOA2021", 6),
            ("E01024000", "Maidstone 001A", "E07000110", "Maidstone", "Kent", "LSOA2011", 7),
        ],
    )  # fmt: skip
    return store


def test_the_force_areas_neighbourhoods_are_its_2011_lookup_rows(
    lookup: duckdb.DuckDBPyConnection,
) -> None:
    assert sorted(force_neighbourhood_codes(lookup, CITY)) == [
        "E01000001",
        "E01000002",
        "E01000003",
        "E01000004",
    ]


def test_a_local_authoritys_neighbourhoods_are_named_by_code_when_unnamed(
    lookup: duckdb.DuckDBPyConnection,
) -> None:
    named = LookupNeighbourhood("E01000001", "City of London 001A", "City of London")
    unnamed = LookupNeighbourhood("E01000002", "E01000002", "City of London")
    assert sorted(
        local_authority_neighbourhoods(lookup, CITY, "E09000001"), key=lambda n: n.code
    ) == [named, unnamed]
    assert local_authority_neighbourhoods(lookup, CITY, "E09000001", "E01000002") == [unnamed]
    # Not in this local authority, or not in this force area: nothing.
    assert local_authority_neighbourhoods(lookup, CITY, "E09000001", "E01000003") == []
    assert local_authority_neighbourhoods(lookup, CITY, "E07000110") == []


def test_each_neighbourhood_maps_to_its_local_authority(
    lookup: duckdb.DuckDBPyConnection,
) -> None:
    # E01000004 names no local authority, so it has no outline to join.
    assert neighbourhood_local_authorities(lookup, CITY) == {
        "E01000001": ("E09000001", "City of London"),
        "E01000002": ("E09000001", "City of London"),
        "E01000003": ("E09000099", "Other"),
    }
