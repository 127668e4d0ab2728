"""Resident population of a force for a year: the denominator of every rate.

For each force, the figure used is the estimate for the requested year or, failing
that, the latest earlier one, from whichever of these the store holds (at equal years
the first wins):

1. a force-level figure (``population.area_type = 'force'``, such as an ONS mid-year
   estimate by police force area);
2. local authority figures summed through the area lookup (local authority -> force);
3. LSOA figures summed through the area lookup, for the LSOA geography the lookup is
   drawn in.

The bundled lookup is drawn in 2011 LSOAs. Census 2021 counts are by 2021 LSOAs, whose
codes differ where areas were split or merged, so they are not summed through a 2011
lookup (a code match would quietly drop the changed areas); a 2011-based force figure
is used instead, and the ``note`` says so.

Where the lookup names no force for some LSOAs (3,335 in the bundled file, whole local
authorities), the forces they belong to are understated and their rates overstated:
``unassigned_lsoas`` counts them so that outputs can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from forcestat.errors import ForcestatError
from forcestat.forces import find_force
from forcestat.measures.periods import Period
from forcestat.months import add_months

__all__ = ["ForcePopulations", "Population", "force_populations", "unassigned_lsoas"]


@dataclass(frozen=True)
class Population:
    """A force's resident population as used for a rate, and where it came from."""

    area: str  # forcestat force name
    persons: int
    population_year: int
    source: str  # 'census_2011', 'ons_mid_year_estimate', ...
    method: str  # 'force', 'local_authority' or the LSOA geography summed ('LSOA2011')
    units: int  # how many areas were summed (1 for a force-level figure)
    note: str  # a sentence for the output saying what was used


_SQL = """
WITH lookup AS (
    SELECT lsoa_code, lsoa_geography, local_authority_code, force_name
    FROM areas WHERE force_name IS NOT NULL
),
candidates AS (
    SELECT area_code AS force_name, population_year, source, sum(persons) AS persons,
           count(*) AS units, 1 AS preference, 'force' AS method
    FROM population WHERE area_type = 'force' AND population_year <= $year
    GROUP BY ALL
    UNION ALL
    SELECT l.force_name, p.population_year, p.source, sum(p.persons), count(*), 2,
           'local_authority'
    FROM population p
    JOIN (SELECT DISTINCT local_authority_code, force_name FROM lookup) l
      ON l.local_authority_code = p.area_code
    WHERE p.area_type = 'local_authority' AND p.population_year <= $year
    GROUP BY ALL
    -- Every district of the force, or none: a year whose codes changed for some
    -- districts (mid-2019 codes against a 2011 lookup) would understate the force.
    HAVING count(DISTINCT p.area_code) = any_value(
        (SELECT count(DISTINCT local_authority_code) FROM lookup k
         WHERE k.force_name = l.force_name))
    UNION ALL
    SELECT l.force_name, p.population_year, p.source, sum(p.persons), count(*), 3,
           p.area_type
    FROM population p
    JOIN lookup l ON l.lsoa_code = p.area_code AND l.lsoa_geography = p.area_type
    WHERE p.population_year <= $year
    GROUP BY ALL
)
SELECT force_name, persons, population_year, source, method, units
FROM candidates
QUALIFY row_number() OVER (
    PARTITION BY force_name ORDER BY population_year DESC, preference, source
) = 1
"""


def _force_name(name: str) -> str | None:
    try:
        return find_force(name).name
    except ForcestatError:
        return None


def force_populations(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, Population]:
    """Every force's population for ``year`` (or the latest earlier year held).

    Forces the store cannot give a population for are absent from the result.

    Example:
        >>> pops = force_populations(con, 2017)  # doctest: +SKIP
        >>> pops["West Midlands"].persons, pops["West Midlands"].population_year  # doctest: +SKIP
        (2736460, 2011)
    """
    newer_lsoa = con.execute(
        "SELECT max(population_year) FROM population "
        "WHERE area_type = 'LSOA2021' AND population_year <= ?",
        [year],
    ).fetchone()
    lsoa2021_year = newer_lsoa[0] if newer_lsoa else None
    found: dict[str, Population] = {}
    for name, persons, pop_year, source, method, units in con.execute(
        _SQL, {"year": year}
    ).fetchall():
        force = _force_name(str(name))
        if force is None or force in found:
            continue
        note = _note(int(persons), int(pop_year), str(source), str(method), int(units))
        if lsoa2021_year is not None and pop_year < lsoa2021_year and method == "LSOA2011":
            note += (
                f"; the {lsoa2021_year} LSOA counts are not used because the area lookup "
                "is drawn in 2011 LSOAs and LSOA codes changed in 2021"
            )
        found[force] = Population(
            force, int(persons), int(pop_year), str(source), str(method), int(units), note
        )
    return found


def _note(persons: int, year: int, source: str, method: str, units: int) -> str:
    what = source.replace("_", " ")
    if method == "force":
        return f"population {persons:,} ({what}, {year})"
    areas = "local authorities" if method == "local_authority" else f"{method} areas"
    return (
        f"population {persons:,} ({what}, {year}) summed over {units:,} {areas} "
        "through the area lookup"
    )


def unassigned_lsoas(con: duckdb.DuckDBPyConnection) -> int:
    """LSOAs in the area lookup that name no force (their residents count for none)."""
    row = con.execute("SELECT count(*) FROM areas WHERE force_name IS NULL").fetchone()
    return int(row[0]) if row else 0


class ForcePopulations:
    """Force populations by year, each year read from the store once."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.by_year: dict[int, dict[str, Population]] = {}

    def for_year(self, area: str, year: int) -> Population | None:
        """``area``'s population for ``year`` (or the latest earlier), None if none held."""
        if year not in self.by_year:
            self.by_year[year] = force_populations(self.con, year)
        return self.by_year[year].get(area)

    def residents(self, area: str, window: Period) -> tuple[float, Population] | None:
        """Residents for a window: the population for the year the window starts in; for
        a window of several years, person-years (each 12-month block with its own year).

        Returns (residents or person-years, the population of the last block used).
        """
        blocks = max(1, window.month_count // 12)
        found = []
        for k in range(blocks):
            pop = self.for_year(area, add_months(window.first_month, 12 * k).year)
            if pop is None:
                return None
            found.append(pop)
        return float(sum(p.persons for p in found)), found[-1]
