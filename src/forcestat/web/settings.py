"""The dashboard's settings, declared once: each with its default and what it does."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from forcestat.errors import ForcestatError
from forcestat.measures.local_sql import DEFAULT_SATISFIED

__all__ = [
    "GOVUK_FRONTEND_ENV",
    "GOVUK_FRONTEND_SHIPPED",
    "SECRET_KEY_ENV",
    "WebSettings",
    "find_govuk_frontend",
    "secret_key_from_environment",
]

SECRET_KEY_ENV = "FORCESTAT_SECRET_KEY"
GOVUK_FRONTEND_ENV = "FORCESTAT_GOVUK_FRONTEND"
# GOV.UK Frontend's built files, shipped inside the package at the version package.json
# pins (refreshed from npm by 'make govuk-frontend'), so an installed forcestat serves.
GOVUK_FRONTEND_SHIPPED = Path(__file__).parent / "govuk_frontend"


@dataclass(frozen=True)
class WebSettings:
    """What ``create_app`` needs.

    store: the DuckDB store file (read through its published snapshots; the users,
        sessions, tracker, rebases and audit log live in the records database beside it).
    govuk_frontend: govuk-frontend's built ``dist/govuk`` folder (CSS, JS, fonts, images).
    reports: the published folder 'forcestat publish' writes (its publications.json
        lists what is shown); None for no reports page content.
    force: the force the dashboard opens on (forcestat name).
    most_similar_forces: its comparator group, highlighted in comparisons.
    plan: the Police and Crime Plan's measure file, added to the national catalogue;
        None for the national measures only.
    national_baseline: the project's baseline_period_end, replacing the national
        measures' baseline (None: the year ending June 2019).
    satisfied_answers: the survey answers counted as satisfied (the project's
        ``satisfied_answers`` setting), as the report counts them.
    small_count_threshold: counts below it show as 'fewer than N' in the local tables
        and their downloads (the project's ``small_count_threshold``); 0 shows all.
    secret_key: signs session cookies; sessions end when it changes.
    session_hours: how long a sign-in lasts.
    """

    store: Path
    govuk_frontend: Path
    reports: Path | None = None
    force: str = "West Midlands"
    most_similar_forces: tuple[str, ...] = ()
    plan: Path | None = None
    national_baseline: str | None = None
    satisfied_answers: tuple[str, ...] = DEFAULT_SATISFIED
    small_count_threshold: int = 5
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    session_hours: int = 8

    @property
    def local_settings(self) -> dict[str, object]:
        """The local sources' settings, as the measures engine takes them."""
        return {"satisfied_answers": self.satisfied_answers}


def secret_key_from_environment() -> str:
    """``FORCESTAT_SECRET_KEY`` if set, else a random key (sign-ins last until restart)."""
    return os.environ.get(SECRET_KEY_ENV) or secrets.token_urlsafe(32)


def find_govuk_frontend(explicit: Path | None = None) -> Path:
    """Where govuk-frontend's built files are: ``explicit``, else
    ``FORCESTAT_GOVUK_FRONTEND``, else the copy shipped in the package (the usual case)."""
    env = os.environ.get(GOVUK_FRONTEND_ENV)
    folder = explicit or (Path(env) if env else GOVUK_FRONTEND_SHIPPED)
    if not (folder / "govuk-frontend.min.css").is_file():
        raise ForcestatError(
            f"{folder}: no govuk-frontend.min.css there; give GOV.UK Frontend's dist/govuk "
            f"folder (or unset {GOVUK_FRONTEND_ENV} to serve the copy shipped with forcestat)"
        )
    return folder
