"""The figures: forcestat measures, reconcile and report."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from forcestat.cells import csv_cell
from forcestat.cli.app import (
    cli,
    config_option,
    force_option,
    make_console,
    output_format_option,
    plan_option,
    printable,
    printable_markup,
    project_catalogue,
    project_settings,
    store_option,
)


@cli.command("measures")
@click.option(
    "--force",
    "force_name",
    default=None,
    help="Force to show (default: the 'force' setting); 'all' for every force with data.",
)
@click.option(
    "--period",
    "period_end",
    default=None,
    metavar="YYYY-MM",
    help="Last month of the period (default: the latest month each source holds).",
)
@click.option(
    "--measure", "measure_ids", multiple=True, metavar="ID", help="Only this measure; repeat."
)
@plan_option
@output_format_option()
@click.option("--show-sql", is_flag=True, help="Print the SQL run for each measure to stderr.")
@click.option(
    "--wide",
    is_flag=True,
    help="Show every column of the table (period, baseline, interval, comparators, notes); "
    "by default a few key columns fit an 80-column terminal.",
)
@config_option
@store_option
def measures_command(
    force_name: str | None,
    period_end: str | None,
    measure_ids: tuple[str, ...],
    plan_path: Path | None,
    output_format: str,
    show_sql: bool,
    wide: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Evaluate the measure catalogue: value, baseline, change, interval, rank and notes.

    The national measures come with forcestat; the plan file adds the Police and Crime
    Plan's own. Home Office measures answer periods of whole quarters only; a period
    with missing months is shown as incomplete, never summed as if they were zero.
    """
    from forcestat.measures.engine import evaluate
    from forcestat.measures.periods import parse_month
    from forcestat.store.database import open_store

    config, store = project_settings(config_path, store_path)
    ends = [parse_month(period_end)] if period_end else None
    con = open_store(store, read_only=True)
    try:
        catalogue = project_catalogue(con, config, plan_path)
        chosen = [catalogue.get(m) for m in measure_ids] or list(catalogue.measures)
        areas = None if force_name == "all" else [force_name or config.force]
        table = evaluate(
            con,
            chosen,
            areas=areas,
            period_ends=ends,
            most_similar_forces={config.force: config.most_similar_forces},
            recording_changes=catalogue.recording_changes,
            local_settings={"satisfied_answers": config.satisfied_answers},
        )
    finally:
        con.close()
    if show_sql:
        for measure_id, sql in table.sql:
            click.echo(f"-- {measure_id}\n{sql};\n", err=True)
    if output_format == "csv":
        click.echo(table.to_csv(), nl=False)
    elif output_format == "json":
        click.echo(table.to_json())
    else:
        _print_measures(table.rows, wide=wide)


def _proxy(note: str) -> str:
    """The row's 'Proxy: ...' sentence, where a published group stands in for it."""
    at = note.find("Proxy: ")
    return "" if at < 0 else note[at:].split(". ")[0].rstrip(".") + "."


def _print_measures(rows: Any, *, wide: bool) -> None:
    """The measures with a value as a table, then those without one and why: the
    reasons are sentences, too long for a column. By default the key columns only
    (measure, period end, value, change on the baseline, rank), which fit 80 columns;
    ``wide``: every column."""
    shown = [r for r in rows if r.value is not None]
    missing = [r for r in rows if r.value is None]
    areas = sorted({r.area for r in rows})
    one_area = len(areas) == 1
    t = Table(title=printable_markup(areas[0]) if one_area else None)
    t.add_column("measure", no_wrap=True)
    if not one_area:
        t.add_column("area")
    t.add_column("period" if wide else "to", no_wrap=not wide)
    for col in ("value", "baseline", "change", "95% interval") if wide else ("value", "change"):
        t.add_column(col, justify="right")
    wide_columns = ("beyond chance", "comparators", "rank", "population year", "note")
    for col in wide_columns if wide else ("rank",):
        t.add_column(col, no_wrap=not wide)

    def show(value: float | None, unit: str) -> str:
        if value is None:
            return ""
        if unit == "proportion":
            return f"{value:.1%}"
        return f"{value:,.0f}" if unit == "count" else f"{value:,.2f}"

    for r in shown:
        area = () if one_area else (printable_markup(r.area),)
        change = "" if r.change_pct is None else f"{r.change_pct:+.1f}%"
        if r.change_points is not None:  # a proportion changes in percentage points
            change = f"{r.change_points:+.1f} pts"
        rank = "" if r.rank is None else f"{r.rank} of {r.rank_of}"
        if not wide:
            end = "" if r.period_end is None else f"{r.period_end:%b %Y}"
            t.add_row(printable_markup(r.measure), *area, end, show(r.value, r.unit), change, rank)
            continue
        interval = ""
        if r.interval_low is not None:
            interval = f"{show(r.interval_low, r.unit)} to {show(r.interval_high, r.unit)}"
        t.add_row(
            printable_markup(r.measure),
            *area,
            printable_markup(r.period),
            show(r.value, r.unit),
            show(r.baseline_value, r.unit),
            change,
            interval,
            {True: "yes", False: "no", None: ""}[r.change_beyond_chance],
            show(r.comparator_mean, r.unit),
            rank,
            "" if r.population_year is None else str(r.population_year),
            "; ".join(
                n
                for n in (
                    "" if r.like_for_like else "not like for like",
                    _proxy(r.note) and "proxy",
                )
                if n
            ),
        )
    console = make_console()
    if shown:
        console.print(t)
        proxies = sorted({(r.measure, _proxy(r.note)) for r in shown if _proxy(r.note)})
        for measure_id, said in proxies:
            line = f"  {printable(measure_id)}: {printable(said)}"
            if not wide:  # the default view keeps to the terminal's width
                line = textwrap.fill(line, width=console.width, subsequent_indent="    ")
            console.print(line, markup=False)
        if not wide:
            console.print(
                "Change: on the baseline. Rank: among forces, 1 the lowest.\n"
                "Periods, baselines, intervals, comparators: --wide or --format csv."
            )
    if missing:
        console.print(f"Not available ({len(missing)}):")
        for r in missing:
            where = "" if one_area else f" ({printable_markup(r.area)})"
            console.print(
                f"  {printable_markup(r.measure)}{where}: {printable_markup(r.not_available)}"
            )


@cli.command("reconcile")
@force_option
@click.option(
    "--year",
    "year",
    default=None,
    metavar="YYYY/YY",
    help="Financial year, e.g. 2017/18 (default: the latest in the Home Office tables loaded).",
)
@click.option(
    "--period",
    "period_end",
    default=None,
    metavar="YYYY-MM",
    help="Instead: compare the published sources (ONS tables, Home Office rolling totals, "
    "offence-code table) for the 12 months to this month, offence group by group.",
)
@output_format_option()
@config_option
@store_option
def reconcile_command(
    force_name: str | None,
    year: str | None,
    period_end: str | None,
    output_format: str,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Compare police.uk crimes with Home Office recorded crime, by police.uk crime type;
    or, with --period, the published sources of a rolling year with one another."""
    import csv
    import dataclasses
    import io
    import json

    from forcestat.measures.reconcile import latest_financial_year, reconcile
    from forcestat.store.database import open_store

    config, store = project_settings(config_path, store_path)
    force = force_name or config.force
    con = open_store(store, read_only=True)
    try:
        if period_end is not None:
            _print_source_agreement(con, force, period_end, output_format)
            return
        result = reconcile(con, force, year or latest_financial_year(con, force))
    finally:
        con.close()
    records = [dataclasses.asdict(r) for r in result.rows]
    if output_format == "json":
        click.echo(json.dumps({**dataclasses.asdict(result), "rows": records}, indent=1))
        return
    if output_format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)
        click.echo(out.getvalue(), nl=False)
        return
    t = Table(
        title=f"{printable_markup(result.force)} {result.financial_year}: "
        "police.uk against Home Office"
    )
    for col in ("crime type", "police.uk", "Home Office", "difference", "difference %"):
        t.add_column(col, justify="left" if col == "crime type" else "right")
    for r in result.rows:
        t.add_row(
            printable_markup(r.crime_type),
            "" if r.policeuk is None else f"{r.policeuk:,}",
            "" if r.home_office is None else f"{r.home_office:,}",
            "" if r.difference is None else f"{r.difference:+,}",
            "" if r.difference_pct is None else f"{r.difference_pct:+.1f}%",
        )
    console = make_console()
    console.print(t)
    console.print("\n".join(result.notes), markup=False)


def _print_source_agreement(con: Any, force: str, period_end: str, output_format: str) -> None:
    import json

    from forcestat.measures.periods import parse_month
    from forcestat.measures.source_agreement import source_agreement

    found = source_agreement(con, force, parse_month(period_end))
    sources = sorted({title for r in found.rows for title, _ in r.figures})
    records = [
        {
            "series": r.series,
            **{title: dict(r.figures).get(title) for title in sources},
            "agree": r.agree,
            "difference": r.difference,
        }
        for r in found.rows
    ]
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "force": found.force,
                    "period_end": str(found.period_end),
                    "editions": found.editions,
                    "rows": records,
                },
                indent=1,
            )
        )
        return
    if output_format == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=["series", *sources, "agree", "difference"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(records)
        click.echo(out.getvalue(), nl=False)
        return
    t = Table(title=f"{found.force}, 12 months to {found.period_end:%B %Y}: sources compared")
    t.add_column("offence group")
    for title in sources:
        t.add_column(title, justify="right")
    t.add_column("agree")
    for r in found.rows:
        values = dict(r.figures)
        t.add_row(
            r.series,
            *("" if values.get(s) is None else f"{values[s]:,.0f}" for s in sources),
            "" if r.agree is None else ("yes" if r.agree else f"no ({r.difference:+,.0f})"),
        )
    console = make_console()
    console.print(t)
    console.print(
        f"{found.agreements} agree, {found.differences} differ; "
        f"files: {'; '.join(found.editions) or 'none loaded for this period'}",
        markup=False,
    )


@cli.command()
@click.option(
    "--period",
    "period_end",
    required=True,
    metavar="YYYY-MM",
    help="Last month of the 12 months reported.",
)
@force_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder to write into (the report goes in OUT/<force>-<YYYY-MM>/).",
)
@click.option("--no-pdf", is_flag=True, help="Write the HTML and the tables but not the PDF.")
@config_option
@store_option
def report(
    period_end: str,
    force_name: str | None,
    out: Path,
    no_pdf: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Write the quarterly statement and scorecard: HTML, PDF, and the tables as CSV,
    XLSX and ODS.

    One section per national priority (headline figure, change on the baseline and on
    the previous year, process behaviour chart, comparison with the most similar
    forces), what could not be measured and why, the scorecard and the methods.
    """
    from forcestat.measures.periods import parse_month
    from forcestat.report import write_report
    from forcestat.store.database import open_store

    config, store = project_settings(config_path, store_path)
    month = parse_month(period_end)
    con = open_store(store, read_only=True)
    try:
        files = write_report(
            con, config, period_end=month, out=out, force=force_name, pdf=not no_pdf
        )
    finally:
        con.close()
    for warning in files.context.commentary_warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote the report for {files.context.force}, {files.context.period_label}:")
    for path in (files.html, files.pdf, files.xlsx, files.ods):
        if path is not None:
            click.echo(f"  {path}")
    click.echo(f"  {files.folder / 'csv'}/ ({len(files.csv)} CSV files)")
