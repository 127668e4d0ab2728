"""forcestat demo: the README's main job, on the bundled real sample."""

from __future__ import annotations

from pathlib import Path

import click

from forcestat.cli.app import cli
from forcestat.cli.loading import ingest, init, status
from forcestat.cli.measuring import report
from forcestat.config import CONFIG_FILE
from forcestat.errors import ForcestatError

__all__ = ["SAMPLE_DIR", "TABLES_DIR", "demo"]

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "sample"
# The official force tables (ONS editions, Home Office rolling totals, force
# populations) and a second police.uk force, Warwickshire: see data/tables/PROVENANCE.md.
TABLES_DIR = Path(__file__).resolve().parents[3] / "data" / "tables"


@cli.command()
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("forcestat.duckdb"),
    show_default=True,
    help="Store file to build.",
)
@click.option(
    "--sample",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Folder of sample data (default: the bundled data/sample).",
)
@click.pass_context
def demo(ctx: click.Context, store_path: Path, sample: Path | None) -> None:
    """Run forcestat end to end on the bundled real data.

    Writes forcestat.toml if there is none, loads the sample into the store, shows
    what is loaded, then writes the quarterly statement and scorecard (HTML, PDF,
    CSV, XLSX, ODS) under out/ for City of London (the force with monthly police.uk
    data), West Midlands (the 12 months to December 2019 against the June 2019
    baseline, from the ONS force tables) and West Midlands for 2020 (its published
    annual-report figures and the synthetic victim survey, for the satisfaction
    section), and prints where they are.
    """
    if not Path(CONFIG_FILE).exists():
        ctx.invoke(init, force_name=None, force_overwrite=False, path=Path(CONFIG_FILE))
    sample = sample or SAMPLE_DIR
    if not sample.is_dir():
        raise ForcestatError(f"{sample}: bundled sample data not found; pass --sample FOLDER")
    # The force tables come with the bundled sample; a --sample folder stands alone.
    paths = (sample, TABLES_DIR) if sample == SAMPLE_DIR and TABLES_DIR.is_dir() else (sample,)
    ctx.invoke(ingest, paths=paths, strict=False, config_path=None, store_path=store_path)
    ctx.invoke(status, config_path=None, store_path=store_path)
    # The force with the monthly police.uk run, to its latest month loaded; West
    # Midlands for the 12 months to December 2019 from the ONS tables (the year to
    # March 2018 from the Home Office offence-code table without them); and West
    # Midlands for 2020, the latest year of its published satisfaction figures.
    latest = _latest_street_month(store_path, "City of London")
    west_midlands = "2019-12" if paths[-1] == TABLES_DIR else "2018-03"
    runs = (
        ("City of London", latest),
        ("West Midlands", west_midlands),
        ("West Midlands", "2020-12"),
    )
    for force_name, period_end in runs:
        ctx.invoke(
            report,
            period_end=period_end,
            force_name=force_name,
            out=Path("out"),
            no_pdf=False,
            config_path=None,
            store_path=store_path,
        )
    click.echo(
        "Next: 'forcestat serve' opens the dashboard on http://127.0.0.1:8000/, "
        "listing these reports."
    )


def _latest_street_month(store_path: Path, force_name: str) -> str:
    from forcestat.forces import find_force
    from forcestat.store.database import open_store
    from forcestat.store.status import store_status

    force = find_force(force_name)
    con = open_store(store_path, read_only=True)
    try:
        months = [
            c.last_month
            for c in store_status(con).monthly
            if c.table == "crimes" and find_force(c.force) == force
        ]
    finally:
        con.close()
    if not months:
        raise ForcestatError(f"the sample holds no police.uk street crime for {force.name}")
    return f"{max(months):%Y-%m}"
