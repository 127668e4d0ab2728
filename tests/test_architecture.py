"""The package layout's rules (docs/architecture.md), checked on the source itself.

Imports flow one way along the pipeline: each stage imports only the shared modules and
the stages named for it below. The outputs (report, dashboard, command line) ask the
store and the measures engine for data: they hold no SQL and run none.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "forcestat"

# Small modules every stage may use (``forcestat`` itself: its __version__).
SHARED = frozenset({"forcestat", "errors", "months", "forces", "config", "cells"})
# Each stage, and the other stages it may import. cli, the last, may import any.
STAGES: dict[str, frozenset[str]] = {
    "sources": frozenset(),
    "spc": frozenset(),
    "store": frozenset({"sources", "spc"}),
    "ingest": frozenset({"sources", "store"}),
    "measures": frozenset({"sources", "spc", "store"}),
    "report": frozenset({"sources", "spc", "store", "measures"}),
    "web": frozenset({"sources", "spc", "store", "measures"}),
    "cli": frozenset({"sources", "spc", "store", "ingest", "measures", "report", "web"}),
}
# spc/ knows numbers and months only (and writes spreadsheet-safe CSV): not even the
# forces or the settings.
SHARED_FOR = {"spc": frozenset({"forcestat", "errors", "months", "cells"})}
# The shared modules, and what each of them may import.
TOP_LEVEL = {
    "__init__": frozenset(),
    "errors": frozenset(),
    "months": frozenset(),
    "cells": frozenset(),
    "forces": frozenset({"errors"}),
    "config": frozenset({"errors", "forces"}),
}
# Outputs that ask rather than query.
NO_SQL = ("report", "web", "cli")
SQL_TEXT = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+"
    r"(TABLE|VIEW|INDEX)|DROP\s+TABLE|information_schema)\b",
    re.S,
)
RUNS_SQL = frozenset({"execute", "executemany", "sql", "query", "read_csv", "fetchall"})


def _modules(stage: str) -> list[Path]:
    return sorted((PACKAGE / stage).rglob("*.py"))


def imported_parts(path: Path) -> set[tuple[str, int]]:
    """The forcestat parts a module imports ('spc', 'errors', 'forcestat'), with the
    line, including imports inside functions."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "forcestat":
                names = [f"forcestat.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] != "forcestat":
                continue
            if len(parts) == 1 or parts[1] == "__version__":
                found.add(("forcestat", node.lineno))
            else:
                found.add((parts[1], node.lineno))
    return found


def import_violations(stage: str, path: Path, root: Path = PACKAGE) -> list[str]:
    """Each import in ``path`` (a module of ``stage``) that the layout does not allow."""
    allowed = {stage} | STAGES[stage] | SHARED_FOR.get(stage, SHARED)
    return [
        f"{path.relative_to(root)}:{line} imports forcestat.{part}"
        for part, line in sorted(imported_parts(path), key=lambda found: found[1])
        if part not in allowed
    ]


def sql_violations(path: Path, root: Path = PACKAGE) -> list[str]:
    """SQL text, or a call that runs SQL, in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_TEXT.search(node.value)
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} holds SQL text")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS_SQL
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} calls .{node.func.attr}()")
    return found


def test_the_top_level_holds_the_stages_and_the_shared_modules_only() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert modules == set(TOP_LEVEL)
    assert folders == set(STAGES)


@pytest.mark.parametrize("module", sorted(TOP_LEVEL))
def test_a_shared_module_imports_only_the_shared_modules_before_it(module: str) -> None:
    path = PACKAGE / f"{module}.py"
    imported = {part for part, _ in imported_parts(path)} - {"forcestat"}
    assert imported <= TOP_LEVEL[module]


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_imports_only_the_stages_before_it(stage: str) -> None:
    violations = [v for path in _modules(stage) for v in import_violations(stage, path)]
    assert violations == []


@pytest.mark.parametrize("stage", NO_SQL)
def test_the_outputs_hold_no_sql_and_run_none(stage: str) -> None:
    violations = [v for path in _modules(stage) for v in sql_violations(path)]
    assert violations == []


def test_the_rules_catch_a_forbidden_import_and_sql(tmp_path: Path) -> None:
    # The checks above pass on the package; here they must fail on a module that breaks
    # each rule, so a passing suite means the rules were kept, not that nothing was read.
    module = tmp_path / "spc" / "breaking.py"
    module.parent.mkdir()
    module.write_text(
        "import forcestat.web\n"
        "from forcestat.measures.engine import evaluate\n"
        "def counts(con):\n"
        "    from forcestat import store\n"
        "    return con.execute('SELECT count(*) FROM crimes').fetchall()\n",
        "utf-8",
    )
    assert import_violations("spc", module, tmp_path) == [
        "spc/breaking.py:1 imports forcestat.web",
        "spc/breaking.py:2 imports forcestat.measures",
        "spc/breaking.py:4 imports forcestat.store",
    ]
    assert sorted(sql_violations(module, tmp_path)) == [
        "spc/breaking.py:5 calls .execute()",
        "spc/breaking.py:5 calls .fetchall()",
        "spc/breaking.py:5 holds SQL text",
    ]
