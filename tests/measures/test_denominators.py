"""Force populations: which figure is used for a year, and the sums through the lookup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from conftest import write_csv
from forcestat.ingest.load import ingest_path
from forcestat.measures.denominators import ForcePopulations, force_populations, unassigned_lsoas
from forcestat.measures.periods import rolling_12_months
from measures_fixtures import (
    AREA_LOOKUP,
    LOOKUP_HEADER,
    MID_YEAR_HEADER,
    census_by_force,
    csv_rows,
)


def test_census_2011_summed_through_the_lookup(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    expected = census_by_force()
    got = force_populations(sample_store, 2017)
    for force in ("West Midlands", "Greater Manchester", "Merseyside", "West Yorkshire"):
        assert got[force].persons == expected[force]
        assert (got[force].population_year, got[force].source, got[force].method) == (
            2011,
            "census_2011",
            "LSOA2011",
        )
    assert got["West Midlands"].units == 1_680
    assert got["City of London"].persons == expected["City of London"]  # lookup: 'City of London'
    # The lookup covers England only: no Welsh force has a population from it.
    assert "South Wales" not in got
    assert unassigned_lsoas(sample_store) == sum(1 for r in csv_rows(AREA_LOOKUP) if not r[9])


def test_2021_census_is_not_summed_through_a_2011_lookup(
    sample_store: duckdb.DuckDBPyConnection,
) -> None:
    wm = force_populations(sample_store, 2022)["West Midlands"]
    assert (wm.population_year, wm.persons) == (2011, census_by_force()["West Midlands"])
    assert "2021 LSOA counts are not used" in wm.note
    assert "2021" not in force_populations(sample_store, 2019)["West Midlands"].note
    assert force_populations(sample_store, 2010) == {}  # nothing from 2010 or before


def _small_store(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # Two LSOAs in Dudley (West Midlands), one in a local authority the lookup leaves
    # without a force.
    ingest_path(
        store,
        write_csv(
            tmp_path / "lookup.csv",
            [
                LOOKUP_HEADER,
                "E12000005,WM,E08000027,Dudley,E02001,Dudley 001,E01009417,Dudley 001A,West Midlands",
                "E12000005,WM,E08000027,Dudley,E02001,Dudley 001,E01009418,Dudley 001B,West Midlands",
                "E12000005,WM,E07000234,Bromsgrove,E02002,Bromsgrove 001,E01032000,Bromsgrove 001A,",
            ],
        ),
    )
    ingest_path(
        store,
        write_csv(
            tmp_path / "population.csv",
            [
                MID_YEAR_HEADER,
                "E01009417,,LSOA2011,2011,1500",
                "E01009418,,LSOA2011,2011,1700",
                "E01032000,,LSOA2011,2011,1600",
                "E08000027,Dudley,local_authority,2015,3300",
                "West Midlands,,force,2015,3250",
                "West Midlands,,force,2018,3400",
            ],
        ),
    )


def test_the_year_asked_for_or_the_latest_earlier(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _small_store(store, tmp_path)
    # 2011 and 2014: the LSOA sum 1,500 + 1,700 = 3,200 (Bromsgrove counts for nobody).
    for year in (2011, 2014):
        pop = force_populations(store, year)["West Midlands"]
        assert (pop.persons, pop.population_year, pop.method, pop.units) == (
            3200,
            2011,
            "LSOA2011",
            2,
        )
    # 2015: a force figure and a local authority figure; the force figure wins.
    pop = force_populations(store, 2015)["West Midlands"]
    assert (pop.persons, pop.population_year, pop.method) == (3250, 2015, "force")
    assert (force_populations(store, 2017)["West Midlands"].persons) == 3250
    assert (force_populations(store, 2030)["West Midlands"].population_year) == 2018
    assert unassigned_lsoas(store) == 1


def test_person_years_for_a_pooled_window(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    _small_store(store, tmp_path)
    populations = ForcePopulations(store)
    # Three years to December 2018: 2016 and 2017 use 2015's 3,250, 2018 uses 3,400.
    window = rolling_12_months(dt.date(2018, 12, 1)).extended_back(36)
    found = populations.residents("West Midlands", window)
    assert found is not None
    residents, last = found
    assert residents == 3250 + 3250 + 3400 and last.population_year == 2018
    assert populations.residents("Gwent", window) is None


def test_district_figures_count_only_when_every_district_of_the_force_has_one(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # A force of two districts in the lookup. The 2019 estimates use a new code for one
    # of them (as mid-2019 codes did for Suffolk's districts), so only one matches: the
    # 2019 sum would be half the force. The complete 2018 pair is used instead.
    ingest_path(
        store,
        write_csv(
            tmp_path / "lookup.csv",
            [
                LOOKUP_HEADER,
                "E12000006,EE,E07000202,Ipswich,E02001,Ipswich 001,E01030000,Ipswich 001A,Suffolk",
                "E12000006,EE,E07000205,Suffolk Coastal,E02002,SC 001,E01030100,SC 001A,Suffolk",
            ],
        ),
    )
    ingest_path(
        store,
        write_csv(
            tmp_path / "population.csv",
            [
                MID_YEAR_HEADER,
                "E07000202,Ipswich,local_authority,2018,137000",
                "E07000205,Suffolk Coastal,local_authority,2018,127000",
                "E07000202,Ipswich,local_authority,2019,137500",
                "E07000244,East Suffolk,local_authority,2019,249000",
            ],
        ),
    )
    pop = force_populations(store, 2019)["Suffolk"]
    assert (pop.persons, pop.population_year, pop.method, pop.units) == (
        137000 + 127000,
        2018,
        "local_authority",
        2,
    )
