"""forcestat plan: load a whole Police and Crime Plan (or a register), export it, and
write the end-of-year delivery report."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from forcestat.cli.app import (
    cli,
    config_option,
    force_option,
    plan_option,
    project_catalogue,
    project_settings,
    store_option,
)
from forcestat.config import Config

__all__ = ["plan", "register_group"]


def _actor(actor: str | None, path: Path, command: str) -> str:
    """Who the audit log names: --actor, or the account running the command."""
    if actor:
        return actor
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user} (forcestat {command} {path.name})"


def _measure_ids(config: Config, store: Path, plan_path: Path | None) -> set[str]:
    """The catalogue's measure ids (national and the plan file's), with the store's
    offence codes when the store can be read now (a load may hold it)."""
    from forcestat.errors import StoreError
    from forcestat.measures.catalogue import load_catalogue
    from forcestat.store.database import open_store

    try:
        with open_store(store, read_only=True) as con:
            catalogue = project_catalogue(con, config, plan_path)
    except StoreError:
        catalogue = load_catalogue(
            plan_path or config.plan, national_baseline=config.baseline_period_end
        )
    return {m.id for m in catalogue.measures}


@cli.group()
def plan() -> None:
    """The Police and Crime Plan tracker: load a Plan or register file, export it, and
    write the end-of-year delivery report. Layouts: docs/plan.md."""


def _load_file(
    path: Path,
    actor: str | None,
    plan_path: Path | None,
    config_path: Path | None,
    store_path: Path | None,
    *,
    only: str | None = None,
) -> None:
    """What 'plan load' and 'register load' do; ``only`` ('register') refuses a file of
    the other kind, naming the command that loads it."""
    from forcestat.sources.plan_files import FileKind, PlanFileError, read_plan_file
    from forcestat.store.plan import PlanLoadSummary, load_plan
    from forcestat.store.records import records_connection
    from forcestat.store.registers import RegisterLoadSummary, load_register

    config, store = project_settings(config_path, store_path)
    source = read_plan_file(path)
    if only == FileKind.REGISTER and source.kind is not FileKind.REGISTER:
        raise PlanFileError(
            f"{path}: this is a Plan file, not a register (its header has type and title "
            "columns); load it with 'forcestat plan load'"
        )
    who = _actor(actor, path, "register load" if only else "plan load")
    counts: PlanLoadSummary | RegisterLoadSummary
    with records_connection(store) as records:
        if source.kind is FileKind.REGISTER:
            counts = load_register(records, source, actor=who)
            what = "recommendations"
        else:
            known = _measure_ids(config, store, plan_path)
            counts = load_plan(records, source, known_measures=known, actor=who)
            what = "entries"
    click.echo(
        f"Loaded {path}: {counts.created} {what} added, {counts.updated} updated, "
        f"{counts.unchanged} unchanged"
        + (f"; {counts.left_alone} not in the file left as they were" if counts.left_alone else "")
        + "."
    )


def _export_file(
    path: Path, fmt: str | None, register: bool, config_path: Path | None, store_path: Path | None
) -> None:
    """What 'plan export' and 'register export' do."""
    from forcestat.sources.plan_files import FileKind, PlanFormat, write_plan_file
    from forcestat.store.plan import plan_rows
    from forcestat.store.records import records_connection
    from forcestat.store.registers import register_rows

    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        rows = register_rows(records) if register else plan_rows(records)
    kind = FileKind.REGISTER if register else FileKind.PLAN
    write_plan_file(path, kind, rows, PlanFormat(fmt) if fmt else None)
    click.echo(f"Wrote {len(rows)} {'recommendations' if register else 'entries'} to {path}.")


_path_argument = click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
_actor_option = click.option(
    "--actor", default=None, help="Name for the audit log (default: your account)."
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "csv", "xlsx", "ods"]),
    default=None,
    help="Layout to write (default: from PATH's extension).",
)


@plan.command("load")
@_path_argument
@_actor_option
@plan_option
@config_option
@store_option
def load(
    path: Path,
    actor: str | None,
    plan_path: Path | None,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Load a Plan file (objectives, deliverables, milestones) or a register file
    (recommendations) from TOML, CSV, XLSX or ODS: all of it or, listing every problem,
    none of it. Entries already loaded are updated in place by their id, each change in
    the audit log."""
    _load_file(path, actor, plan_path, config_path, store_path)


@plan.command("export")
@_path_argument
@_format_option
@click.option("--register", is_flag=True, help="Export the registers, not the Plan.")
@config_option
@store_option
def export(
    path: Path, fmt: str | None, register: bool, config_path: Path | None, store_path: Path | None
) -> None:
    """Write the tracker (or, with --register, the registers) to PATH in the layout
    'forcestat plan load' reads, drafts included."""
    _export_file(path, fmt, register, config_path, store_path)


@cli.group("register")
def register_group() -> None:
    """The registers of recommendations (HMICFRS inspections, the Police and Crime Panel,
    audit): 'register load' and 'register export' are 'plan load' (of a register file)
    and 'plan export --register' under the registers' own name. Layout: docs/plan.md."""


@register_group.command("load")
@_path_argument
@_actor_option
@config_option
@store_option
def register_load(
    path: Path, actor: str | None, config_path: Path | None, store_path: Path | None
) -> None:
    """Load a register file (recommendations) from TOML, CSV, XLSX or ODS, as 'forcestat
    plan load' does: all of it or, listing every problem, none of it; recommendations
    already loaded are updated in place by their id, each change in the audit log. A Plan
    file is refused (load it with 'forcestat plan load')."""
    _load_file(path, actor, None, config_path, store_path, only="register")


@register_group.command("export")
@_path_argument
@_format_option
@config_option
@store_option
def register_export(
    path: Path, fmt: str | None, config_path: Path | None, store_path: Path | None
) -> None:
    """Write the registers to PATH in the layout 'forcestat register load' reads (the same
    as 'forcestat plan export --register')."""
    _export_file(path, fmt, True, config_path, store_path)


@plan.command("report")
@click.option("--year", required=True, metavar="YYYY/YY", help="Financial year, e.g. 2024/25.")
@click.option(
    "--figures-to",
    default=None,
    metavar="YYYY-MM",
    help="Last month of the 12 months the linked figures cover (default: March at the year's end).",
)
@force_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder to write into (OUT/plan-delivery-<YYYY-YY>.html and .pdf).",
)
@click.option("--no-pdf", is_flag=True, help="Write the HTML but not the PDF.")
@config_option
@store_option
def report(
    year: str,
    figures_to: str | None,
    force_name: str | None,
    out: Path,
    no_pdf: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Write the end-of-year delivery report of the Police and Crime Plan (HTML and PDF):
    statuses by objective, then every published objective, deliverable and milestone
    with its status, the lead's latest note and any linked measure's figure, target,
    suggested status and chart."""
    from forcestat.measures.periods import parse_month
    from forcestat.report.delivery import write_delivery_report
    from forcestat.store.database import open_store
    from forcestat.store.records import records_connection

    config, store = project_settings(config_path, store_path)
    month = parse_month(figures_to) if figures_to else None
    con = open_store(store, read_only=True)
    try:
        with records_connection(store) as records:
            written, html, pdf = write_delivery_report(
                con,
                records,
                config,
                year=year,
                out=out,
                figures_to=month,
                force=force_name,
                pdf=not no_pdf,
            )
    finally:
        con.close()
    click.echo(
        f"Wrote the delivery report {written.year_label} ({written.milestone_count} milestones):"
    )
    for path in (html, pdf):
        if path is not None:
            click.echo(f"  {path}")
