"""'forcestat user add' and 'forcestat user list' through the CLI runner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from forcestat.cli import cli
from forcestat.store.records import records_connection
from forcestat.store.users import authenticate


def test_the_first_admin_is_added_from_stdin_and_can_sign_in(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "user",
            "add",
            "Chief@OPCC.example",
            "--role",
            "admin",
            "--password-stdin",
            "--store",
            str(store),
        ],
        input="a long admin password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added chief@opcc.example as admin." in result.output
    listed = runner.invoke(cli, ["user", "list", "--store", str(store)])
    assert listed.output.splitlines() == ["chief@opcc.example\tadmin\tactive"]
    with records_connection(store) as records:
        user = authenticate(records, "chief@opcc.example", "a long admin password")
    assert user is not None and user.role.value == "admin"


def test_a_short_password_is_refused_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["user", "add", "a@b.example", "--password-stdin", "--store", str(tmp_path / "s.duckdb")],
        input="short\n",
    )
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: the password is 5 characters long; use at least 12 (a few unrelated words "
        "make a strong one)"
    )


def test_the_password_prompt_asks_twice(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["user", "add", "a@b.example", "--store", str(tmp_path / "s.duckdb")],
        input="twelve chars!\ntwelve chars!\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
