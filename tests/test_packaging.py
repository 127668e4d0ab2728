"""Every file the package reads at run time (templates, catalogues, static files) is
named in pyproject's package data, so an installed wheel works as the checkout does."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "forcestat"


def test_package_data_covers_every_file_that_is_not_python() -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = settings["tool"]["setuptools"]["package-data"]["forcestat"]
    covered = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    needed = {
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert needed, "the package has templates and catalogues"
    assert sorted(str(p.relative_to(PACKAGE)) for p in needed - covered) == []


def test_shipped_govuk_frontend_is_the_version_package_lock_pins() -> None:
    lock = json.loads((REPO / "package-lock.json").read_text("utf-8"))
    pinned = lock["packages"]["node_modules/govuk-frontend"]["version"]
    shipped = PACKAGE / "web" / "govuk_frontend"
    assert (shipped / "VERSION").read_text("utf-8").strip() == pinned
    assert f'version="{pinned}"' in (shipped / "govuk-frontend.min.js").read_text("utf-8")
    assert "MIT License" in (shipped / "LICENCE.txt").read_text("utf-8")
    # Only what the dashboard serves: no source maps, Sass or component sources.
    names = sorted(str(p.relative_to(shipped)) for p in shipped.rglob("*") if p.is_file())
    assert [n for n in names if not n.startswith("assets/")] == [
        "LICENCE.txt",
        "VERSION",
        "govuk-frontend.min.css",
        "govuk-frontend.min.js",
    ]
