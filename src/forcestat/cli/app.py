"""The ``forcestat`` command group and what its commands share: the settings and store
options, one-line errors, the console."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from forcestat import __version__
from forcestat.config import CONFIG_FILE, Config, load_config
from forcestat.errors import ForcestatError

if TYPE_CHECKING:
    import duckdb

    from forcestat.measures.catalogue import Catalogue

__all__ = [
    "F",
    "cli",
    "config_option",
    "main",
    "make_console",
    "plan_option",
    "project_catalogue",
    "project_settings",
    "store_option",
]

F = TypeVar("F", bound=Callable[..., Any])


def make_console() -> Console:
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


def force_option(f: F) -> F:
    return click.option(
        "--force", "force_name", default=None, help="Force (default: the 'force' setting)."
    )(f)


def output_format_option(help: str | None = None) -> Callable[[F], F]:
    """--format table (the default), csv or json."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help=help,
    )


def plan_option(f: F) -> F:
    return click.option(
        "--plan",
        "plan_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Plan file of local measures (default: the 'plan' setting).",
    )(f)


def project_catalogue(
    con: duckdb.DuckDBPyConnection, config: Config, plan_path: Path | None
) -> Catalogue:
    """The catalogue as the project sets it up: national measures, the plan file (the
    --plan option or the 'plan' setting), the store's offence codes and the project's
    baseline."""
    from forcestat.measures.catalogue import load_catalogue
    from forcestat.measures.sql import store_offence_codes

    return load_catalogue(
        plan_path or config.plan,
        extra_offence_codes=store_offence_codes(con),
        national_baseline=config.baseline_period_end,
    )


def project_settings(config_path: Path | None, store_path: Path | None) -> tuple[Config, Path]:
    config = load_config(config_path)
    return config, (store_path or config.store)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forcestat")
def cli() -> None:
    """forcestat: police performance statistics from open data, reproducibly.

    Load police.uk and Home Office files into a DuckDB store, then measure, chart and
    report on them. Start with 'forcestat init', then 'forcestat ingest PATH'.
    """


def main() -> None:
    cli()
