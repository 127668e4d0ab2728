"""The start page: the dashboard's own force first, then every force with data loaded."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.forces import FORCES, Force
from forcestat.web.http import run_db, visitor
from forcestat.web.rendering import render

__all__ = ["HomePage", "routes"]


@dataclass(frozen=True)
class HomePage:
    """force: the dashboard's own force; loaded: forces with police.uk or Home Office
    rows in the store, by name; street_level: those of them with police.uk street-level
    rows (only they have areas to drill into)."""

    title: str
    force: Force
    loaded: tuple[Force, ...]
    street_level: frozenset[str] = frozenset()

    def has_areas(self, force: Force) -> bool:
        return force.slug in self.street_level


def forces_loaded(con: duckdb.DuckDBPyConnection) -> tuple[Force, ...]:
    """Forces with police.uk street-level rows or Home Office force-area rows."""
    names = {
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT reported_by FROM crimes UNION "
            "SELECT DISTINCT force_name FROM offence_counts WHERE csp_name IS NULL"
        ).fetchall()
    }
    return tuple(f for f in FORCES if names & {f.name, f.policeuk_name, f.home_office_name})


def forces_with_street_level(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The slugs of forces with police.uk street-level rows."""
    names = {str(r[0]) for r in con.execute("SELECT DISTINCT reported_by FROM crimes").fetchall()}
    return frozenset(f.slug for f in FORCES if names & {f.name, f.policeuk_name})


async def start(request: Request) -> Response:
    who = await visitor(request)
    loaded, street = await run_db(
        request, lambda con: (forces_loaded(con), forces_with_street_level(con))
    )
    page = HomePage("Police performance dashboard", request.app.state.default_force, loaded, street)
    return render(request, who, "home.html", page)


routes = [Route("/", start)]
