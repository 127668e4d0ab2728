"""The registers of recommendations (HMICFRS, the Police and Crime Panel, audit):
``/registers``, each register's recommendations with owner, due date and status, those
past their due date and not implemented highlighted. Loaded and exported with
``forcestat plan load`` and ``forcestat plan export --register``; drafts are shown only
to signed-in users."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.store.registers import Recommendation, Register, list_recommendations
from forcestat.web.http import run_records, visitor
from forcestat.web.rendering import render

__all__ = ["RegistersPage", "routes"]


@dataclass(frozen=True)
class RegistersPage:
    """registers: each register with its recommendations (by due date), in a fixed
    order; registers with none are left out."""

    title: str
    today: dt.date
    registers: tuple[tuple[Register, tuple[Recommendation, ...]], ...]
    overdue: int


async def registers(request: Request) -> Response:
    who = await visitor(request)
    today = dt.date.today()

    def build(con: sqlite3.Connection) -> RegistersPage:
        items = list_recommendations(con, include_drafts=who.sees_drafts)
        grouped = tuple(
            (register, tuple(i for i in items if i.register is register))
            for register in Register
            if any(i.register is register for i in items)
        )
        return RegistersPage(
            "Registers of recommendations", today, grouped, sum(i.overdue(today) for i in items)
        )

    return render(request, who, "registers.html", await run_records(request, build))


routes = [Route("/registers", registers, methods=["GET"])]
