"""The ``forcestat`` command. Each command parses, calls one library function, prints."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forcestat import __version__
from forcestat.config import CONFIG_FILE, Config, load_config, write_default_config
from forcestat.errors import ForcestatError, IngestError

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


class _Group(click.Group):
    """Turn every expected failure into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ForcestatError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Project settings file (default: ./{CONFIG_FILE} if present).",
    )(f)


def store_option(f: F) -> F:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="DuckDB store file (default: the 'store' setting, forcestat.duckdb).",
    )(f)


def _settings(config_path: Path | None, store_path: Path | None) -> tuple[Config, Path]:
    config = load_config(config_path)
    return config, (store_path or config.store)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forcestat")
def cli() -> None:
    """forcestat: police performance statistics from open data, reproducibly.

    Load police.uk and Home Office files into a DuckDB store, then measure, chart and
    report on them. Start with 'forcestat init', then 'forcestat ingest PATH'.
    """


@cli.command()
@click.option(
    "--force", "force_name", default=None, help="Force to set up for (default West Midlands)."
)
@click.option("--force-overwrite", is_flag=True, help="Replace an existing forcestat.toml.")
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(CONFIG_FILE),
    show_default=True,
    help="Where to write the settings file.",
)
def init(force_name: str | None, force_overwrite: bool, path: Path) -> None:
    """Write a forcestat.toml with every setting at its default."""
    write_default_config(path, force=force_name, overwrite=force_overwrite)
    click.echo(f"Wrote {path}. Edit it to choose your force and comparators.")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--strict", is_flag=True, help="Fail a file with any bad row instead of recording rejects."
)
@config_option
@store_option
def ingest(
    paths: tuple[Path, ...], strict: bool, config_path: Path | None, store_path: Path | None
) -> None:
    """Load files into the store: CSV, .csv.gz, ODS/XLSX, a police.uk .zip, or a folder.

    Each file loads whole or not at all. Bad rows are kept in 'rejects' with their line
    numbers (or, with --strict, fail the file). A file already loaded is skipped; a
    republished month replaces the rows it supersedes.
    """
    from forcestat.ingest import LoadResult, ingest_path
    from forcestat.store import open_store

    _, store = _settings(config_path, store_path)
    console = _console()
    con = open_store(store)
    results = []
    try:
        with _progress(console) as (progress, task):

            def on_file(source: Any, index: int, total: int) -> None:
                progress.update(task, total=total, completed=index, description=source.name)

            for target in paths:
                try:
                    found = ingest_path(
                        con, target, strict=strict, keep_going=True, on_file=on_file
                    )
                except IngestError as exc:  # the path itself: missing, unreadable zip
                    found = [LoadResult(str(target), "failed", error=str(exc))]
                results.extend(found)
    finally:
        con.close()
    _print_results(console, results)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise IngestError(
            f"{len(failed)} of {len(results)} file(s) failed and were not loaded; the others were"
        )


@contextmanager
def _progress(console: Console) -> Iterator[tuple[Progress, Any]]:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task("finding files", total=None)
        yield progress, task


def _print_results(console: Console, results: list[Any]) -> None:
    """A table per layout, then a line for each file worth a look (rejects, replacements,
    failures); files already loaded are counted, or named when there are few."""
    loaded = [r for r in results if r.status == "loaded"]
    skipped = [r for r in results if r.status == "already_loaded"]
    for r in results:
        if r.status == "failed":
            click.echo(f"Error: {r.error}", err=True)
    for r in loaded:
        notes = []
        if r.rows_rejected:
            notes.append(f"{r.rows_rejected:,} of {r.rows_read:,} rows rejected")
        if r.rows_replaced:
            notes.append(
                f"replaced {r.rows_replaced:,} rows of earlier file(s) "
                f"(ingest {', '.join(str(i) for i in r.replaced_ingest_ids)})"
            )
        if notes:
            console.print(f"{r.display}: {'; '.join(notes)}")
        for rej in r.first_rejects:
            console.print(f"  line {rej.line_no}: {rej.reason}")
        if r.rows_rejected > len(r.first_rejects):
            console.print(f"  ... all of them: forcestat rejects --ingest-id {r.ingest_id}")
    if loaded:
        table = Table(title="Loaded")
        for col in ("layout", "files", "rows loaded", "rejected", "notes skipped", "replaced"):
            table.add_column(col, justify="left" if col == "layout" else "right")
        by_layout: dict[str, list[Any]] = {}
        for r in loaded:
            by_layout.setdefault(r.layout, []).append(r)
        for layout, rs in by_layout.items():
            table.add_row(
                layout,
                f"{len(rs):,}",
                f"{sum(r.rows_loaded for r in rs):,}",
                f"{sum(r.rows_rejected for r in rs):,}",
                f"{sum(r.rows_skipped for r in rs):,}",
                f"{sum(r.rows_replaced for r in rs):,}",
            )
        console.print(table)
    if 0 < len(skipped) <= 3:
        for r in skipped:
            console.print(f"already loaded {r.display} (ingest {r.ingest_id}); nothing to do")
    console.print(
        f"{len(loaded)} file(s) loaded, {len(skipped)} already loaded, "
        f"{sum(r.rows_loaded for r in loaded):,} rows added, "
        f"{sum(r.rows_rejected for r in loaded):,} rejected"
    )


@cli.command()
@config_option
@store_option
def status(config_path: Path | None, store_path: Path | None) -> None:
    """Show what is loaded: rows per source, months per force, and gaps."""
    from forcestat.status import store_status
    from forcestat.store import open_store

    _, store = _settings(config_path, store_path)
    con = open_store(store, read_only=True)
    try:
        result = store_status(con)
    finally:
        con.close()
    console = _console()
    t = Table(title=f"Store {store}")
    for col in ("table", "source", "files", "rows", "rejected rows"):
        t.add_column(col, justify="right" if col in ("files", "rows", "rejected rows") else "left")
    for s in result.sources:
        t.add_row(s.table, s.title, f"{s.files:,}", f"{s.rows:,}", f"{s.rejected:,}")
    console.print(t)
    if result.monthly:
        m = Table(title="Monthly data by force")
        for col in ("source", "force", "first", "last", "months", "rows", "missing months"):
            m.add_column(col)
        for c in result.monthly:
            missing = ", ".join(d.strftime("%Y-%m") for d in c.missing_months) or "none"
            m.add_row(
                c.title,
                c.force,
                c.first_month.strftime("%Y-%m"),
                c.last_month.strftime("%Y-%m"),
                str(c.months),
                f"{c.rows:,}",
                missing if not c.missing_months else f"[bold red]{missing}",
            )
        console.print(m)
    if result.quarterly:
        q = Table(title="Home Office recorded crime (police force areas)")
        for col in ("financial year", "forces", "quarters", "offences"):
            q.add_column(col)
        for r in result.quarterly:
            q.add_row(r.financial_year, str(r.forces), str(r.quarters), f"{r.offences:,}")
        console.print(q)
    if result.gaps:
        console.print(
            f"[bold red]Gaps: {len(result.gaps)} monthly run(s) have missing months; "
            "measures over those months are marked incomplete."
        )
    if result.areas_without_force:
        console.print(
            f"{result.areas_without_force:,} neighbourhoods in the area lookup name no force."
        )


@cli.command()
def layouts() -> None:
    """List the published file layouts forcestat recognises, with their headers."""
    from forcestat.sources import LAYOUTS

    console = _console()
    for layout in LAYOUTS:
        console.print(f"[bold]{layout.name}[/bold]: {layout.title} -> table {layout.table}")
        for v in layout.variants:
            console.print("  " + ",".join(v.header))


@cli.command()
def forces() -> None:
    """List the forces and the names each publisher uses for them."""
    from forcestat.forces import FORCES

    t = Table()
    for col in (
        "force",
        "police.uk name",
        "police.uk file slug",
        "Home Office name",
        "territorial",
    ):
        t.add_column(col)
    for f in FORCES:
        t.add_row(
            f.name, f.policeuk_name, f.slug, f.home_office_name, "yes" if f.territorial else "no"
        )
    _console().print(t)


@cli.command()
@click.option("--ingest-id", type=int, default=None, help="Only rejects of this ingest.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@config_option
@store_option
def rejects(
    ingest_id: int | None, limit: int, config_path: Path | None, store_path: Path | None
) -> None:
    """Show rejected rows with their file, line number and reason."""
    from forcestat.store import open_store

    _, store = _settings(config_path, store_path)
    con = open_store(store, read_only=True)
    try:
        sql = (
            "SELECT l.path, r.line_no, r.reason, r.raw_line FROM rejects r "
            "JOIN ingest_log l USING (ingest_id)"
        )
        params: list[Any] = []
        if ingest_id is not None:
            sql += " WHERE r.ingest_id = ?"
            params.append(ingest_id)
        sql += " ORDER BY r.ingest_id, r.line_no LIMIT ?"
        params.append(limit)
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    for path, line_no, reason, raw in rows:
        click.echo(f"{path}:{line_no}: {reason}\n    {raw}")
    if not rows:
        click.echo("No rejected rows.")


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
    """Set up a project on the bundled real data: init, ingest the sample, show status."""
    if not Path(CONFIG_FILE).exists():
        ctx.invoke(init, force_name=None, force_overwrite=False, path=Path(CONFIG_FILE))
    sample = sample or SAMPLE_DIR
    if not sample.is_dir():
        raise ForcestatError(f"{sample}: bundled sample data not found; pass --sample FOLDER")
    ctx.invoke(ingest, paths=(sample,), strict=False, config_path=None, store_path=store_path)
    ctx.invoke(status, config_path=None, store_path=store_path)
    # The force with the monthly police.uk run, and West Midlands from the Home Office table.
    for force_name, period_end in (("City of London", "2021-06"), ("West Midlands", "2018-03")):
        ctx.invoke(
            report,
            period_end=period_end,
            force_name=force_name,
            out=Path("out"),
            no_pdf=False,
            config_path=None,
            store_path=store_path,
        )


@cli.group()
def download() -> None:
    """Fetch official files into a folder that 'forcestat ingest' loads.

    Transfers resume where an interrupted run stopped; MANIFEST.json in the folder
    records each file's URL, size and sha256, and files already there are skipped.
    """


def _download_options(f: F) -> F:
    f = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("downloads"),
        show_default=True,
        help="Folder to write to.",
    )(f)
    f = click.option(
        "--base-url",
        default=None,
        metavar="URL",
        help="Fetch from this host instead of the publisher's (a mirror).",
    )(f)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        default=60.0,
        show_default=True,
        help="Seconds to wait on a silent connection.",
    )(f)


@download.command("policeuk")
@click.option("--force", "force_name", required=True, help="Force, e.g. 'City of London'.")
@click.option("--from", "first", required=True, metavar="YYYY-MM", help="First month.")
@click.option("--to", "last", required=True, metavar="YYYY-MM", help="Last month.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="street, outcomes or stop-and-search; repeat for more (default: all).",
)
@_download_options
def download_policeuk_command(
    force_name: str,
    first: str,
    last: str,
    kinds: tuple[str, ...],
    out: Path,
    base_url: str | None,
    timeout: float,
) -> None:
    """One force's police.uk monthly files, taken from the fewest archives needed."""
    from forcestat.download import (
        POLICEUK_KINDS,
        download_policeuk,
        download_progress,
        download_summary,
    )

    console = _console()
    with download_progress(console) as on_progress:
        report = download_policeuk(
            force_name,
            first,
            last,
            out,
            kinds=kinds or POLICEUK_KINDS,
            base_url=base_url,
            timeout=timeout,
            on_progress=on_progress,
        )
    for line in download_summary(report):
        console.print(line, markup=False)


def _download_published(
    source: str, urls: tuple[str, ...], out: Path, base_url: str | None, timeout: float
) -> None:
    from forcestat.download import download_progress, download_published, download_summary

    console = _console()
    with download_progress(console) as on_progress:
        report = download_published(
            source, urls, out, base_url=base_url, timeout=timeout, on_progress=on_progress
        )
    for line in download_summary(report):
        console.print(line, markup=False)


@download.command("homeoffice")
@click.option(
    "--url",
    "urls",
    multiple=True,
    metavar="URL",
    help="A recorded crime table (PFA or CSP .ods) from gov.uk; repeat for more "
    "(default: the force area tables release forcestat knows).",
)
@_download_options
def download_homeoffice_command(
    urls: tuple[str, ...], out: Path, base_url: str | None, timeout: float
) -> None:
    """Home Office police recorded crime open data tables, into OUT/homeoffice/."""
    _download_published("homeoffice", urls, out, base_url, timeout)


@download.command("population")
@click.option(
    "--url",
    "urls",
    multiple=True,
    metavar="URL",
    help="An ONS mid-year population estimates file; repeat for more "
    "(default: mid-2019 by local authority).",
)
@_download_options
def download_population_command(
    urls: tuple[str, ...], out: Path, base_url: str | None, timeout: float
) -> None:
    """ONS mid-year population estimates, into OUT/population/."""
    _download_published("population", urls, out, base_url, timeout)


@cli.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with columns date,value: one row a month, in order, no gaps.",
)
@click.option(
    "--title", default=None, help="Name of the series in the reading (default: file name)."
)
@click.option(
    "--polarity",
    type=click.Choice(["lower", "higher", "neutral"]),
    default="neutral",
    show_default=True,
    help="Which direction is better. Neutral: no improving/concerning reading, no assurance.",
)
@click.option("--target", type=float, default=None, help="Target for the assurance icon.")
@click.option(
    "--baseline-points",
    type=click.IntRange(min=12),
    default=None,
    help="Fix the limits on the first N months of each segment (N >= 12; default: all).",
)
@click.option(
    "--baseline-period",
    metavar="YYYY-MM:YYYY-MM",
    default=None,
    help="Fix the limits on a named period of 12 months or more, e.g. 2017-01:2018-12.",
)
@click.option(
    "--no-screen",
    is_flag=True,
    help="Keep unusually large moving ranges in the limits, as the NHS Excel tools do.",
)
@click.option(
    "--rebase",
    "rebase_months",
    multiple=True,
    metavar="YYYY-MM",
    help="Recalculate the limits from this month; repeat for several.",
)
@click.option(
    "--rebase-reason",
    default="given on the command line",
    show_default=True,
    help="Why the limits were recalculated, recorded with each --rebase.",
)
@click.option(
    "--seasonally-adjust",
    is_flag=True,
    help="Chart the series adjusted for its month-of-year pattern, when one is found.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="csv writes the rows to stdout and the icons and reading to stderr.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the chart: a .svg file, or .json for its Vega-Lite specification.",
)
def spc(
    input_path: Path,
    title: str | None,
    polarity: str,
    target: float | None,
    baseline_points: int | None,
    baseline_period: str | None,
    no_screen: bool,
    rebase_months: tuple[str, ...],
    rebase_reason: str,
    seasonally_adjust: bool,
    output_format: str,
    out: Path | None,
) -> None:
    """Process behaviour (XmR) chart of a monthly series, with the Making Data Count rules.

    Prints one row per month (mean, process limits, the rules that fired, point type),
    then the variation and assurance icons and the reading in plain English.
    """
    import io

    from forcestat.charts import spc_chart
    from forcestat.seasonality import seasonal_pattern
    from forcestat.spc import Polarity, SpcOptions, run_spc
    from forcestat.spc_io import (
        command_line_baseline_period,
        command_line_rebases,
        read_series_csv,
        spc_json,
        spc_rows,
        write_spc_csv,
    )
    from forcestat.spc_sentences import describe, seasonality_sentence

    # Where the series comes from is this step alone: a catalogue measure will supply
    # the same name, months and values.
    series = read_series_csv(input_path)
    name, months, values = title or input_path.stem, series.months, series.values
    reading: list[str] = []
    if seasonally_adjust:
        pattern = seasonal_pattern(months, values)
        reading.append(seasonality_sentence(pattern, name=name))
        if pattern.seasonal:
            values = pattern.adjusted
            reading.append("The chart and the rules use the seasonally adjusted series.")
    options = SpcOptions(
        polarity=Polarity(polarity),
        target=target,
        baseline_points=baseline_points,
        baseline_period=command_line_baseline_period(baseline_period),
        screen_moving_ranges=not no_screen,
        rebases=command_line_rebases(rebase_months, rebase_reason),
    )
    result = run_spc(months, values, options)
    reading += describe(result, name=name)
    assurance = result.assurance.value if result.assurance else "none"
    icons = [f"variation: {result.variation.value}", f"assurance: {assurance}"]
    if output_format == "json":
        click.echo(spc_json(result, reading))
    elif output_format == "csv":
        buffer = io.StringIO()
        write_spc_csv(result, buffer)
        click.echo(buffer.getvalue(), nl=False)
        click.echo("\n".join([*icons, *reading]), err=True)
    else:
        table = Table(title=name)
        shown = ("date", "value", "mean", "lpl", "upl", "rules", "point_type")
        for column in shown:
            table.add_column(column, justify="right" if column in shown[1:5] else "left")
        for row in spc_rows(result):
            table.add_row(*(row[c] for c in shown))
        console = _console()
        console.print(table)
        console.print("\n".join([*icons, "", *reading]))
    if out is not None:
        chart = spc_chart(result, title=name)
        out.write_text(chart.to_json() if out.suffix == ".json" else chart.to_svg(), "utf-8")
        click.echo(f"Wrote the chart to {out}", err=True)


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
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Plan file of local measures (default: the 'plan' setting).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--show-sql", is_flag=True, help="Print the SQL run for each measure to stderr.")
@config_option
@store_option
def measures_command(
    force_name: str | None,
    period_end: str | None,
    measure_ids: tuple[str, ...],
    plan_path: Path | None,
    output_format: str,
    show_sql: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Evaluate the measure catalogue: value, baseline, change, interval, rank and notes.

    The national measures come with forcestat; the plan file adds the Police and Crime
    Plan's own. Home Office measures answer periods of whole quarters only; a period
    with missing months is shown as incomplete, never summed as if they were zero.
    """
    from forcestat.catalogue import load_catalogue
    from forcestat.measure_sql import store_offence_codes
    from forcestat.measures import evaluate
    from forcestat.periods import parse_month
    from forcestat.store import open_store

    config, store = _settings(config_path, store_path)
    ends = [parse_month(period_end)] if period_end else None
    con = open_store(store, read_only=True)
    try:
        catalogue = load_catalogue(
            plan_path or config.plan, extra_offence_codes=store_offence_codes(con)
        )
        chosen = [catalogue.get(m) for m in measure_ids] or list(catalogue.measures)
        areas = None if force_name == "all" else [force_name or config.force]
        table = evaluate(
            con,
            chosen,
            areas=areas,
            period_ends=ends,
            most_similar_forces={config.force: config.most_similar_forces},
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
        _console().print(_measures_table(table.rows))


def _measures_table(rows: Any) -> Table:
    t = Table()
    for col in ("measure", "area", "period", "value", "baseline", "change", "95% interval"):
        t.add_column(col, justify="right" if col in ("value", "baseline", "change") else "left")
    for col in ("beyond chance", "comparators", "rank", "status"):
        t.add_column(col)

    def show(value: float | None, unit: str) -> str:
        if value is None:
            return ""
        if unit == "proportion":
            return f"{value:.1%}"
        return f"{value:,.0f}" if unit == "count" else f"{value:,.2f}"

    for r in rows:
        status = r.not_available or ("" if r.like_for_like else "not like for like")
        interval = ""
        if r.interval_low is not None:
            interval = f"{show(r.interval_low, r.unit)} to {show(r.interval_high, r.unit)}"
        t.add_row(
            r.measure,
            r.area,
            r.period,
            show(r.value, r.unit),
            show(r.baseline_value, r.unit),
            "" if r.change_pct is None else f"{r.change_pct:+.1f}%",
            interval,
            {True: "yes", False: "no", None: ""}[r.change_beyond_chance],
            show(r.comparator_mean, r.unit),
            "" if r.rank is None else f"{r.rank} of {r.rank_of}",
            status,
        )
    return t


@cli.command("reconcile")
@click.option("--force", "force_name", default=None, help="Force (default: the 'force' setting).")
@click.option(
    "--year", "year", required=True, metavar="YYYY/YY", help="Financial year, e.g. 2017/18."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@config_option
@store_option
def reconcile_command(
    force_name: str | None,
    year: str,
    output_format: str,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Compare police.uk crimes with Home Office recorded crime, by police.uk crime type."""
    import csv
    import dataclasses
    import io
    import json

    from forcestat.reconcile import reconcile
    from forcestat.store import open_store

    config, store = _settings(config_path, store_path)
    con = open_store(store, read_only=True)
    try:
        result = reconcile(con, force_name or config.force, year)
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
        writer.writerows(records)
        click.echo(out.getvalue(), nl=False)
        return
    t = Table(title=f"{result.force} {result.financial_year}: police.uk against Home Office")
    for col in ("crime type", "police.uk", "Home Office", "difference", "difference %"):
        t.add_column(col, justify="left" if col == "crime type" else "right")
    for r in result.rows:
        t.add_row(
            r.crime_type,
            "" if r.policeuk is None else f"{r.policeuk:,}",
            "" if r.home_office is None else f"{r.home_office:,}",
            "" if r.difference is None else f"{r.difference:+,}",
            "" if r.difference_pct is None else f"{r.difference_pct:+.1f}%",
        )
    console = _console()
    console.print(t)
    console.print("\n".join(result.notes), markup=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of published reports to list (drafts in its drafts/ sub-folder).",
)
@click.option(
    "--govuk-frontend",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="govuk-frontend's dist/govuk folder (default: node_modules, from 'npm ci').",
)
@config_option
@store_option
def serve(
    host: str,
    port: int,
    reports: Path | None,
    govuk_frontend: Path | None,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Serve the dashboard and Plan tracker over the store (stop with Ctrl+C).

    Sessions are signed with FORCESTAT_SECRET_KEY when set (otherwise sign-ins last until
    the server stops). Behind an https proxy, cookies are marked Secure.
    """
    import uvicorn

    from forcestat.web.app import create_app
    from forcestat.web.settings import (
        WebSettings,
        find_govuk_frontend,
        secret_key_from_environment,
    )

    config, store = _settings(config_path, store_path)
    settings = WebSettings(
        store=store,
        govuk_frontend=find_govuk_frontend(govuk_frontend),
        reports=reports,
        force=config.force,
        most_similar_forces=config.most_similar_forces,
        secret_key=secret_key_from_environment(),
    )
    app = create_app(settings)
    click.echo(f"forcestat dashboard on http://{host}:{port}/ over {store}")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


@cli.group()
def user() -> None:
    """Who may sign in to the dashboard, and with which role."""


@user.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["viewer", "editor", "admin"]),
    default="viewer",
    show_default=True,
    help="viewer sees drafts, editor updates the Plan tracker, admin manages users.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
@config_option
@store_option
def user_add(
    email: str,
    role: str,
    password_stdin: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Add a user (the first admin, for example). Prompts for the password."""
    from forcestat.store import open_store
    from forcestat.web.auth import Role, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _, store = _settings(config_path, store_path)
    con = open_store(store)
    try:
        created = add_user(con, email, password, Role(role), actor="command line")
    finally:
        con.close()
    click.echo(f"Added {created.email} as {created.role.value}.")


@user.command("list")
@config_option
@store_option
def user_list(config_path: Path | None, store_path: Path | None) -> None:
    """List the users, their roles and whether they may sign in."""
    from forcestat.store import open_store
    from forcestat.web.auth import list_users

    _, store = _settings(config_path, store_path)
    con = open_store(store)
    try:
        found = list_users(con)
    finally:
        con.close()
    for u in found:
        click.echo(f"{u.email}\t{u.role.value}\t{'active' if u.active else 'deactivated'}")
    if not found:
        click.echo("No users yet: add the first with 'forcestat user add EMAIL --role admin'.")


@cli.command()
@click.option(
    "--period",
    "period_end",
    required=True,
    metavar="YYYY-MM",
    help="Last month of the 12 months reported.",
)
@click.option("--force", "force_name", default=None, help="Force (default: the 'force' setting).")
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
    from forcestat.periods import parse_month
    from forcestat.report import write_report
    from forcestat.store import open_store

    config, store = _settings(config_path, store_path)
    month = parse_month(period_end)
    con = open_store(store, read_only=True)
    try:
        files = write_report(
            con, config, period_end=month, out=out, force=force_name, pdf=not no_pdf
        )
    finally:
        con.close()
    click.echo(f"Wrote the report for {files.context.force}, {files.context.period_label}:")
    for path in (files.html, files.pdf, files.xlsx, files.ods):
        if path is not None:
            click.echo(f"  {path}")
    click.echo(f"  {files.folder / 'csv'}/ ({len(files.csv)} CSV files)")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
