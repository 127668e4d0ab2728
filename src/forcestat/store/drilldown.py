"""Counts and rates for the areas drill-down: force -> local authority -> neighbourhood.

From police.uk street-level rows (``crimes``), the area lookup (``areas``: neighbourhood
(LSOA) to local authority and force, 2011 boundaries) and census population by
neighbourhood. A window is the 12 months ending the chosen month. Crimes exclude
anti-social behaviour, which is counted beside them. Rates are crimes per 1,000
residents of the area, using the 2011-boundary population of the latest year not after
the window's end (the lookup is 2011-based, so 2021-boundary populations do not fit it).

A force's incidents can fall outside its own area (police.uk places each at an
anonymised point, sometimes over the boundary) or have no location; both are counted
and shown, never dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from forcestat.forces import Force
from forcestat.months import add_months, months_between

__all__ = [
    "ASB",
    "AreaCount",
    "AreaTable",
    "IncidentPoint",
    "LookupNeighbourhood",
    "MonthCount",
    "Window",
    "area_locations",
    "crime_types",
    "force_months",
    "force_neighbourhood_codes",
    "incident_points",
    "local_authority_neighbourhoods",
    "local_authority_table",
    "monthly_counts",
    "neighbourhood_local_authorities",
    "neighbourhood_table",
    "window_ending",
]

ASB = "Anti-social behaviour"
LOOKUP_GEOGRAPHY = "LSOA2011"


@dataclass(frozen=True)
class Window:
    """The 12 months ending ``last_month``; ``missing`` lists months with no rows."""

    first_month: dt.date
    last_month: dt.date
    missing: tuple[dt.date, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class AreaCount:
    """One area's crimes and anti-social behaviour in the window, with its population
    and the crime rate per 1,000 residents (None without a population)."""

    code: str
    name: str
    crimes: int
    asb: int
    population: int | None

    @property
    def rate_per_1000(self) -> float | None:
        if not self.population:
            return None
        return 1000 * self.crimes / self.population


@dataclass(frozen=True)
class AreaTable:
    """The areas one level down, and what could not be placed in them."""

    rows: tuple[AreaCount, ...]
    outside_area: int  # the force's crimes placed in neighbourhoods of another force area
    no_location: int  # the force's crimes with no neighbourhood
    population_year: int | None

    @property
    def total_crimes(self) -> int:
        return sum(r.crimes for r in self.rows)


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    crimes: int
    asb: int


@dataclass(frozen=True)
class LookupNeighbourhood:
    """A neighbourhood (LSOA) as the area lookup names it: its code, its name (the code
    where the lookup gives none) and the name of its local authority."""

    code: str
    name: str
    local_authority_name: str


@dataclass(frozen=True)
class IncidentPoint:
    """A police.uk anonymised location and how many incidents were placed there."""

    longitude: float
    latitude: float
    incidents: int


def force_months(con: duckdb.DuckDBPyConnection, force: Force) -> list[dt.date]:
    """The months with police.uk street-level rows for the force, in order."""
    rows = con.execute(
        "SELECT DISTINCT month FROM crimes WHERE reported_by = ? ORDER BY month",
        [force.policeuk_name],
    ).fetchall()
    return [r[0] for r in rows]


def force_neighbourhood_codes(con: duckdb.DuckDBPyConnection, force: Force) -> list[str]:
    """The codes of the neighbourhoods the area lookup places in the force area."""
    rows = con.execute(
        "SELECT lsoa_code FROM areas WHERE force_name = ? AND lsoa_geography = ?",
        [force.name, LOOKUP_GEOGRAPHY],
    ).fetchall()
    return [str(r[0]) for r in rows]


def local_authority_neighbourhoods(
    con: duckdb.DuckDBPyConnection,
    force: Force,
    local_authority_code: str,
    lsoa_code: str | None = None,
) -> list[LookupNeighbourhood]:
    """The neighbourhoods of one local authority in the force area, or only the one
    with ``lsoa_code``; empty when the force area has no such local authority (or
    neighbourhood in it)."""
    sql = (
        "SELECT DISTINCT lsoa_code, coalesce(lsoa_name, lsoa_code), local_authority_name "
        "FROM areas WHERE force_name = ? AND local_authority_code = ? AND lsoa_geography = ?"
    )
    params = [force.name, local_authority_code, LOOKUP_GEOGRAPHY]
    if lsoa_code is not None:
        sql += " AND lsoa_code = ?"
        params.append(lsoa_code)
    return [
        LookupNeighbourhood(str(code), str(name), str(la_name))
        for code, name, la_name in con.execute(sql, params).fetchall()
    ]


def neighbourhood_local_authorities(
    con: duckdb.DuckDBPyConnection, force: Force
) -> dict[str, tuple[str, str]]:
    """Each neighbourhood in the force area with a local authority, mapped to that
    authority's (code, name)."""
    rows = con.execute(
        "SELECT DISTINCT lsoa_code, local_authority_code, local_authority_name FROM areas "
        "WHERE force_name = ? AND lsoa_geography = ? AND local_authority_code IS NOT NULL",
        [force.name, LOOKUP_GEOGRAPHY],
    ).fetchall()
    return {str(lsoa): (str(code), str(name)) for lsoa, code, name in rows}


def window_ending(last_month: dt.date, available: list[dt.date]) -> Window:
    """The 12 months ending ``last_month``, with the months among them not loaded."""
    first = add_months(last_month.replace(day=1), -11)
    present = set(available)
    missing = tuple(m for m in months_between(first, last_month) if m not in present)
    return Window(first, last_month, missing)


def _population_year(con: duckdb.DuckDBPyConnection, window: Window) -> int | None:
    row = con.execute(
        "SELECT coalesce(max(population_year) FILTER (WHERE population_year <= ?), "
        "min(population_year)) FROM population WHERE area_type = ?",
        [window.last_month.year, LOOKUP_GEOGRAPHY],
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


# Crimes and ASB by neighbourhood for one force and window; population by neighbourhood.
_COUNTS = """
WITH counts AS (
    SELECT lsoa_code,
           count(*) FILTER (WHERE crime_type <> $asb) AS crimes,
           count(*) FILTER (WHERE crime_type = $asb) AS asb
    FROM crimes
    WHERE reported_by = $force AND month BETWEEN $first AND $last
    GROUP BY lsoa_code
),
lookup AS (
    SELECT DISTINCT lsoa_code, lsoa_name, local_authority_code, local_authority_name, force_name
    FROM areas WHERE lsoa_geography = $geography
),
residents AS (
    SELECT area_code, sum(persons) AS persons FROM population
    WHERE area_type = $geography AND population_year = $year GROUP BY area_code
)
"""


def _params(force: Force, window: Window, year: int | None) -> dict[str, Any]:
    return {
        "asb": ASB,
        "force": force.policeuk_name,
        "first": window.first_month,
        "last": window.last_month,
        "geography": LOOKUP_GEOGRAPHY,
        "year": year,
    }


def _unplaced(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], inside: str
) -> tuple[int, int]:
    row = con.execute(
        _COUNTS
        + f"""
        SELECT coalesce(sum(c.crimes) FILTER (WHERE c.lsoa_code IS NOT NULL AND NOT ({inside})), 0),
               coalesce(sum(c.crimes) FILTER (WHERE c.lsoa_code IS NULL), 0)
        FROM counts c LEFT JOIN lookup l USING (lsoa_code)
        """,
        params,
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def local_authority_table(
    con: duckdb.DuckDBPyConnection, force: Force, window: Window
) -> AreaTable:
    """The local authorities of the force area, with crimes, ASB, residents and rates."""
    year = _population_year(con, window)
    params = {**_params(force, window, year), "force_name": force.name}
    rows = con.execute(
        _COUNTS
        + """
        SELECT l.local_authority_code, any_value(l.local_authority_name),
               coalesce(sum(c.crimes), 0), coalesce(sum(c.asb), 0), sum(r.persons)
        FROM lookup l
        LEFT JOIN counts c USING (lsoa_code)
        LEFT JOIN residents r ON r.area_code = l.lsoa_code
        WHERE l.force_name = $force_name AND l.local_authority_code IS NOT NULL
        GROUP BY l.local_authority_code
        ORDER BY 2, 1
        """,
        params,
    ).fetchall()
    outside, no_location = _unplaced(con, params, "coalesce(l.force_name = $force_name, false)")
    return AreaTable(tuple(_area(r) for r in rows), outside, no_location, year)


def neighbourhood_table(
    con: duckdb.DuckDBPyConnection, force: Force, local_authority_code: str, window: Window
) -> AreaTable:
    """The neighbourhoods (LSOAs) of one local authority in the force area."""
    year = _population_year(con, window)
    params = {**_params(force, window, year), "force_name": force.name, "la": local_authority_code}
    rows = con.execute(
        _COUNTS
        + """
        SELECT l.lsoa_code, coalesce(l.lsoa_name, l.lsoa_code),
               coalesce(c.crimes, 0), coalesce(c.asb, 0), r.persons
        FROM lookup l
        LEFT JOIN counts c USING (lsoa_code)
        LEFT JOIN residents r ON r.area_code = l.lsoa_code
        WHERE l.force_name = $force_name AND l.local_authority_code = $la
        ORDER BY 2, 1
        """,
        params,
    ).fetchall()
    outside, no_location = _unplaced(
        con, params, "coalesce(l.force_name = $force_name AND l.local_authority_code = $la, false)"
    )
    return AreaTable(tuple(_area(r) for r in rows), outside, no_location, year)


def _area(row: tuple[Any, ...]) -> AreaCount:
    return AreaCount(
        str(row[0]),
        str(row[1]),
        int(row[2]),
        int(row[3]),
        int(row[4]) if row[4] is not None else None,
    )


def crime_types(
    con: duckdb.DuckDBPyConnection, force: Force, window: Window, lsoa_codes: list[str]
) -> list[tuple[str, int]]:
    """Incidents by police.uk crime type in the given neighbourhoods, most first."""
    rows = con.execute(
        "SELECT crime_type, count(*) FROM crimes WHERE reported_by = ? AND month BETWEEN ? AND ? "
        "AND list_contains(?, lsoa_code) GROUP BY crime_type ORDER BY 2 DESC, 1",
        [force.policeuk_name, window.first_month, window.last_month, lsoa_codes],
    ).fetchall()
    return [(str(t), int(n)) for t, n in rows]


def monthly_counts(
    con: duckdb.DuckDBPyConnection, force: Force, window: Window, lsoa_codes: list[str]
) -> list[MonthCount]:
    """Crimes and ASB per month of the window in the given neighbourhoods; a month with
    no rows loaded is left out rather than shown as zero."""
    rows = con.execute(
        "SELECT month, count(*) FILTER (WHERE crime_type <> ?), count(*) FILTER (WHERE crime_type = ?) "
        "FROM crimes WHERE reported_by = ? AND month BETWEEN ? AND ? "
        "AND list_contains(?, lsoa_code) GROUP BY month",
        [ASB, ASB, force.policeuk_name, window.first_month, window.last_month, lsoa_codes],
    ).fetchall()
    found = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    missing = set(window.missing)
    return [
        MonthCount(m, *found.get(m, (0, 0)))
        for m in months_between(window.first_month, window.last_month)
        if m not in missing
    ]


def incident_points(
    con: duckdb.DuckDBPyConnection, force: Force, window: Window, lsoa_codes: list[str]
) -> list[IncidentPoint]:
    """Crimes (not ASB) in the neighbourhoods, grouped by their anonymised location."""
    rows = con.execute(
        "SELECT longitude, latitude, count(*) FROM crimes WHERE reported_by = ? "
        "AND month BETWEEN ? AND ? AND crime_type <> ? AND list_contains(?, lsoa_code) "
        "AND longitude IS NOT NULL AND latitude IS NOT NULL "
        "GROUP BY longitude, latitude ORDER BY 3 DESC, 1, 2",
        [force.policeuk_name, window.first_month, window.last_month, ASB, lsoa_codes],
    ).fetchall()
    return [IncidentPoint(float(x), float(y), int(n)) for x, y, n in rows]


def area_locations(
    con: duckdb.DuckDBPyConnection, force: Force, window: Window, lsoa_codes: list[str]
) -> dict[str, list[tuple[float, float]]]:
    """The distinct anonymised locations (longitude, latitude) of the force's incidents,
    crimes and anti-social behaviour alike, in each of the given neighbourhoods: what
    the map outlines a neighbourhood with."""
    rows = con.execute(
        "SELECT DISTINCT lsoa_code, longitude, latitude FROM crimes WHERE reported_by = ? "
        "AND month BETWEEN ? AND ? AND list_contains(?, lsoa_code) "
        "AND longitude IS NOT NULL AND latitude IS NOT NULL ORDER BY 1, 2, 3",
        [force.policeuk_name, window.first_month, window.last_month, lsoa_codes],
    ).fetchall()
    found: dict[str, list[tuple[float, float]]] = {}
    for code, lon, lat in rows:
        found.setdefault(str(code), []).append((float(lon), float(lat)))
    return found
