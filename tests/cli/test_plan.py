"""'forcestat plan load' and 'forcestat plan export' on the demo's example Plan: it loads
from TOML, exports to each layout, and each export loads into a fresh store as the same
tracker (the round trip)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from forcestat.cli import cli
from forcestat.measures.catalogue import load_catalogue
from forcestat.sources.plan_files import read_plan_file
from forcestat.store.plan import plan_rows
from forcestat.store.records import records_connection

DEMO_PLAN = REPO / "data" / "plan" / "police_and_crime_plan.toml"
DEMO_REGISTER = REPO / "data" / "plan" / "recommendations.csv"


def _load(runner: CliRunner, path: Path, store: Path) -> str:
    result = runner.invoke(cli, ["plan", "load", str(path), "--store", str(store), "--actor", "t"])
    assert result.exit_code == 0, result.output
    return result.output


def _tracker(store: Path) -> list[dict[str, str]]:
    with records_connection(store) as records:
        return plan_rows(records)


def test_the_demo_plan_is_big_enough_and_links_only_measures_that_exist() -> None:
    rows = read_plan_file(DEMO_PLAN).rows
    kinds = [r.values["type"] for r in rows]
    assert kinds.count("objective") >= 3
    assert kinds.count("deliverable") >= 10
    assert kinds.count("milestone") >= 40
    known = {m.id for m in load_catalogue().measures}
    linked = {r.values["measure"] for r in rows if r.values.get("measure")}
    assert linked and linked <= known


@pytest.mark.parametrize("fmt", ["toml", "csv", "xlsx", "ods"])
def test_the_demo_plan_round_trips_through_each_layout(tmp_path: Path, fmt: str) -> None:
    runner = CliRunner()
    first = tmp_path / "first.duckdb"
    assert _load(runner, DEMO_PLAN, first).startswith(f"Loaded {DEMO_PLAN}: 65 entries added")
    exported = tmp_path / f"plan.{fmt}"
    result = runner.invoke(
        cli, ["plan", "export", str(exported), "--format", fmt, "--store", str(first)]
    )
    assert result.exit_code == 0 and "Wrote 65 entries" in result.output, result.output
    second = tmp_path / "second.duckdb"
    _load(runner, exported, second)
    assert _tracker(second) == _tracker(first)
    # Loading the export over the tracker it came from changes nothing.
    assert "0 entries added, 0 updated, 65 unchanged" in _load(runner, exported, first)


def test_a_plan_with_problems_is_one_message_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "plan.csv"
    bad.write_text("type,id,parent,title,lead,due\nmilestone,M1,,A,B,31/13/2025\n", "utf-8")
    result = CliRunner().invoke(cli, ["plan", "load", str(bad), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "plan.csv line 2: due date '31/13/2025' is not a day of the calendar" in result.output
    assert "plan.csv line 2: a milestone needs the id of its deliverable" in result.output


@pytest.mark.parametrize("fmt", ["toml", "csv", "xlsx", "ods"])
def test_the_example_register_round_trips(tmp_path: Path, fmt: str) -> None:
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    assert "recommendations added" in _load(runner, DEMO_REGISTER, store)
    out = tmp_path / f"register.{fmt}"
    result = runner.invoke(cli, ["plan", "export", str(out), "--register", "--store", str(store)])
    assert result.exit_code == 0, result.output
    other = tmp_path / "other.duckdb"
    _load(runner, out, other)
    with records_connection(store) as a, records_connection(other) as b:
        from forcestat.store.registers import register_rows

        assert register_rows(a) == register_rows(b) and len(register_rows(a)) >= 6


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_hostile_and_apostrophe_titles_survive_export_and_reload(tmp_path: Path, fmt: str) -> None:
    runner = CliRunner()
    plan = tmp_path / "plan.csv"
    # Written by hand as a spreadsheet user would save it: the first apostrophe on each
    # formula-like cell is the marking, any further one the title's own.
    plan.write_text(
        "type,id,parent,title,lead\n"
        "objective,O1,,'=HYPERLINK(\"http://x\"),'+cmd\n"
        "objective,O2,,''=1+1,'-2+3\n"
        "objective,O3,,'quoted' objective,'@SUM(1)\n",
        "utf-8",
    )
    first = tmp_path / "first.duckdb"
    _load(runner, plan, first)
    titles = {r["id"]: (r["title"], r["lead"]) for r in _tracker(first)}
    assert titles == {
        "O1": ('=HYPERLINK("http://x")', "+cmd"),
        "O2": ("'=1+1", "-2+3"),
        "O3": ("'quoted' objective", "@SUM(1)"),
    }
    out = tmp_path / f"export.{fmt}"
    result = runner.invoke(cli, ["plan", "export", str(out), "--store", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second.duckdb"
    _load(runner, out, second)
    assert _tracker(second) == _tracker(first)


def test_register_load_and_export_are_the_plan_commands_under_their_own_name(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    result = runner.invoke(
        cli, ["register", "load", str(DEMO_REGISTER), "--store", str(store), "--actor", "t"]
    )
    assert result.exit_code == 0 and "recommendations added" in result.output, result.output
    via_register = tmp_path / "a.csv"
    via_plan = tmp_path / "b.csv"
    runner.invoke(cli, ["register", "export", str(via_register), "--store", str(store)])
    runner.invoke(cli, ["plan", "export", str(via_plan), "--register", "--store", str(store)])
    assert via_register.read_bytes() == via_plan.read_bytes()
    # Re-loading through either name changes nothing.
    again = runner.invoke(cli, ["register", "load", str(via_plan), "--store", str(store)])
    assert ", 0 updated," in again.output and " 0 recommendations added" in again.output
    # A Plan file is refused by 'register load', naming the command that loads it.
    refused = runner.invoke(cli, ["register", "load", str(DEMO_PLAN), "--store", str(store)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "this is a Plan file, not a register" in refused.output
    assert "forcestat plan load" in refused.output
