"""The ``forcestat`` command group and what its commands share: the settings and store
options, one-line errors, the console."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

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
    "printable",
    "printable_markup",
    "project_catalogue",
    "project_settings",
    "store_option",
]

F = TypeVar("F", bound=Callable[..., Any])


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


# Characters that act on a terminal rather than show: C0 and C1 controls (escape
# sequences, carriage return, backspace), DEL, and the bidirectional marks and overrides
# that make text read other than it is.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_control(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    return _NAMED_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(value: object) -> str:
    r"""``value`` as text safe to print to a terminal: control characters from data files
    (an escape sequence, a carriage return, a bidirectional override) shown as escapes
    (``\x1b``, ``\r``, ``\u202e``), never acted on.

    Example:
        >>> printable("Bank\x1b[2J\r")
        'Bank\\x1b[2J\\r'
    """
    return _CONTROL.sub(_escape_control, str(value))


def printable_markup(value: object) -> str:
    """``printable``, for Rich: square brackets in data are shown, not read as styles."""
    return escape(printable(value))


class _Group(click.Group):
    """Turn every expected failure into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ForcestatError as exc:
            # Messages quote file names and values, which may hold control characters.
            click.echo(f"Error: {printable(exc)}", err=True)
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
