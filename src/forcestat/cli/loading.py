"""Setting up a project and loading data: init, ingest, status, layouts, forces, rejects."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forcestat.cli.app import (
    cli,
    config_option,
    make_console,
    printable,
    printable_markup,
    project_settings,
    store_option,
)
from forcestat.config import CONFIG_FILE, write_default_config
from forcestat.errors import DiskFullError, ForcestatError, IngestError


@cli.command()
@click.option(
    "--force", "force_name", default=None, help="Force to set up for (default West Midlands)."
)
@click.option(
    "--most-similar",
    "most_similar",
    default=None,
    metavar="FORCE,FORCE,...",
    help="The force's most similar group, as HMICFRS publishes it (comma-separated); "
    "asked for when not given and the terminal can answer, else left empty.",
)
@click.option("--force-overwrite", is_flag=True, help="Replace an existing forcestat.toml.")
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(CONFIG_FILE),
    show_default=True,
    help="Where to write the settings file.",
)
def init(
    force_name: str | None, most_similar: str | None, force_overwrite: bool, path: Path
) -> None:
    """Write a forcestat.toml for a force: its policing body (from forcestat's table of
    the 43 forces) and its most similar forces (yours: forcestat ships no group it
    cannot cite), every other setting at its default."""
    from forcestat.config import load_config
    from forcestat.forces import find_force

    if force_name is not None:
        find_force(force_name)  # a typo fails here, with the closest names
    if path.exists() and not force_overwrite:
        write_default_config(path, overwrite=False)  # refuses, saying how to replace it
    if most_similar is None and sys.stdin.isatty():
        most_similar = click.prompt(
            "Most similar forces, as HMICFRS publishes them for this force "
            "(comma-separated; empty for none)",
            default="",
            show_default=False,
        )
    group = [name.strip() for name in (most_similar or "").split(",") if name.strip()]
    write_default_config(path, force=force_name, most_similar=group, overwrite=force_overwrite)
    config = load_config(path)
    click.echo(f"Wrote {path} for {config.force}.")
    click.echo(f"  Policing body: {config.policing_body}")
    if config.most_similar_forces:
        click.echo(f"  Most similar forces: {', '.join(config.most_similar_forces)}")
    else:
        click.echo(
            "  Most similar forces: none set. Comparisons with a group need the force's "
            "HMICFRS most similar group: set most_similar_forces in the file or run "
            "'forcestat init --most-similar ...'."
        )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--strict", is_flag=True, help="Fail a file with any bad row instead of recording rejects."
)
@click.option(
    "--replace",
    is_flag=True,
    help="Let a republished file replace a month even when it holds fewer rows of it, by "
    "more than a tenth, than the file it replaces (refused otherwise).",
)
@config_option
@store_option
def ingest(
    paths: tuple[Path, ...],
    strict: bool,
    replace: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Load files into the store: CSV, .csv.gz, ODS/XLSX/XLS, a police.uk .zip, or a folder.

    Each file loads whole or not at all. Bad rows are kept in 'rejects' with their line
    numbers (or, with --strict, fail the file). A file already loaded is skipped; a
    republished month replaces the rows it supersedes, unless it would shrink the month
    by more than a tenth (then it is refused; --replace lets it). A folder loads past a
    file that fails, and every failure is named at the end.
    """
    from forcestat.ingest.load import LoadResult, ingest_path
    from forcestat.store.database import open_store
    from forcestat.store.snapshot import publish_snapshot

    config, store = project_settings(config_path, store_path)
    console = make_console()
    con = open_store(store)
    results = []
    try:
        with _progress(console) as (progress, task), _terminate_as_exit():

            def on_file(source: Any, index: int, total: int) -> None:
                progress.update(task, total=total, completed=index, description=source.name)

            for target in paths:
                try:
                    found = ingest_path(
                        con,
                        target,
                        strict=strict,
                        keep_going=True,
                        replace=replace,
                        on_file=on_file,
                    )
                except DiskFullError:
                    raise  # one line, and stop: the next files would not fit either
                except IngestError as exc:  # the path itself: missing, unreadable zip
                    found = [LoadResult(str(target), "failed", error=str(exc))]
                results.extend(found)
        # The dashboard reads a published copy: publish what was loaded, holding the
        # store so no other load can change it during the copy.
        publish_snapshot(con, store)
    finally:
        con.close()
    _print_results(console, results)
    _say_other_forces(console, results, config.force)
    failed = sorted((r for r in results if r.status == "failed"), key=lambda r: r.display)
    for r in failed:
        click.echo(f"Error: {printable(r.error)}", err=True)
    if failed:
        others = len(results) - len(failed)
        raise IngestError(
            f"{len(failed)} of {len(results)} file(s) failed and were not loaded (each named "
            "above)" + (f"; the other {others} loaded or were loaded already" if others else "")
        )


def _say_other_forces(console: Console, results: list[Any], configured: str) -> None:
    """Say which loaded files hold rows of a force other than the configured one, one
    line per force: they load (a comparator's files are wanted), but a wrong download
    should not pass unseen."""
    from forcestat.forces import find_force

    files_of: dict[str, list[str]] = {}
    for r in results:
        if r.status != "loaded":
            continue
        for published in r.forces:
            try:
                name = find_force(published).name
            except ForcestatError:
                name = published  # a name no force goes by: say it as written
            if name != configured:
                files_of.setdefault(name, []).append(r.display)
    for name, files in files_of.items():
        first = printable_markup(files[0])
        more = f" and {len(files) - 1} more" if len(files) > 1 else ""
        console.print(
            f"Loaded rows of {printable_markup(name)}, not the configured force "
            f"({printable_markup(configured)}), from {first}{more}"
        )


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM (a service stopping) and SIGHUP (its terminal closed) end the load as
    Ctrl+C does: the file in hand is not kept and the temporary folder is removed (by
    default either would kill the process on the spot)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
            console.print(f"{printable_markup(r.display)}: {'; '.join(notes)}")
        for rej in r.first_rejects:
            console.print(f"  line {rej.line_no}: {printable_markup(rej.reason)}")
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
            console.print(
                f"already loaded {printable_markup(r.display)} (ingest {r.ingest_id}); "
                "nothing to do"
            )
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
    from forcestat.store.database import open_store
    from forcestat.store.status import store_status

    _, store = project_settings(config_path, store_path)
    con = open_store(store, read_only=True)
    try:
        result = store_status(con)
    finally:
        con.close()
    console = make_console()
    t = Table(title=f"Store {store}")
    for col in ("table", "source", "files", "rows", "rejected rows"):
        t.add_column(col, justify="right" if col in ("files", "rows", "rejected rows") else "left")
    for s in result.sources:
        t.add_row(
            s.table, printable_markup(s.title), f"{s.files:,}", f"{s.rows:,}", f"{s.rejected:,}"
        )
    console.print(t)
    if result.monthly:
        m = Table(title="Monthly data by force")
        for col in ("source", "force", "first", "last", "months", "rows", "missing months"):
            m.add_column(col)
        for c in result.monthly:
            missing = ", ".join(d.strftime("%Y-%m") for d in c.missing_months) or "none"
            m.add_row(
                printable_markup(c.title),
                printable_markup(c.force),
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

    console = make_console()
    for layout in LAYOUTS:
        console.print(f"[bold]{layout.name}[/bold]: {layout.title} -> table {layout.table}")
        for v in layout.variants:
            console.print("  " + ",".join(v.header), markup=False)
        for column, meaning in layout.columns_described:
            console.print(f"    {column}: {meaning}", markup=False)


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
    make_console().print(t)


@cli.command()
@click.option("--ingest-id", type=int, default=None, help="Only rejects of this ingest.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@config_option
@store_option
def rejects(
    ingest_id: int | None, limit: int, config_path: Path | None, store_path: Path | None
) -> None:
    """Show rejected rows with their file, line number and reason."""
    from forcestat.store.database import open_store
    from forcestat.store.loaded import rejected_lines

    _, store = project_settings(config_path, store_path)
    con = open_store(store, read_only=True)
    try:
        rows = rejected_lines(con, limit, ingest_id=ingest_id)
    finally:
        con.close()
    for r in rows:
        # Every value comes from a data file: shown, never acted on by the terminal.
        click.echo(
            f"{printable(r.path)}:{r.line_no}: {printable(r.reason)}\n    {printable(r.raw_line)}"
        )
    if not rows:
        click.echo("No rejected rows.")
