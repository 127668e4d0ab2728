"""'forcestat backup' and 'forcestat restore' through the CLI runner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import STREET
from forcestat.cli import cli
from forcestat.store.database import MIGRATIONS


def test_backup_and_restore_round_trip_on_the_command_line(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    loaded = runner.invoke(
        cli, ["ingest", str(STREET / "2019-01-city-of-london-street.csv.gz"), "--store", str(store)]
    )
    assert loaded.exit_code == 0, loaded.output
    reports = tmp_path / "out"
    reports.mkdir()
    (reports / "statement.html").write_text("<h1>Q1</h1>", "utf-8")
    made = runner.invoke(
        cli, ["backup", str(tmp_path / "b"), "--reports", str(reports), "--store", str(store)]
    )
    assert made.exit_code == 0, made.output
    assert made.output.startswith("Backed up 3 files (")
    schema = len(MIGRATIONS)  # the store is created at the newest schema
    assert f"into {tmp_path / 'b'} (store schema {schema}, records version 2)." in made.output
    (reports / "statement.html").unlink()
    refused = runner.invoke(
        cli, ["restore", str(tmp_path / "b"), "--reports", str(reports), "--store", str(store)],
        input="n\n",
    )  # fmt: skip
    assert refused.exit_code == 1 and not (reports / "statement.html").exists()
    done = runner.invoke(
        cli,
        ["restore", str(tmp_path / "b"), "--yes", "--reports", str(reports), "--store", str(store)],
    )
    assert done.exit_code == 0, done.output
    assert (reports / "statement.html").read_text("utf-8") == "<h1>Q1</h1>"
    again = runner.invoke(cli, ["backup", str(tmp_path / "b"), "--store", str(store)])
    assert again.exit_code == 1
    assert again.output.strip() == (
        f"Error: {tmp_path / 'b'}: already exists; give a new folder for the backup"
    )
