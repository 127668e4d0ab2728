"""What a published file layout is, declared as data.

A source module (``policeuk.py``, ``homeoffice_prc.py``, ...) declares one ``Layout`` per
published layout: the header(s) it is recognised by, the checks a row must pass, how a
good row maps onto a store table, and which rows a republished file replaces. The
ingest engine (``forcestat.ingest.load``) runs every layout the same way, so a layout module
knows its file format and nothing about transactions, rejects or measures.

Checks and mappings are SQL expressions over the *staged* row: every field as text
(``NULL`` when empty), named as in ``HeaderVariant.fields``. ``$``-parameters come from
the file name (``file_context``) or, for a sheet, from the rows above its header
(``title_context``), and from the engine (``$ingest_id``).

A workbook may hold several sheets under one header (ONS publishes persons, males and
females alike): a layout that names its ``sheets`` is read from those sheets only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Check",
    "HeaderVariant",
    "Layout",
    "normalise_header",
    "variant",
]


@dataclass(frozen=True)
class Check:
    """A rule a row must pass. ``bad_when`` is SQL that is TRUE for a row that breaks it."""

    reason: str
    bad_when: str


@dataclass(frozen=True)
class HeaderVariant:
    """One accepted header: the column names as published, and the staged field each
    column becomes (``None`` for a column forcestat ignores, such as a pandas index)."""

    header: tuple[str, ...]
    fields: tuple[str | None, ...]

    def __post_init__(self) -> None:
        if len(self.header) != len(self.fields):
            raise ValueError("header and fields differ in length")

    @property
    def normalised(self) -> tuple[str, ...]:
        return tuple(normalise_header(h) for h in self.header)


def variant(*columns: tuple[str, str | None]) -> HeaderVariant:
    """Build a HeaderVariant from ``(published name, field)`` pairs, in file order."""
    return HeaderVariant(tuple(c[0] for c in columns), tuple(c[1] for c in columns))


@dataclass(frozen=True)
class Layout:
    """A published file layout and how its rows reach the store."""

    name: str
    title: str
    table: str
    variants: tuple[HeaderVariant, ...]
    # target column -> SQL expression over staged fields and $-parameters
    mapping: Mapping[str, str]
    checks: tuple[Check, ...] = ()
    # rows that are published notes or footers rather than data: counted, not loaded
    skip_when: str | None = None
    # target columns naming the unit a republished file replaces (force and month, ...)
    replace_key: tuple[str, ...] = ()
    # values taken from the file name; raises IngestError when the name will not do
    file_context: Callable[[str], dict[str, object]] | None = field(default=None)
    # header row may sit below a title block in a spreadsheet: how far down to look
    header_search_rows: int = 1
    # the workbook sheets this layout is read from (compared ignoring case and surrounding
    # space); empty: any sheet. Other sheets, even with the same header, are passed over.
    sheets: tuple[str, ...] = ()
    # values taken from a sheet's rows above its header; when it finds none (or the file
    # is a CSV), file_context gives them instead
    title_context: Callable[[Sequence[Sequence[str]]], dict[str, object]] | None = field(
        default=None
    )
    # what each column holds, for layouts a user writes (local extracts): (column, meaning)
    columns_described: tuple[tuple[str, str], ...] = ()

    def fields(self) -> tuple[str, ...]:
        """Every staged field name any variant of this layout can produce."""
        seen: dict[str, None] = {}
        for v in self.variants:
            for f in v.fields:
                if f is not None:
                    seen.setdefault(f, None)
        return tuple(seen)

    def reads_sheet(self, name: str) -> bool:
        """Whether this layout is read from the sheet called ``name``."""
        if not self.sheets:
            return True
        return name.strip().casefold() in {s.strip().casefold() for s in self.sheets}

    def match(self, header: list[str]) -> HeaderVariant | None:
        """The variant whose header this is, or None."""
        norm = tuple(normalise_header(h) for h in header)
        # Trailing empty header cells (spreadsheet padding, stray commas) are not columns.
        while norm and norm[-1] == "" and len(norm) > 1:
            norm = norm[:-1]
        for v in self.variants:
            if v.normalised == norm:
                return v
        return None


_SPACES = re.compile(r"[\s_]+")


def normalise_header(name: str) -> str:
    """Compare headers loosely: case, surrounding space, BOM and underscores ignored."""
    return _SPACES.sub(" ", name.replace("\ufeff", "")).strip().casefold()
