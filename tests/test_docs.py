"""Every command and setting is documented, and the generated references are current."""

from __future__ import annotations

import os
from pathlib import Path

from forcestat.cli import cli
from forcestat.cli.reference import cli_reference, layouts_reference
from forcestat.config import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGENERATE = os.environ.get("FORCESTAT_REGENERATE_DOCS") == "1"


def _check(path: Path, expected: str) -> None:
    if REGENERATE:
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.name} is out of date: run 'make docs' (or FORCESTAT_REGENERATE_DOCS=1 pytest)"
    )


def test_cli_reference_is_current() -> None:
    _check(DOCS / "cli.md", cli_reference(cli))


def test_layouts_reference_is_current() -> None:
    _check(DOCS / "layouts.md", layouts_reference())


def test_every_command_and_setting_is_in_the_reference() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## forcestat {name}" in text
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text
        assert setting.help


def test_readme_names_the_two_commands_ci_runs() -> None:
    root = DOCS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (root / ".ci" / "run").read_text(encoding="utf-8")
