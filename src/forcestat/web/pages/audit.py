"""The audit log (signed-in users): every change to milestones, users and chart rebases,
latest first, with who made it, when, and each field before and after.

``/audit`` shows the latest entries; ``/audit?entity=milestone&id=3`` those of one record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.store.audit import AuditEntry, audit_entries
from forcestat.store.users import Role
from forcestat.web.http import PageError, require_role, run_records, visitor
from forcestat.web.rendering import render

__all__ = ["AuditPage", "routes"]

ENTITIES = ("milestone", "user", "spc_rebase", "statement")
# A statement is known by its force and period ('city-of-london-2021-06'), the rest by number.
_ID = re.compile(r"[0-9]+|[a-z0-9]+(?:-[a-z0-9]+)*")
SHOWN = 500


@dataclass(frozen=True)
class AuditPage:
    """entries: latest first, at most ``SHOWN``; entity/entity_id: the filter, if any."""

    title: str
    entries: tuple[AuditEntry, ...]
    entity: str | None
    entity_id: str | None


async def audit(request: Request) -> Response:
    who = await visitor(request)
    require_role(who, Role.VIEWER)
    entity = request.query_params.get("entity") or None
    entity_id = request.query_params.get("id") or None
    if entity is not None and entity not in ENTITIES:
        raise PageError(
            400,
            "Record type not recognised",
            "The entity must be milestone, user, spc_rebase or statement.",
        )
    if entity_id is not None and (len(entity_id) > 80 or not _ID.fullmatch(entity_id)):
        raise PageError(
            400,
            "Record not recognised",
            "The id must be a whole number, such as 3, or a statement's force and period, "
            "such as city-of-london-2021-06.",
        )
    entries = await run_records(
        request, lambda con: audit_entries(con, entity=entity, entity_id=entity_id, limit=SHOWN)
    )
    page = AuditPage("Audit log", tuple(entries), entity, entity_id)
    return render(request, who, "audit.html", page)


routes = [Route("/audit", audit)]
