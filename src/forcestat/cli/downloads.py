"""Fetching the published files: forcestat download policeuk|homeoffice|population."""

from __future__ import annotations

from pathlib import Path

import click

from forcestat.cli.app import F, cli, make_console


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
    from forcestat.ingest.download import (
        POLICEUK_KINDS,
        download_policeuk,
        download_progress,
        download_summary,
    )

    console = make_console()
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
    from forcestat.ingest.download import download_progress, download_published, download_summary

    console = make_console()
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
    "(default: the latest force area table listed on the gov.uk statistics page).",
)
@_download_options
def download_homeoffice_command(
    urls: tuple[str, ...], out: Path, base_url: str | None, timeout: float
) -> None:
    """Home Office police recorded crime open data tables, into OUT/homeoffice/."""
    _download_published("homeoffice", urls, out, base_url, timeout)


@download.command("ons")
@click.option(
    "--url",
    "urls",
    multiple=True,
    metavar="URL",
    help="An edition of the ONS police force area data tables (.xlsx); repeat for more "
    "(default: the latest edition listed on the ONS dataset page).",
)
@_download_options
def download_ons_command(
    urls: tuple[str, ...], out: Path, base_url: str | None, timeout: float
) -> None:
    """ONS police force area data tables (counts, rates, knife crime), into OUT/ons/."""
    _download_published("ons", urls, out, base_url, timeout)


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
