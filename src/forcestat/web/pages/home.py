"""The start page: the dashboard's own force first, then every force with data loaded."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.forces import Force
from forcestat.store.loaded import forces_loaded, forces_with_street_level
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


async def start(request: Request) -> Response:
    who = await visitor(request)
    loaded, street = await run_db(
        request, lambda con: (forces_loaded(con), forces_with_street_level(con))
    )
    page = HomePage("Police performance dashboard", request.app.state.default_force, loaded, street)
    return render(request, who, "home.html", page)


routes = [Route("/", start)]
