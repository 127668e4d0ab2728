"""Templates: one Jinja2 environment, autoescaping everything, and the page chrome.

A template receives two typed objects: ``page``, the dataclass its handler built
(documented in that page's module), and ``chrome``: who is signed in, the CSRF token
for forms, and the navigation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from forcestat.forces import force_by_slug
from forcestat.measures.reasons import reason_sentence
from forcestat.spc.sentences import format_figure, month_name
from forcestat.store.users import Role, User
from forcestat.web.http import Visitor

__all__ = ["Chrome", "NavItem", "render", "templates"]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class Chrome:
    """What every page shows around its content."""

    user: User | None
    csrf_token: str
    navigation: tuple[NavItem, ...]
    sign_in_href: str

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.role.allows(Role.ADMIN)


def _count(value: int | float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _figure(value: float | None) -> str:
    return "" if value is None else format_figure(value)


def _measure_value(value: float | None, unit: str) -> str:
    """A figure in its measure's unit: counts whole, proportions as percentages."""
    if value is None:
        return ""
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "proportion":
        return f"{value * 100:.1f}%"
    return format_figure(value)


def _rate(value: float | None) -> str:
    return "not available" if value is None else f"{value:,.1f}"


def _month(value: dt.date | None) -> str:
    return "" if value is None else month_name(value)


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {month_name(value)}"


# GOV.UK tag colours for the tracker's statuses.
_STATUS_TAGS = {
    "not_started": "govuk-tag--grey",
    "on_track": "govuk-tag--green",
    "at_risk": "govuk-tag--yellow",
    "off_track": "govuk-tag--red",
    "complete": "govuk-tag--blue",
}


def _status_tag(value: object) -> str:
    return _STATUS_TAGS.get(str(getattr(value, "value", value)), "govuk-tag--grey")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("forcestat.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        count=_count,
        figure=_figure,
        rate=_rate,
        measure_value=_measure_value,
        month=_month,
        day=_day,
        reason=reason_sentence,
        status_tag=_status_tag,
    )
    return env


templates = _environment()

_NAVIGATION = (
    ("Overview", "overview"),
    ("Areas", "areas"),
    ("Plan tracker", "milestones"),
    ("Data", "data"),
    ("Reports", "reports"),
)


def _navigation(request: Request, force_slug: str, who: Visitor) -> tuple[NavItem, ...]:
    path = request.url.path
    links = {
        "overview": f"/forces/{force_slug}",
        "areas": f"/forces/{force_slug}/areas",
        "milestones": "/milestones",
        "data": "/data",
        "reports": "/reports",
    }
    items = []
    for label, key in _NAVIGATION:
        href = links[key]
        if key == "overview":
            current = path == href or "/measures/" in path
        else:
            current = path == href or path.startswith(href + "/")
        items.append(NavItem(label, href, current))
    if who.can(Role.ADMIN):
        items.append(NavItem("Users", "/users", path.startswith("/users")))
    if who.can(Role.VIEWER):
        items.append(NavItem("Audit log", "/audit", path.startswith("/audit")))
    return tuple(items)


def render(
    request: Request,
    who: Visitor,
    template: str,
    page: Any,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``page`` and the chrome for ``who``."""
    # Navigation stays on the force being looked at, or the dashboard's own force.
    force_slug = request.path_params.get("force")
    if not isinstance(force_slug, str) or force_by_slug(force_slug) is None:
        force_slug = request.app.state.default_force_slug
    next_path = request.url.path if request.method == "GET" else "/"
    chrome = Chrome(
        user=who.user,
        csrf_token=who.session.csrf_token,
        navigation=_navigation(request, force_slug, who),
        sign_in_href="/sign-in?next=" + next_path if next_path != "/sign-in" else "/sign-in",
    )
    html = templates.get_template(template).render(page=page, chrome=chrome)
    return HTMLResponse(html, status_code=status_code, headers=headers)
