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


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
