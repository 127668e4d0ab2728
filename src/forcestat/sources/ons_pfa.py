"""ONS "Crime in England and Wales: Police Force Area data tables" workbooks.

ONS publishes these tables with each quarterly crime bulletin (editions here run from
the year ending March 2018 to the year ending December 2019). Each table is a wide
sheet: a title naming the table and its period, a header of offence groups, one row
per area (England and Wales, England, the regions, Wales, the 43 forces and British
Transport Police), then the source and numbered footnotes. Sheet names and row
positions move between editions ("Table P1 ", "Table P4  ", extra header rows), so a
table is found by its *title*, its header by the ``Area Code`` cell, and its end by
the ``Source:`` line. Areas are matched on their ONS code, never on the name, which
carries footnote digits (``Greater Manchester8,9``) and trailing spaces.

Tables read (the rest, percentage changes and anti-social behaviour, are passed over):

- P1 recorded crime by offence group, number of offences;
- P3 rates per 1,000 residents, and the mid-year population the rates use;
- P4 knife and sharp instrument offences (number and % involving a knife);
- P6 knife and sharp instrument rates per 100,000 (two rolling years);
- P9 mid-year population estimates 2002 onwards (year ending March 2018 edition).

Each table is reshaped into one long row per area and figure before it is checked and
loaded (``reshape_sheet``), keeping the sheet's row number as the row's line and the
cell reference in its raw text, so a reject names the cell. ``..``, ``NA`` and the
other symbols ONS prints for a figure it does not give are loaded as *not available*
with the footnote that explains them (Greater Manchester from July 2019: a new IT
system), never as zero; a footnote attached to an area's name (the national totals
that exclude Greater Manchester) is kept as the figure's note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from forcestat.sources.layout import Check, Layout, variant

__all__ = [
    "FIGURES_KEY",
    "KNIFE_PREFIX",
    "KNIFE_TOTAL",
    "NOT_AVAILABLE_SYMBOLS",
    "ONS_PFA_FIGURES",
    "ONS_PFA_POPULATION",
    "PFA_CODES",
    "ReshapedSheet",
    "area_type_of_code",
    "clean_label",
    "reshape_sheet",
]

# ONS area codes of the 43 police force areas -> forcestat force names. Codes are
# stable where names are not ("Metropolitan Police" is "London, Metropolitan" elsewhere).
PFA_CODES: dict[str, str] = {
    "E23000001": "Metropolitan Police",
    "E23000002": "Cumbria",
    "E23000003": "Lancashire",
    "E23000004": "Merseyside",
    "E23000005": "Greater Manchester",
    "E23000006": "Cheshire",
    "E23000007": "Northumbria",
    "E23000008": "Durham",
    "E23000009": "North Yorkshire",
    "E23000010": "West Yorkshire",
    "E23000011": "South Yorkshire",
    "E23000012": "Humberside",
    "E23000013": "Cleveland",
    "E23000014": "West Midlands",
    "E23000015": "Staffordshire",
    "E23000016": "West Mercia",
    "E23000017": "Warwickshire",
    "E23000018": "Derbyshire",
    "E23000019": "Nottinghamshire",
    "E23000020": "Lincolnshire",
    "E23000021": "Leicestershire",
    "E23000022": "Northamptonshire",
    "E23000023": "Cambridgeshire",
    "E23000024": "Norfolk",
    "E23000025": "Suffolk",
    "E23000026": "Bedfordshire",
    "E23000027": "Hertfordshire",
    "E23000028": "Essex",
    "E23000029": "Thames Valley",
    "E23000030": "Hampshire",
    "E23000031": "Surrey",
    "E23000032": "Kent",
    "E23000033": "Sussex",
    "E23000034": "City of London",
    "E23000035": "Devon and Cornwall",
    "E23000036": "Avon and Somerset",
    "E23000037": "Gloucestershire",
    "E23000038": "Wiltshire",
    "E23000039": "Dorset",
    "W15000001": "North Wales",
    "W15000002": "Gwent",
    "W15000003": "South Wales",
    "W15000004": "Dyfed-Powys",
}

# What ONS prints where it gives no figure; each is explained in a footnote of the table.
NOT_AVAILABLE_SYMBOLS = ("..", ".", "NA", "-", "+", "*", ":", "x")

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}
_SHORT_MONTHS = {m[:3]: n for m, n in _MONTHS.items()}

# Labels that name the same offence group differently across editions and publishers.
_ALIASES = {
    "death or serious injury - unlawful driving": "Death or serious injury caused by illegal driving",
    "other theft offences": "All other theft offences",
    "miscellaneous crimes": "Miscellaneous crimes against society",
}

# Knife and sharp instrument figures are a flag on selected offences, not offence groups
# of their own: their series say so, so they never meet the P1 group of the same name.
KNIFE_PREFIX = "Knife or sharp instrument: "
KNIFE_TOTAL = KNIFE_PREFIX + "Total of selected serious offences"

SYNTHETIC_HEADER: tuple[str, ...] = (
    "Area Code",
    "Area Name",
    "Force",
    "Table",
    "Series",
    "Unit",
    "Period End",
    "Value",
    "Reason",
    "Note",
)


@dataclass(frozen=True)
class ReshapedSheet:
    """A table reshaped to long rows: ``cells[0]`` is the header, ``row_numbers[i]`` the
    sheet row of ``cells[i + 1]`` and ``raw[i]`` its cell reference and value."""

    part: str
    cells: list[list[str]]
    row_numbers: list[int]
    raw: list[str]


def clean_label(text: str) -> str:
    """A header label without footnote digits, line breaks or doubled spaces.

    Example:
        >>> clean_label("Total recorded crime (excluding fraud3)")
        'Total recorded crime (excluding fraud)'
        >>> clean_label("Stalking and harassment 4")
        'Stalking and harassment'
    """
    text = " ".join(text.replace("\n", " ").split())
    text = re.sub(r"(?<=[A-Za-z])\d+(,\d+)*(?=\))", "", text)
    text = re.sub(r"(?<=[A-Za-z)])\s*\d+(,\d+)*$", "", text).strip()
    return _ALIASES.get(text.lower(), text)


def _name_and_notes(name: str) -> tuple[str, tuple[int, ...]]:
    """An area name and the footnote numbers written after it ('Essex10' -> 10)."""
    m = re.match(r"^(.*?[A-Za-z)])\s*(\d+(?:,\d+)*)?\s*$", name.strip())
    if m is None:
        return name.strip(), ()
    numbers = tuple(int(n) for n in (m.group(2) or "").split(",") if n)
    return m.group(1).strip(), numbers


def area_type_of_code(code: str) -> str:
    """'country', 'region', 'force' or 'other' from an ONS area code."""
    if code.startswith(("K04", "E92", "W92")):
        return "country"
    if code.startswith("E12"):
        return "region"
    if code.startswith(("E23", "W15")):
        return "force"
    return "other"


def _period_end(title: str) -> str | None:
    """'YYYY-MM' of 'year ending June 20191,2' (footnote digits after the year)."""
    m = re.search(r"year ending (\w+) (\d+)", title, re.IGNORECASE)
    if m is None or m.group(1).lower() not in _MONTHS:
        return None
    digits = m.group(2)
    year = (
        int(digits[:4]) if digits.startswith("20") and len(digits) >= 4 else 2000 + int(digits[:2])
    )
    return f"{year:04d}-{_MONTHS[m.group(1).lower()]:02d}"


def _span_end(label: str) -> str | None:
    """'YYYY-MM' of a column headed "Jan '19 to Dec '19"."""
    m = re.search(r"to (\w{3})\w* '(\d{2})", label)
    if m is None or m.group(1).lower() not in _SHORT_MONTHS:
        return None
    return f"20{m.group(2)}-{_SHORT_MONTHS[m.group(1).lower()]:02d}"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class _Table:
    kind: str  # 'counts', 'rates', 'knife', 'knife_rates', 'population'
    table: str  # 'Table P1'
    period_end: str | None


def _which_table(cells: Sequence[Sequence[str]]) -> _Table | None:
    # The title is the first text of the sheet, however many rows sit above it.
    title = next((c for row in cells[:10] for c in row[:1] if c.strip()), "")
    m = re.match(r"\s*(Table P\d+)\s*:\s*(.*)", title, re.IGNORECASE | re.DOTALL)
    if m is None:
        return None
    name, text = m.group(1), m.group(2).lower()
    period = _period_end(text)
    if "percentage change" in text:
        return None
    if "police recorded crime by offence group" in text and period is not None:
        if "number of offences" in text:
            return _Table("counts", name, period)
        if "rate of offences" in text:
            return _Table("rates", name, period)
    if "knife" in text and "sharp instrument" in text:
        if "rates" in text:
            return _Table("knife_rates", name, None)
        # the time series table spans years ending March 2011 to the edition's period
        if period is not None and "year ending march 2011 to" not in text:
            return _Table("knife", name, period)
    if "mid-year population estimates" in text:
        return _Table("population", name, None)
    return None


def _header_index(cells: Sequence[Sequence[str]]) -> int | None:
    for index, row in enumerate(cells[:12]):
        if row and row[0].strip().casefold() == "area code":
            return index
    return None


def _footnotes(rows: Sequence[Sequence[str]]) -> dict[int, str]:
    notes: dict[int, str] = {}
    for row in rows:
        text = next((c for c in row if c.strip()), "")
        m = re.match(r"\s*(\d+)\.\s*(.*)", text, re.DOTALL)
        if m is not None:
            notes[int(m.group(1))] = " ".join(m.group(2).split())
    return notes


def _symbol_reason(symbol: str, notes: dict[int, str]) -> str:
    for text in notes.values():
        if f"'{symbol}'" in text:
            return text
    return f"'{symbol}' as published: no figure given"


def reshape_sheet(sheet: str, cells: Sequence[Sequence[str]]) -> list[ReshapedSheet]:
    """The long rows of a PFA data table sheet; empty for any other sheet.

    The figures table (P1, P3 rates, P4, P6) becomes one part named as the table; the
    populations (P3's population column, P9) another, named '<table> population'.
    """
    found = _which_table(cells)
    header_at = _header_index(cells) if found is not None else None
    if found is None or header_at is None:
        return []
    header = [c.strip() for c in cells[header_at]]
    above = cells[header_at - 1] if header_at > 0 else []
    below = cells[header_at + 1] if header_at + 1 < len(cells) else []
    # Group labels sit above the header and run rightwards until the next one.
    groups: list[str] = []
    current = ""
    for i in range(len(header)):
        label = above[i].strip() if i < len(above) else ""
        current = label or current
        groups.append(current)
    data: list[tuple[int, Sequence[str]]] = []
    end = len(cells)
    for index in range(header_at + 1, len(cells)):
        row = cells[index]
        first = row[0].strip() if row else ""
        if first.lower().startswith("source") or re.match(r"\d+\.\s", first):
            end = index
            break
        name = row[1].strip() if len(row) > 1 else ""
        if re.fullmatch(r"[A-Z]\d{8}", first) or (not first and name):
            data.append((index, row))
    notes = _footnotes(cells[end:])
    figures: list[tuple[int, list[str], str]] = []
    populations: list[tuple[int, list[str], str]] = []
    for index, row in data:
        code = row[0].strip()
        name, marks = _name_and_notes(row[1] if len(row) > 1 else "")
        force = PFA_CODES.get(code, "")
        if not code and name.casefold() == "british transport police":
            force = "British Transport Police"
        area_note = " ".join(notes[n] for n in marks if n in notes)
        for col in range(2, min(len(row), len(header))):
            value = str(row[col]).strip()
            series, unit, period, target = _column(found, header[col], groups[col], below, col)
            if series is None or target is None or value == "":
                continue
            reason = ""
            if value in NOT_AVAILABLE_SYMBOLS:
                reason = area_note if value in ("..", ".", "NA") and area_note else ""
                reason = reason or _symbol_reason(value, notes)
            out = [
                code,
                name,
                force,
                found.table,
                series,
                unit,
                period or "",
                value,
                reason,
                "" if reason else area_note,
            ]
            raw = f"{sheet.strip()}!{_column_letter(col)}{index + 1}: {code},{name},{value}"
            (populations if target == "population" else figures).append((index + 1, out, raw))
    parts = []
    for suffix, rows in (("", figures), (" population", populations)):
        if rows:
            parts.append(
                ReshapedSheet(
                    found.table + suffix,
                    [list(SYNTHETIC_HEADER if not suffix else POPULATION_HEADER)]
                    + [r[1] if not suffix else _population_cells(r[1]) for r in rows],
                    [r[0] for r in rows],
                    [r[2] for r in rows],
                )
            )
    return parts


POPULATION_HEADER: tuple[str, ...] = (
    "Area Code",
    "Area Name",
    "Force",
    "Year",
    "Persons",
    "Note",
)


def _population_cells(out: list[str]) -> list[str]:
    # out: code, name, force, table, series, unit, period (year), value, reason, note
    return [out[0], out[1], out[2], out[6], out[7], out[9]]


def _column(
    table: _Table, label: str, group: str, below: Sequence[str], col: int
) -> tuple[str | None, str, str | None, str | None]:
    """(series, unit, period end, 'figure' or 'population') of a column; series None
    for a column not loaded (spacers, household counts)."""
    clean = clean_label(label)
    if table.kind == "counts":
        series = clean or clean_label(group)
        return (series or None), "count", table.period_end, "figure"
    if table.kind == "rates":
        low = clean.lower()
        if low.startswith("population figures"):
            m = re.search(r"mid-(\d{4})", low)
            return ("persons" if m else None), "persons", m.group(1) if m else None, "population"
        if low.startswith("household"):
            return None, "", None, None
        series = clean or clean_label(group)
        # Residential burglary is given per 1,000 households too, in a column of its own.
        unit_row = next(
            (
                clean_label(below[c])
                for c in range(min(col, len(below) - 1), 1, -1)
                if below[c].strip()
            ),
            "",
        )
        if "household" in unit_row.lower() or "household" in low:
            # 'Residential burglary (households)': the same offences per 1,000 households
            return (
                re.sub(r"\s*\(house.*$", "", series) or None,
                "rate_per_1000_households",
                table.period_end,
                "figure",
            )
        return (series or None), "rate_per_1000", table.period_end, "figure"
    if table.kind == "knife":
        low = clean.lower()
        knife = KNIFE_PREFIX + clean_label(group) if clean_label(group) else None
        if "number of" in low:
            return knife, "count", table.period_end, "figure"
        if "%" in low:
            return knife, "percent", table.period_end, "figure"
        return None, "", None, None
    if table.kind == "knife_rates":
        end = _span_end(label)
        if end is None:
            return None, "", None, None
        return KNIFE_TOTAL, "rate_per_100000", end, "figure"
    if table.kind == "population":
        m = re.fullmatch(r"(\d{4})(\.0)?", label.strip())
        if m is None:
            return None, "", None, None
        return "persons", "persons", m.group(1), "population"
    return None, "", None, None


def _text(field: str) -> str:
    return f"nullif(trim({field}), '')"


_VALUE = _text("ons_value")
_SYMBOLS = "(" + ", ".join(f"'{s}'" for s in NOT_AVAILABLE_SYMBOLS) + ")"
_NUMBER = "'-?[0-9]+(\\.[0-9]+)?([eE]-?[0-9]+)?'"

# A newer edition (or a corrected one) restating a period replaces the earlier figures.
FIGURES_KEY = ("source", "period_end", "area_code", "area_name", "series", "unit")

ONS_PFA_FIGURES = Layout(
    name="ons_pfa_tables",
    title=(
        "ONS police force area data tables workbook: P1 counts, P3 rates, P4/P6 knife "
        "crime, each found by its title and read as one row per area and figure (the "
        "header below is that reshaped row; the workbook is loaded as published)"
    ),
    table="force_figures",
    variants=(variant(*((h, "ons_" + h.lower().replace(" ", "_")) for h in SYNTHETIC_HEADER)),),
    mapping={
        "source": "'ons_pfa_tables'",
        "table_name": _text("ons_table"),
        "period_end": f"CAST(strptime({_text('ons_period_end')}, '%Y-%m') AS DATE)",
        "months": "12",
        "area_code": _text("ons_area_code"),
        "area_name": _text("ons_area_name"),
        "area_type": f"CASE WHEN {_text('ons_force')} = 'British Transport Police' THEN 'other' "
        f"WHEN left({_text('ons_area_code')}, 3) IN ('K04', 'E92', 'W92') THEN 'country' "
        f"WHEN left({_text('ons_area_code')}, 3) = 'E12' THEN 'region' ELSE 'force' END",
        "force_name": _text("ons_force"),
        "series": _text("ons_series"),
        "unit": _text("ons_unit"),
        "value": f"CASE WHEN {_VALUE} IN {_SYMBOLS} THEN NULL ELSE CAST({_VALUE} AS DOUBLE) END",
        "not_available": _text("ons_reason"),
        "note": _text("ons_note"),
    },
    checks=(
        Check(
            "Area Code is not the ONS code of a police force area forcestat knows "
            "(E23 or W15 and six digits)",
            f"left({_text('ons_area_code')}, 3) IN ('E23', 'W15') AND {_text('ons_force')} IS NULL",
        ),
        Check(
            "area has neither an ONS code nor the name British Transport Police",
            f"{_text('ons_area_code')} IS NULL AND {_text('ons_force')} IS NULL",
        ),
        Check(
            "value is neither a number nor a symbol ONS uses for no figure ("
            + ", ".join(NOT_AVAILABLE_SYMBOLS)
            + ")",
            f"{_VALUE} NOT IN {_SYMBOLS} AND NOT regexp_full_match({_VALUE}, {_NUMBER})",
        ),
        Check(
            "period is not a month (YYYY-MM)",
            f"NOT regexp_full_match({_text('ons_period_end')}, '[0-9]{{4}}-[0-9]{{2}}')",
        ),
    ),
    replace_key=FIGURES_KEY,
)

ONS_PFA_POPULATION = Layout(
    name="ons_pfa_population",
    title=(
        "ONS police force area data tables workbook: mid-year population from P3 and P9, "
        "read as one row per area and year"
    ),
    table="population",
    variants=(variant(*((h, "ons_" + h.lower().replace(" ", "_")) for h in POPULATION_HEADER)),),
    mapping={
        # Forces by forcestat name, the key force rates look populations up by.
        "area_code": f"coalesce({_text('ons_force')}, {_text('ons_area_code')})",
        "area_name": _text("ons_area_name"),
        "area_type": f"CASE WHEN left({_text('ons_area_code')}, 3) IN ('K04', 'E92', 'W92') "
        f"THEN 'country' WHEN left({_text('ons_area_code')}, 3) = 'E12' THEN 'region' "
        "ELSE 'force' END",
        "population_year": f"CAST({_text('ons_year')} AS INTEGER)",
        "persons": f"CAST(CAST({_text('ons_persons')} AS DOUBLE) AS BIGINT)",
        "source": "'ons_mid_year_estimate'",
    },
    checks=(
        Check(
            "Area Code is not the ONS code of a police force area forcestat knows",
            f"left({_text('ons_area_code')}, 3) IN ('E23', 'W15') AND {_text('ons_force')} IS NULL",
        ),
        Check(
            "Year is not a year (YYYY)", f"NOT regexp_full_match({_text('ons_year')}, '[0-9]{{4}}')"
        ),
        Check(
            "Persons is not a number",
            f"NOT regexp_full_match({_text('ons_persons')}, '[0-9]+(\\.0+)?')",
        ),
    ),
    # No population where ONS gives none (Greater Manchester from July 2019), and the
    # national and regional rows of an edition that leaves a force out are not the
    # area's population: those come from the population file or an edition that has all.
    skip_when=(
        f"{_text('ons_persons')} IN {_SYMBOLS} OR {_text('ons_area_code')} IS NULL "
        f"OR (left({_text('ons_area_code')}, 3) IN ('K04', 'E92', 'W92', 'E12') "
        f"AND {_text('ons_note')} ILIKE '%not included in the national%')"
    ),
    replace_key=("area_code", "area_type", "population_year", "source"),
)
