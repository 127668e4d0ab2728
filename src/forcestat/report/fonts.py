"""The report's typeface, embedded so that the HTML and the PDF look the same anywhere.

DejaVu Sans (free, under the Bitstream Vera licence) is read from the system's font
folder (Debian: ``fonts-dejavu-core``), cut down to the Latin, punctuation and symbol
characters a report uses, and embedded as base64 ``@font-face`` rules. The cut-down
font is the same bytes every time, so the report stays byte-identical.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import subset

from forcestat.report.errors import ReportError

__all__ = ["FAMILY", "FONT_DIRS", "EmbeddedFont", "embedded_fonts", "find_font_file"]

# The name the style sheet uses: distinct from any installed family, so the embedded
# faces are always the ones drawn.
FAMILY = "Report Sans"

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path.home() / "Library" / "Fonts",
)

_FACES = (("normal", "DejaVuSans.ttf"), ("bold", "DejaVuSans-Bold.ttf"))

# Basic Latin, Latin-1, Latin Extended-A (Welsh and most European names), general
# punctuation (dashes, quotes), currency, arrows, minus and the shapes of the icons.
_UNICODE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2010, 0x205E),
    (0x20AC, 0x20AC),
    (0x2190, 0x2199),
    (0x2212, 0x2212),
    (0x25A0, 0x25CF),
)


@dataclass(frozen=True)
class EmbeddedFont:
    """One face of the report's typeface as a data URI for an ``@font-face`` rule."""

    family: str
    weight: str
    data_uri: str


def find_font_file(name: str) -> Path:
    """The first ``name`` under FORCESTAT_FONT_DIR (if set) or the usual font folders."""
    folders = list(FONT_DIRS)
    if extra := os.environ.get("FORCESTAT_FONT_DIR"):
        folders.insert(0, Path(extra))
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise ReportError(
        f"font {name} not found in {', '.join(str(f) for f in folders)}: install DejaVu "
        "(Debian and Ubuntu: apt-get install fonts-dejavu-core) or set FORCESTAT_FONT_DIR "
        "to a folder holding it"
    )


def _subset(path: Path) -> bytes:
    options = subset.Options()
    options.layout_features = ["kern", "liga", "calt"]
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge timestamps: not needed
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=[c for first, last in _UNICODE_RANGES for c in range(first, last + 1)]
    )
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


@cache
def embedded_fonts() -> tuple[EmbeddedFont, ...]:
    """The regular and bold faces, cut down and base64-encoded (computed once)."""
    faces = []
    for weight, file_name in _FACES:
        data = _subset(find_font_file(file_name))
        uri = "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")
        faces.append(EmbeddedFont(FAMILY, weight, uri))
    return tuple(faces)
