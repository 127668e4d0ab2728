"""The command line, run as a user would in a fresh folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, STREET, STREET_HEADER, street_row, write_csv
from forcestat.cli import cli
from forcestat.forces import find_force
from forcestat.store.publications import publications


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    # Wide enough that tables do not wrap names across lines.
    return CliRunner(env={"COLUMNS": "200"})


def test_every_command_has_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, name
        assert sub.output.startswith(f"Usage: cli {name}") or f" {name} " in sub.output
        assert command.help, f"{name} has no help text"


def test_init_writes_settings_and_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["init", "--most-similar", "Greater Manchester, Merseyside,West Yorkshire"]
    )
    assert result.exit_code == 0
    text = (tmp_path / "forcestat.toml").read_text()
    assert 'force = "West Midlands"' in text
    assert 'policing_body = "West Midlands Police and Crime Commissioner"' in text
    assert '"Greater Manchester", "Merseyside", "West Yorkshire"' in text
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    other = runner.invoke(cli, ["init", "--force", "Merseyside", "--force-overwrite"])
    assert other.exit_code == 0
    text = (tmp_path / "forcestat.toml").read_text()
    assert 'force = "Merseyside"' in text
    # Merseyside is not given West Midlands' group, nor its own as part of it.
    assert "most_similar_forces = []" in text
    typo = runner.invoke(cli, ["init", "--force", "Merseysid", "--force-overwrite"])
    assert typo.exit_code == 1
    assert "did you mean 'Merseyside'?" in typo.output


def test_bad_settings_are_reported_together_on_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "forcestat.toml").write_text(
        'force = "Atlantis"\ncolour = "blue"\nbaseline_period_end = "June 2019"\n'
    )
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line
    assert "forcestat.toml" in line
    assert "'Atlantis'" in line and "'colour'" in line and "June 2019" in line
    assert "Traceback" not in result.output


def test_ingest_then_status_flags_a_missing_month(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for month in ("2019-01", "2019-02", "2019-04"):  # March is missing
        shutil.copy(STREET / f"{month}-city-of-london-street.csv.gz", data)
    result = runner.invoke(cli, ["ingest", str(data)])
    assert result.exit_code == 0, result.output
    assert "3 file(s) loaded" in result.output
    assert f"{617 + 688 + 851:,} rows added" in result.output
    status = runner.invoke(cli, ["status"])
    assert status.exit_code == 0, status.output
    assert "2019-03" in status.output  # listed as missing, not read as zero
    assert "Gaps: 1 monthly run" in status.output
    again = runner.invoke(cli, ["ingest", str(data)])
    assert "0 file(s) loaded, 3 already loaded" in again.output


def test_a_failing_file_is_one_line_and_exit_1_others_still_load(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(STREET / "2019-01-city-of-london-street.csv.gz", data)
    (data / "broken.csv").write_text("Date,Amount\n1,2\n")
    result = runner.invoke(cli, ["ingest", str(data)])
    assert result.exit_code == 1
    assert "broken.csv" in result.output and "matches no layout" in result.output
    assert "1 of 2 file(s) failed" in result.output
    assert "Traceback" not in result.output
    assert "1 file(s) loaded" in result.output and "617 rows added" in result.output


def test_rejects_are_listed_with_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "x.csv", [STREET_HEADER, street_row("a"), street_row("b", month="2019-99")]
    )
    assert runner.invoke(cli, ["ingest", str(f)]).exit_code == 0
    result = runner.invoke(cli, ["rejects"])
    assert f"{f}:3: Month is not a month" in result.output


def test_strict_fails_with_a_non_zero_exit(runner: CliRunner, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "x.csv", [STREET_HEADER, street_row("a"), street_row("b", month="2019-99")]
    )
    result = runner.invoke(cli, ["ingest", "--strict", str(f)])
    assert result.exit_code == 1
    assert "--strict" in result.output and "line 3" in result.output


def test_status_without_a_store_says_what_to_do(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["status"])
    assert result.exit_code == 1
    assert "forcestat ingest" in result.output


def test_demo_loads_the_bundled_sample(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "forcestat.toml").exists()
    assert (tmp_path / "forcestat.duckdb").exists()
    tables = SAMPLE.parent / "tables"
    n_files = len(
        [
            p
            for d in (SAMPLE, tables)
            for p in d.rglob("*")
            if p.is_file() and p.name.endswith(".gz")
        ]
    )
    # A workbook counts once per table it holds (P1, P3, ...), so at least one per file.
    loaded = re.search(r"(\d+) file\(s\) loaded, 0 already loaded", result.output)
    assert loaded is not None and int(loaded.group(1)) > n_files
    n_files = int(loaded.group(1))
    assert "City of London Police" in result.output
    assert "Warwickshire Police" in result.output
    assert "2017/18" in result.output
    # The reports: City of London to its latest street file (2021-12-city-of-london-street),
    # West Midlands for the 12 months to December 2019 from the ONS force tables.
    # West Midlands for 2020: the satisfaction section with the published figures.
    for folder in ("city-of-london-2021-12", "west-midlands-2019-12", "west-midlands-2020-12"):
        for name in ("report.html", "report.pdf", "tables.xlsx", "tables.ods"):
            assert (tmp_path / "out" / folder / name).stat().st_size > 0
    assert "12 months to December 2021" in result.output
    assert "West Midlands, 12 months to December 2019" in result.output
    page = (tmp_path / "out" / "west-midlands-2020-12" / "report.html").read_text()
    # 2020: 819 of 1,916 = 42.7%; 2019: 1,793 of 3,806 = 47.1%; 42.74 - 47.11 = -4.4 points
    assert (
        "In 2020, 42.7% of victims answering the survey were satisfied with the overall "
        "service (819 of 1,916; 95% interval 40.5% to 45.0%), down 4.4 percentage points "
        "from 47.1% in 2019, a change larger than chance alone would explain."
    ) in page
    assert "Victim satisfaction: domestic abuse victims against the rest" in page
    # The plan example gives targets and assurance; the example commentary is filled in.
    city = (tmp_path / "out" / "city-of-london-2021-12" / "report.html").read_text()
    assert "Crime recorded on police.uk (monthly)" in city
    assert "May meet or miss the target" in city
    west_midlands = (tmp_path / "out" / "west-midlands-2019-12" / "report.html").read_text()
    assert "Assessment by the West Midlands Police and Crime Commissioner" in west_midlands
    assert "{{" not in west_midlands and "Warning" not in result.output
    # The City of London statement is published, with its sign-off, for the dashboard.
    listed = publications(tmp_path / "published")
    assert [(p.force, p.period_label, p.version) for p in listed] == [
        ("City of London", "12 months to December 2021", 1)
    ]
    # The example Plan (65 entries) and register (7 recommendations), and the Plan's
    # delivery report.
    assert "65 entries added" in result.output and "7 recommendations added" in result.output
    for name in ("plan-delivery-2024-25.html", "plan-delivery-2024-25.pdf"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    # Running it again finds everything already loaded.
    again = runner.invoke(cli, ["demo"])
    assert f"0 file(s) loaded, {n_files} already loaded" in again.output
    assert "0 entries added, 0 updated, 65 unchanged" in again.output


@pytest.mark.parametrize(
    ("force", "most_similar", "body", "group"),
    [
        ("Kent", "Essex,Hampshire,Sussex", "Kent Police and Crime Commissioner", 3),
        ("Met", None, "Mayor's Office for Policing and Crime", 0),
        ("Dyfed Powys", "North Wales,Gwent", "Dyfed-Powys Police and Crime Commissioner", 2),
    ],
)
def test_init_then_report_names_the_forces_own_body_and_the_users_group(
    runner: CliRunner,
    tmp_path: Path,
    sample_store_path: Path,
    force: str,
    most_similar: str | None,
    body: str,
    group: int,
) -> None:
    args = ["init", "--force", force]
    if most_similar is not None:
        args += ["--most-similar", most_similar]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"Policing body: {body}" in result.output
    settings = (tmp_path / "forcestat.toml").read_text()
    assert f'policing_body = "{body}"' in settings.replace('\\"', '"')
    # Never another force's group: what the user gave, or none.
    expected = [n.strip() for n in (most_similar or "").split(",") if n.strip()]
    assert "Merseyside" not in settings and "West Yorkshire" not in settings
    report = runner.invoke(
        cli,
        ["report", "--period", "2018-03", "--no-pdf", "--store", str(sample_store_path)],
    )
    assert report.exit_code == 0, report.output
    html = next((tmp_path / "out").glob("*-2018-03/report.html")).read_text()
    assert f'<p class="body-name">{body.replace(chr(39), "&#39;")}</p>' in html
    # The peers tables mark the user's group, and only it, as most similar.
    marked = set(
        re.findall(r'<th scope="row">([^<]+)</th><td class="text">Most similar</td>', html)
    )
    marked.discard("Most similar forces combined")  # the group's own row
    assert marked <= {find_force(name).name for name in expected}
    # The settings used, in the methods, name the user's group (or none).
    names = ", ".join(find_force(n).name for n in expected) or "(none)"
    assert f'most_similar_forces</th><td class="text">{names}</td>' in html
    assert group == len(expected)
    if force == "Kent":  # Kent has rates: its peers table marks the group
        assert marked == {"Essex", "Hampshire", "Sussex"}
