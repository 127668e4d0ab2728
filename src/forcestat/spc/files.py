"""An analyst's own monthly series in, the SPC table out.

``read_series_csv`` reads a CSV with columns ``date,value`` (or, for a p or u chart,
``date,numerator,denominator``); ``spc_rows`` / ``write_spc_csv`` / ``spc_json`` write a
result one row per month, every figure in full: the shortest text that reads back as
the same float (Python's ``repr``), so a figure read back equals the one computed.

The file is someone's spreadsheet export, so every problem is reported with its line
number and what to do: a date or value that does not parse, a month given twice,
months out of order or missing, too few months to chart.

Example:
    >>> series = read_series_csv(Path("burglary.csv"))  # doctest: +SKIP
    >>> series.months[0], series.values[0]  # doctest: +SKIP
    (datetime.date(2022, 4, 1), 1093.0)
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from forcestat.cells import csv_cell
from forcestat.errors import ForcestatError
from forcestat.months import add_months, next_month
from forcestat.spc.xmr import MIN_SEGMENT_POINTS, BaselinePeriod, ChartType, Rebase, SpcResult

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "SPC_COLUMNS",
    "MonthlySeries",
    "SeriesFileError",
    "command_line_baseline_period",
    "command_line_rebases",
    "full_figure",
    "parse_month",
    "parse_value",
    "read_series_csv",
    "spc_columns",
    "spc_json",
    "spc_rows",
    "write_spc_csv",
]

# One row per month. rules: the rules that fired, in priority order, joined by ';'.
SPC_COLUMNS = (
    "date",
    "value",
    "mean",
    "lpl",
    "upl",
    "lower_two_sigma",
    "upper_two_sigma",
    "segment",
    "special_cause",
    "rules",
    "point_type",
)
# Added after ``value`` for a p or u chart: the month's count and its trials or exposure.
ATTRIBUTE_COLUMNS = ("numerator", "denominator")

_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_HELP = "write months as YYYY-MM, YYYY-MM-DD or DD/MM/YYYY"


class SeriesFileError(ForcestatError):
    """A series file cannot be read as one value per consecutive month."""


@dataclass(frozen=True)
class MonthlySeries:
    """A monthly series read from ``path``: ``months`` are first days of the month, in
    order and consecutive; ``lines`` are the file lines they came from. From a file with
    ``numerator,denominator`` columns, ``values`` are the numerators and
    ``denominators`` the denominators; otherwise ``denominators`` is None."""

    path: Path
    months: tuple[dt.date, ...]
    values: tuple[float, ...]
    lines: tuple[int, ...]
    denominators: tuple[float, ...] | None = None


def parse_month(text: str) -> dt.date:
    """The month a date falls in: '2020-04', '2020-04-30' or '30/04/2020' -> 2020-04-01.

    Raises ValueError when ``text`` is not such a date.
    """
    text = text.strip()
    if iso := _ISO_MONTH.fullmatch(text):
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3] or 1)
    elif uk := _UK_DATE.fullmatch(text):
        day, month, year = int(uk[1]), int(uk[2]), int(uk[3])
    else:
        raise ValueError(text)
    dt.date(year, month, day)  # rejects month 13, 31 April and the like
    return dt.date(year, month, 1)


def parse_value(text: str) -> float:
    """A count or amount as spreadsheets write it: '1093', '1,093', ' 12.5 '.

    Raises ValueError for anything else, including blanks, NaN and infinities.
    """
    value = float(text.strip().replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _month_text(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _columns(path: Path, header: list[str] | None) -> tuple[int, int, int | None]:
    """Positions of the date, the value (or numerator) and the denominator, if any."""
    names = [h.strip().lower() for h in header or []]
    wanted: tuple[str, ...] = ("date", "numerator", "denominator")
    if not {"numerator", "denominator"} & set(names):
        wanted = ("date", "value")
    missing = [c for c in wanted if c not in names]
    if missing:
        found = ",".join(header or []) or "an empty file"
        raise SeriesFileError(
            f"{path} line 1: no column {' or '.join(repr(m) for m in missing)} (found {found}); "
            "the first line must name the columns date,value (or date,numerator,denominator "
            "for a p or u chart)"
        )
    if len(wanted) == 2:
        return names.index("date"), names.index("value"), None
    return names.index("date"), names.index("numerator"), names.index("denominator")


def read_series_csv(path: Path) -> MonthlySeries:
    """Read ``date,value`` rows, or ``date,numerator,denominator`` rows (other columns
    ignored), into a MonthlySeries.

    Blank lines are skipped. Every other problem raises SeriesFileError naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SeriesFileError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise SeriesFileError(f"{path}: not UTF-8 text; save it as CSV (UTF-8)") from None
    reader = csv.reader(text.splitlines())
    date_col, value_col, size_col = _columns(path, next(reader, None))
    value_name = "value" if size_col is None else "numerator"
    months: list[dt.date] = []
    values: list[float] = []
    sizes: list[float] = []
    lines: list[int] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path} line {line}"
        if len(row) <= max(date_col, value_col, size_col or 0):
            expected = (
                "a date and a value"
                if size_col is None
                else "a date, a numerator and a denominator"
            )
            raise SeriesFileError(f"{where}: {len(row)} column(s); expected {expected}")
        try:
            month = parse_month(row[date_col])
        except ValueError:
            raise SeriesFileError(
                f"{where}: {row[date_col]!r} is not a date; {_DATE_HELP}"
            ) from None
        try:
            value = parse_value(row[value_col])
        except ValueError:
            raise SeriesFileError(
                f"{where}: {value_name} {row[value_col]!r} is not a number; give a plain number "
                "such as 1093 or 12.5"
            ) from None
        if size_col is not None:
            sizes.append(_denominator(where, row[size_col]))
        if months:
            _check_order(where, month, months, lines)
        months.append(month)
        values.append(value)
        lines.append(line)
    if len(months) < MIN_SEGMENT_POINTS:
        raise SeriesFileError(
            f"{path}: {len(months)} month(s) of data; a chart needs at least "
            f"{MIN_SEGMENT_POINTS} (13 or more for firm limits)"
        )
    denominators = tuple(sizes) if size_col is not None else None
    return MonthlySeries(path, tuple(months), tuple(values), tuple(lines), denominators)


def _denominator(where: str, text: str) -> float:
    try:
        size = parse_value(text)
    except ValueError:
        size = math.nan
    if not size > 0:
        raise SeriesFileError(
            f"{where}: denominator {text!r} is not a positive number; give the month's "
            "number of cases (or its exposure), such as 250"
        )
    return size


def _check_order(where: str, month: dt.date, months: list[dt.date], lines: list[int]) -> None:
    previous = months[-1]
    if month in months:
        first = lines[months.index(month)]
        raise SeriesFileError(
            f"{where}: month {_month_text(month)} is already given on line {first}; "
            "give one value per month"
        )
    if month < previous:
        raise SeriesFileError(
            f"{where}: {_month_text(month)} comes after {_month_text(previous)} "
            f"(line {lines[-1]}); sort the file by date"
        )
    expected = next_month(previous)
    if month != expected:
        last_missing = add_months(month.replace(day=1), -1)
        gap = _month_text(expected)
        if last_missing != expected:
            gap = f"months {gap} to {_month_text(last_missing)} are"
        else:
            gap = f"month {gap} is"
        raise SeriesFileError(
            f"{where}: {gap} missing after line {lines[-1]}; add a row for every month "
            "(0 where nothing was recorded)"
        )


def command_line_rebases(months: Sequence[str], reason: str) -> tuple[Rebase, ...]:
    """Rebases asked for on the command line, recorded as made now by the current user,
    in month order (as a chart applies them)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = "unknown user"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rebases = []
    for text in months:
        try:
            month = parse_month(text)
        except ValueError:
            raise SeriesFileError(f"--rebase {text!r} is not a month; {_DATE_HELP}") from None
        rebases.append(Rebase(month=month, reason=reason, recorded_by=user, recorded_at=now))
    return tuple(sorted(rebases, key=lambda r: r.month))


def command_line_baseline_period(text: str | None) -> BaselinePeriod | None:
    """``--baseline-period FIRST:LAST`` as a BaselinePeriod; None when not given.

    Example:
        >>> str(command_line_baseline_period("2017-01:2018-12"))
        '2017-01 to 2018-12'
    """
    if text is None:
        return None
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        return BaselinePeriod(parse_month(parts[0]), parse_month(parts[1]))
    except ValueError:
        raise SeriesFileError(
            f"--baseline-period {text!r} is not a period; give the first and last months "
            "as YYYY-MM:YYYY-MM, e.g. 2017-01:2018-12"
        ) from None


def full_figure(value: float) -> str:
    """``value`` as the shortest text that reads back as the same float: '1.9444444444444444',
    '10' (not '10.0'), '0' (not '-0.0').

    Example:
        >>> full_figure(35 / 18), full_figure(10.0), float(full_figure(0.1 + 0.2)) == 0.1 + 0.2
        ('1.9444444444444444', '10', True)
    """
    text = repr(float(value))
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _rounded_figure(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def spc_columns(result: SpcResult) -> tuple[str, ...]:
    """``SPC_COLUMNS``, with ``ATTRIBUTE_COLUMNS`` after ``value`` for a p or u chart."""
    if result.options.chart is ChartType.XMR:
        return SPC_COLUMNS
    return (*SPC_COLUMNS[:2], *ATTRIBUTE_COLUMNS, *SPC_COLUMNS[2:])


def spc_rows(result: SpcResult, *, digits: int | None = None) -> list[dict[str, str]]:
    """The chart's table as text, one dict per month keyed by ``spc_columns``.

    Figures are written in full (``full_figure``) unless ``digits`` rounds them for a
    person to read.
    """

    def figure(value: float) -> str:
        return full_figure(value) if digits is None else _rounded_figure(value, digits)

    rows = []
    for p in result.points:
        row = {
            "date": _month_text(p.month),
            "value": figure(p.value),
            "mean": figure(p.mean),
            "lpl": figure(p.lpl),
            "upl": figure(p.upl),
            "lower_two_sigma": figure(p.lower_two_sigma),
            "upper_two_sigma": figure(p.upper_two_sigma),
            "segment": str(p.segment),
            "special_cause": "true" if p.special_cause else "false",
            "rules": ";".join(r.value for r in p.rules),
            "point_type": p.point_type.short,
        }
        if p.numerator is not None and p.denominator is not None:
            row |= {
                "numerator": full_figure(p.numerator),
                "denominator": full_figure(p.denominator),
            }
        rows.append({column: row[column] for column in spc_columns(result)})
    return rows


def write_spc_csv(result: SpcResult, stream: TextIO) -> None:
    """Write ``spc_rows`` as CSV with a header line."""
    writer = csv.DictWriter(stream, fieldnames=spc_columns(result), lineterminator="\n")
    writer.writeheader()
    # Figures stay as they are ("-3.2" is a number); a label from the analyst's own file
    # that a spreadsheet would run as a formula is quoted.
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in spc_rows(result))


def spc_json(result: SpcResult, reading: Sequence[str]) -> str:
    """The whole result as JSON: rows, segments, icons, suggestions, warnings, reading."""
    document: dict[str, Any] = {
        "points": spc_rows(result),
        "segments": [
            {
                "first_month": _month_text(s.first_month),
                "last_month": _month_text(s.last_month),
                "points": s.n_points,
                "mean": s.limits.mean,
                "mean_moving_range": s.limits.mean_moving_range,
                "lpl": s.limits.lpl,
                "upl": s.limits.upl,
                "moving_ranges_excluded": s.limits.moving_ranges_excluded,
                "trial_limits": s.trial_limits,
                "baseline_first_month": _month_text(s.baseline.first_month),
                "baseline_last_month": _month_text(s.baseline.last_month),
                "rebase_reason": s.rebase.reason if s.rebase else None,
                "sigma_z": s.sigma_z,
                "laney": s.laney,
            }
            for s in result.segments
        ],
        "chart": result.options.chart.value,
        "variation": result.variation.value,
        "assurance": result.assurance.value if result.assurance else None,
        "suggested_rebases": [_month_text(r.month) for r in result.suggested_rebases],
        "warnings": list(result.warnings),
        "reading": list(reading),
    }
    return json.dumps(document, indent=2)
