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
    rows in the store, by name."""

    title: str
    force: Force
    loaded: tuple[Force, ...]


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


async def start(request: Request) -> Response:
    who = await visitor(request)
    loaded = await run_db(request, forces_loaded)
    page = HomePage("Police performance dashboard", request.app.state.default_force, loaded)
    return render(request, who, "home.html", page)


routes = [Route("/", start)]
