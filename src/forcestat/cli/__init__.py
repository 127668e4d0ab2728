"""The ``forcestat`` command. Each command parses, calls one library function, prints.

One module per command group; importing them registers their commands on ``cli``.
The last stage: it may import every other, and holds no SQL of its own.
"""

from forcestat.cli import (
    backups,
    charts,
    demo,
    downloads,
    loading,
    measuring,
    plan,
    publishing,
    web,
)
from forcestat.cli.app import cli, main

__all__ = ["cli", "main"]

# The command modules register themselves on import.
_COMMAND_MODULES = (loading, demo, downloads, charts, measuring, publishing, web, backups, plan)
