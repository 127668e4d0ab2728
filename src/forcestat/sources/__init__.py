"""Source adapters: one module per published layout, and the registry of them all.

The registry also answers which layout a file is: by its header line (a CSV) or by a
header row near the top of a sheet (a spreadsheet).

May import: the shared modules only (``forcestat.errors``, ``forcestat.forces``). A layout
knows a published file, never the measures made from it.
"""

from __future__ import annotations

from collections.abc import Sequence

from forcestat.errors import LayoutError
from forcestat.sources.homeoffice_prc import CSP_TABLE, PFA_TABLE
from forcestat.sources.indicators import INDICATOR_TABLE
from forcestat.sources.layout import HeaderVariant, Layout, normalise_header
from forcestat.sources.offence_codes import OFFENCE_CODE_LOOKUP
from forcestat.sources.ons_pfa import ONS_PFA_FIGURES, ONS_PFA_POPULATION, reshape_sheet
from forcestat.sources.pfa_population import PFA_POPULATION
from forcestat.sources.policeuk import OUTCOMES, STOP_AND_SEARCH, STREET
from forcestat.sources.population import (
    AREA_LOOKUP,
    CENSUS_2011_POPULATION,
    CENSUS_2021_TS001,
    MID_YEAR_POPULATION,
    MYE2_PERSONS,
)
from forcestat.sources.rolling_totals import ROLLING_TOTALS
from forcestat.sources.survey import SURVEY_RESPONSES

__all__ = [
    "LAYOUTS",
    "Layout",
    "detect_layout",
    "detect_sheet_layout",
    "layout_by_name",
    "reshape_sheet",
    "sheet_read_elsewhere",
]

# Order matters only for error hints; every layout's header is distinct, or, where two
# share one, the sheets they are read from are (see Layout.sheets).
LAYOUTS: tuple[Layout, ...] = (
    STREET,
    OUTCOMES,
    STOP_AND_SEARCH,
    PFA_TABLE,
    CSP_TABLE,
    OFFENCE_CODE_LOOKUP,
    AREA_LOOKUP,
    CENSUS_2011_POPULATION,
    CENSUS_2021_TS001,
    MID_YEAR_POPULATION,
    MYE2_PERSONS,
    ONS_PFA_FIGURES,
    ONS_PFA_POPULATION,
    ROLLING_TOTALS,
    PFA_POPULATION,
    INDICATOR_TABLE,
    SURVEY_RESPONSES,
)


def layout_by_name(name: str) -> Layout:
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)


def detect_layout(header: list[str], display: str) -> tuple[Layout, HeaderVariant]:
    """The layout whose header this is; a LayoutError that says what is wrong otherwise."""
    for layout in LAYOUTS:
        v = layout.match(header)
        if v is not None:
            return layout, v
    got = {normalise_header(h) for h in header if h.strip()}
    if not got:
        raise LayoutError(f"{display}: first line is blank; expected a header line")
    best, best_missing = None, None
    for layout in LAYOUTS:
        for v in layout.variants:
            want = [h for h in v.header if h.strip()]
            missing = [h for h in want if normalise_header(h) not in got]
            if best_missing is None or len(missing) < len(best_missing):
                best, best_missing = layout, missing
    shown = ", ".join(h.strip() for h in header[:4]) + (", ..." if len(header) > 4 else "")
    hint = ""
    if best is not None and best_missing is not None and len(best_missing) < 4:
        extra = f" (missing: {', '.join(best_missing)})" if best_missing else " (columns differ)"
        hint = f"; closest is {best.title}{extra}"
    raise LayoutError(
        f"{display}: header ({shown}) matches no layout forcestat knows{hint}; "
        "see 'forcestat layouts'"
    )


def detect_sheet_layout(
    cells: Sequence[list[str]], sheet: str
) -> tuple[Layout, HeaderVariant, int] | None:
    """The layout read from this sheet whose header is one of its first rows, with the
    header's row index; None when there is none (cover sheets, notes, contents).

    A layout that names its sheets is looked for only in those: the MYE2 males and
    females sheets have the persons header, and must not load as persons.
    """
    return _find_header(cells, [layout for layout in LAYOUTS if layout.reads_sheet(sheet)])


def sheet_read_elsewhere(cells: Sequence[list[str]], sheet: str) -> str | None:
    """Why a sheet with a known header was passed over (its layout is read from other
    sheets), for the message when no sheet of a workbook loads; None if it was not."""
    found = _find_header(cells, [lay for lay in LAYOUTS if not lay.reads_sheet(sheet)])
    if found is None:
        return None
    layout = found[0]
    return (
        f"sheet '{sheet}' has the header of layout {layout.name} ({layout.title}), "
        "read only from " + " or ".join(f"sheet '{name}'" for name in layout.sheets)
    )


def _find_header(
    cells: Sequence[list[str]], layouts: Sequence[Layout]
) -> tuple[Layout, HeaderVariant, int] | None:
    depth = max((layout.header_search_rows for layout in layouts), default=0)
    for index in range(min(len(cells), depth)):
        for layout in layouts:
            if index >= layout.header_search_rows:
                continue
            v = layout.match(cells[index])
            if v is not None:
                return layout, v, index
    return None
