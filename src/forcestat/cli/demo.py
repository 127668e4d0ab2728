"""forcestat demo: the README's main job, on the bundled real sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from forcestat.cli.app import cli
from forcestat.cli.loading import ingest, status
from forcestat.cli.measuring import report
from forcestat.cli.plan import load as plan_load
from forcestat.cli.plan import report as plan_report
from forcestat.cli.publishing import publish
from forcestat.config import CONFIG_FILE, write_default_config
from forcestat.errors import ForcestatError

__all__ = [
    "DEMO_COMMENTARY",
    "DEMO_MOST_SIMILAR",
    "POLICE_AND_CRIME_PLAN",
    "RECOMMENDATIONS",
    "SAMPLE_DIR",
    "TABLES_DIR",
    "demo",
]

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "sample"
# The official force tables (ONS editions, Home Office rolling totals, force
# populations) and a second police.uk force, Warwickshire: see data/tables/PROVENANCE.md.
TABLES_DIR = Path(__file__).resolve().parents[3] / "data" / "tables"
# The example Police and Crime Plan and register of recommendations, for the tracker.
POLICE_AND_CRIME_PLAN = SAMPLE_DIR.parent / "plan" / "police_and_crime_plan.toml"
RECOMMENDATIONS = SAMPLE_DIR.parent / "plan" / "recommendations.csv"
# The demo's own choice of group for West Midlands, as a user would set it.
DEMO_MOST_SIMILAR = ("Greater Manchester", "Merseyside", "West Yorkshire")
DEMO_SIGN_OFF = "forcestat demo (an example sign-off)"

# Example commentary for two priorities: the force's account and the body's assessment,
# citing the run's figures by placeholder (filled and checked when the report is built).
DEMO_COMMENTARY = {
    "reduce-neighbourhood-crime-force.md": (
        "Residential burglary stood at **{{ residential_burglary.value }} per 1,000 "
        "residents**, {{ residential_burglary.rank_words }}, against "
        "{{ residential_burglary.national_value }} in England and Wales.\n\n"
        "- *An example of the force's account*: what was done, and where.\n"
        "- Figures in braces are filled from the same run as the tables.\n"
    ),
    "reduce-neighbourhood-crime-body.md": (
        "The board notes that residential burglary is {{ residential_burglary.rank_words }} "
        "and asks the force for its plan to bring it below England and Wales' "
        "{{ residential_burglary.national_value }} per 1,000 residents.\n"
    ),
    "reduce-murder-and-other-homicide-body.md": (
        "{{ homicide.value }} homicides were recorded, {{ homicide_rate.value }} per million "
        "residents ({{ homicide_rate.rank_words }}). Numbers this small vary by chance "
        "from year to year.\n"
    ),
}
# Commentary is written for one statement: these texts are for West Midlands' 12 months
# to December 2019 (the commentary folder's 2019-12 sub-folder).
DEMO_COMMENTARY_PERIOD = "2019-12"


def _set_up_project() -> None:
    """forcestat.toml with the plan example and example commentary beside it."""
    from forcestat.measures.catalogue import PLAN_EXAMPLE

    plan = Path("plan.toml")
    if not plan.exists():
        shutil.copyfile(PLAN_EXAMPLE, plan)
    commentary = Path("commentary")
    if not commentary.exists():
        (commentary / DEMO_COMMENTARY_PERIOD).mkdir(parents=True)
        for name, text in DEMO_COMMENTARY.items():
            (commentary / DEMO_COMMENTARY_PERIOD / name).write_text(text, encoding="utf-8")
    write_default_config(
        Path(CONFIG_FILE),
        most_similar=DEMO_MOST_SIMILAR,
        settings={"plan": plan.name, "commentary": commentary.name},
    )
    click.echo(
        f"Wrote {CONFIG_FILE} (West Midlands, the plan example {plan} and example "
        f"commentary in {commentary}/)."
    )


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

    Writes forcestat.toml (with the plan example and example commentary) if there is
    none, loads the sample into the store, shows what is loaded, writes the draft
    statement and scorecard (HTML, PDF, CSV, XLSX, ODS) under out/ for City of London
    (the force with monthly police.uk data), West Midlands (the 12 months to December
    2019 against the June 2019 baseline, from the ONS force tables) and West Midlands
    for 2020 (its published annual-report figures and the synthetic victim survey, for
    the satisfaction section), publishes the City of London statement into published/
    with an example sign-off, and prints where they are. Loads the example Police and
    Crime Plan and register of recommendations (data/plan/) into the tracker and writes
    the Plan's delivery report for 2024/25.
    """
    if not Path(CONFIG_FILE).exists():
        _set_up_project()
    sample = sample or SAMPLE_DIR
    if not sample.is_dir():
        raise ForcestatError(f"{sample}: bundled sample data not found; pass --sample FOLDER")
    # The force tables come with the bundled sample; a --sample folder stands alone.
    paths = (sample, TABLES_DIR) if sample == SAMPLE_DIR and TABLES_DIR.is_dir() else (sample,)
    ctx.invoke(ingest, paths=paths, strict=False, config_path=None, store_path=store_path)
    ctx.invoke(status, config_path=None, store_path=store_path)
    # The example Police and Crime Plan and register of recommendations, for the tracker,
    # the statement's Plan section and the delivery report.
    for example in (POLICE_AND_CRIME_PLAN, RECOMMENDATIONS):
        ctx.invoke(
            plan_load,
            path=example,
            actor="forcestat demo",
            plan_path=None,
            config_path=None,
            store_path=store_path,
        )
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
    if west_midlands == "2018-03":
        click.echo(
            "West Midlands: the Home Office table covers April 2017 to March 2018 only, "
            "so its statement gives no change on the June 2019 baseline or on the "
            "previous year."
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
    ctx.invoke(
        publish,
        period_end=latest,
        force_name="City of London",
        signed_off_by=DEMO_SIGN_OFF,
        out=Path("out"),
        published=Path("published"),
        no_pdf=False,
        config_path=None,
        store_path=store_path,
    )
    click.echo(
        "Next: 'forcestat serve' opens the dashboard on http://127.0.0.1:8000/; its "
        "Reports page lists the published City of London statement."
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
