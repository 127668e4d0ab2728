"""forcestat demo: the README's main job, on the bundled real sample."""

from __future__ import annotations

from pathlib import Path

import click

from forcestat.cli.app import cli
from forcestat.cli.loading import ingest, init, status
from forcestat.cli.measuring import report
from forcestat.cli.plan import load as plan_load
from forcestat.cli.plan import report as plan_report
from forcestat.config import CONFIG_FILE
from forcestat.errors import ForcestatError

__all__ = ["PLAN_EXAMPLE", "REGISTER_EXAMPLE", "SAMPLE_DIR", "demo"]

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "sample"
PLAN_EXAMPLE = SAMPLE_DIR.parent / "plan" / "police_and_crime_plan.toml"
REGISTER_EXAMPLE = SAMPLE_DIR.parent / "plan" / "recommendations.csv"


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
    data) and West Midlands (from the Home Office table), and prints where they are.
    Loads the example Police and Crime Plan and register of recommendations
    (data/plan/) into the tracker and writes the Plan's delivery report for 2024/25.
    """
    if not Path(CONFIG_FILE).exists():
        ctx.invoke(init, force_name=None, force_overwrite=False, path=Path(CONFIG_FILE))
    sample = sample or SAMPLE_DIR
    if not sample.is_dir():
        raise ForcestatError(f"{sample}: bundled sample data not found; pass --sample FOLDER")
    ctx.invoke(ingest, paths=(sample,), strict=False, config_path=None, store_path=store_path)
    ctx.invoke(status, config_path=None, store_path=store_path)
    # The example Police and Crime Plan and register of recommendations, for the tracker,
    # the statement's Plan section and the delivery report.
    for example in (PLAN_EXAMPLE, REGISTER_EXAMPLE):
        ctx.invoke(
            plan_load,
            path=example,
            actor="forcestat demo",
            plan_path=None,
            config_path=None,
            store_path=store_path,
        )
    # The force with the monthly police.uk run, to its latest month loaded, and West
    # Midlands from the Home Office table (2017/18: the year to March 2018).
    latest = _latest_street_month(store_path, "City of London")
    for force_name, period_end in (("City of London", latest), ("West Midlands", "2018-03")):
        ctx.invoke(
            report,
            period_end=period_end,
            force_name=force_name,
            out=Path("out"),
            no_pdf=False,
            config_path=None,
            store_path=store_path,
        )
    ctx.invoke(
        plan_report,
        year="2024/25",
        figures_to=latest,
        force_name="City of London",
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
