"""Reference documentation generated from the code, so it never drifts.

``docs/cli.md`` comes from each command's ``--help`` and the declared settings;
``docs/layouts.md`` from the declared file layouts. ``make docs`` rewrites both; a
test fails when either is out of date.
"""

from __future__ import annotations

import click

from forcestat.config import SETTINGS
from forcestat.sources import LAYOUTS

__all__ = ["cli_reference", "layouts_reference"]

_HELP = ["-h", "--help"]


def _commands(group: click.Group, prefix: list[str]) -> list[tuple[list[str], click.Command]]:
    out: list[tuple[list[str], click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        out.append(([*prefix, name], command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, [*prefix, name]))
    return out


def cli_reference(cli: click.Group) -> str:
    """Markdown: every command's --help text, then every setting of forcestat.toml."""
    lines = [
        "# Command reference",
        "",
        "Generated from `forcestat --help`; `make docs` rewrites it.",
        "",
    ]
    # Same help options as the real command line (its context_settings), or click caches
    # a different help option depending on which ran first.
    root = click.Context(cli, info_name="forcestat", terminal_width=88, help_option_names=_HELP)
    lines += ["```text", cli.get_help(root).rstrip(), "```", ""]
    for path, command in _commands(cli, []):
        ctx = click.Context(
            command,
            info_name="forcestat " + " ".join(path),
            terminal_width=88,
            help_option_names=_HELP,
        )
        lines += [
            f"## forcestat {' '.join(path)}",
            "",
            "```text",
            command.get_help(ctx).rstrip(),
            "```",
            "",
        ]
    lines += ["# Settings (forcestat.toml)", "", "| setting | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.default!r}` | {s.help} |")
    return "\n".join(lines) + "\n"


def layouts_reference() -> str:
    """Markdown: each published layout, the table it fills, its headers and checks."""
    lines = [
        "# File layouts",
        "",
        "Generated from the layout declarations in `src/forcestat/sources/`; `make docs` "
        "rewrites it. A file is recognised by its header (case, spaces, underscores and a "
        "byte-order mark are ignored). Rows that fail a check go to `rejects` with their "
        "line number.",
        "",
    ]
    for layout in LAYOUTS:
        lines += [f"## {layout.title} (`{layout.name}`)", "", f"Loads into table `{layout.table}`."]
        if layout.replace_key:
            lines.append(
                "A later file with rows for the same "
                + ", ".join(f"`{k}`" for k in layout.replace_key)
                + " replaces the earlier rows."
            )
        if layout.sheets:
            names = " or ".join(f"`{name}`" for name in layout.sheets)
            lines.append(f"In a workbook, read only from the sheet {names}.")
        lines += ["", "Accepted headers:", ""]
        for v in layout.variants:
            lines.append("- `" + ",".join(v.header) + "`")
        if layout.columns_described:
            lines += ["", "Columns:", ""]
            lines += [f"- `{column}`: {meaning}" for column, meaning in layout.columns_described]
        if layout.checks:
            lines += ["", "A row is rejected when:", ""]
            lines += [f"- {c.reason}" for c in layout.checks]
        lines.append("")
    return "\n".join(lines)
