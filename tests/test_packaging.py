"""Every file the package reads at run time (templates, catalogues, static files) is
named in pyproject's package data, so an installed wheel works as the checkout does."""

from __future__ import annotations

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
