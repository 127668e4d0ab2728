"""Process behaviour charts: forcestat spc, and the rebases analysts record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import click
from rich.table import Table

from forcestat.cli.app import (
    cli,
    config_option,
    force_option,
    make_console,
    output_format_option,
    plan_option,
    printable,
    printable_markup,
    project_catalogue,
    project_settings,
    store_option,
)
from forcestat.errors import ForcestatError
from forcestat.measures.catalogue import Catalogue, Measure
from forcestat.measures.series import Series
from forcestat.spc.xmr import ChartType, Rebase


@dataclass(frozen=True)
class _ChosenSeries:
    measure: Measure
    force: str
    series: Series
    recorded: tuple[Rebase, ...]  # every rebase recorded for it; the chart fits them
    y_title: str


def _monthly_measure(catalogue: Catalogue, measure_id: str) -> Measure:
    """The catalogue measure, refused with the monthly ones listed when it has no
    monthly series (a chart and a rebase need one)."""
    from forcestat.measures.series import monthly_source

    measure = catalogue.get(measure_id)
    if not monthly_source(measure):
        monthly = ", ".join(m.id for m in catalogue.measures if monthly_source(m))
        raise ForcestatError(
            f"{measure_id} comes from the Home Office quarterly tables, so it has no "
            f"monthly series to chart; the monthly (police.uk) measures are: {monthly}"
        )
    return measure


def measure_series_for_chart(
    measure_id: str,
    force_name: str | None,
    period_end: str | None,
    plan_path: Path | None,
    config_path: Path | None,
    store_path: Path | None,
) -> _ChosenSeries:
    """A catalogue measure's monthly series for a force, with its recorded rebases."""
    from forcestat.forces import find_force
    from forcestat.measures.periods import parse_month
    from forcestat.measures.series import monthly_series, series_axis_title
    from forcestat.store.database import open_store
    from forcestat.store.rebases import active_rebases
    from forcestat.store.records import records_connection

    config, store = project_settings(config_path, store_path)
    force = find_force(force_name or config.force)
    last = parse_month(period_end) if period_end else None
    con = open_store(store, read_only=True)
    try:
        catalogue = project_catalogue(con, config, plan_path)
        measure = _monthly_measure(catalogue, measure_id)
        series = monthly_series(
            con, measure, force.name, last, {"satisfied_answers": config.satisfied_answers}
        )
        if series is None:
            when = f"up to {last:%Y-%m}" if last else "at all"
            raise ForcestatError(
                f"no monthly {measure_id} values are loaded for {force.name} {when}; "
                "'forcestat status' lists the months loaded"
            )
    finally:
        con.close()
    with records_connection(store) as records:
        recorded = active_rebases(records, measure.id, force.name)
    return _ChosenSeries(measure, force.name, series, recorded, series_axis_title(measure))


@cli.command()
@click.option(
    "--measure",
    "measure_id",
    default=None,
    metavar="ID",
    help="A monthly (police.uk) measure of the catalogue, charted from the store.",
)
@force_option
@click.option(
    "--period",
    "period_end",
    default=None,
    metavar="YYYY-MM",
    help="Last month charted, with --measure (default: the latest loaded).",
)
@click.option(
    "--input",
    "input_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Instead of --measure: a CSV with columns date,value, one row a month, no gaps "
    "(date,numerator,denominator for --chart p or u).",
)
@click.option(
    "--chart",
    "chart_name",
    type=click.Choice(["xmr", "p", "u"]),
    default=None,
    help="xmr for counts and single values; p for a proportion and u for a rate, with "
    "limits from each month's denominator (default: the measure's, p for a proportion "
    "and u for a rate that has monthly denominators, else xmr; xmr for --input).",
)
@click.option(
    "--laney",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="p and u charts: widen the limits by Laney's sigma_Z: auto when the months "
    "vary at least twice as much as sampling explains (large denominators).",
)
@click.option(
    "--per",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="--input p and u charts: show each ratio times this (default: 100 for p, so per "
    "cent; 1 for u).",
)
@click.option(
    "--title", default=None, help="Name of the series in the reading (default: file name)."
)
@click.option(
    "--polarity",
    type=click.Choice(["lower", "higher", "neutral"]),
    default=None,
    help="Which direction is better (default: the measure's; neutral for --input). "
    "Neutral: no improving/concerning reading, no assurance.",
)
@click.option("--target", type=float, default=None, help="Target for the assurance icon.")
@click.option(
    "--baseline-points",
    type=click.IntRange(min=12),
    default=None,
    help="Fix the limits on the first N months of each segment (N >= 12; default: all).",
)
@click.option(
    "--baseline-period",
    metavar="YYYY-MM:YYYY-MM",
    default=None,
    help="Fix the limits on a named period of 12 months or more, e.g. 2017-01:2018-12.",
)
@click.option(
    "--no-screen",
    is_flag=True,
    help="Keep unusually large moving ranges in the limits, as the NHS Excel tools do.",
)
@click.option(
    "--rebase",
    "rebase_months",
    multiple=True,
    metavar="YYYY-MM",
    help="Recalculate the limits from this month; repeat for several.",
)
@click.option(
    "--rebase-reason",
    default="given on the command line",
    show_default=True,
    help="Why the limits were recalculated, shown with each --rebase. These are not "
    "stored; 'forcestat rebase add' records one for every chart of a measure.",
)
@click.option(
    "--seasonally-adjust",
    is_flag=True,
    help="Chart the series adjusted for its month-of-year pattern, when one is found.",
)
@output_format_option("csv writes the rows to stdout and the icons and reading to stderr.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the chart: a .svg file, or .json for its Vega-Lite specification.",
)
@plan_option
@config_option
@store_option
def spc(
    measure_id: str | None,
    force_name: str | None,
    period_end: str | None,
    input_path: Path | None,
    chart_name: str | None,
    laney: str,
    per: float | None,
    title: str | None,
    polarity: str | None,
    target: float | None,
    baseline_points: int | None,
    baseline_period: str | None,
    no_screen: bool,
    rebase_months: tuple[str, ...],
    rebase_reason: str,
    seasonally_adjust: bool,
    output_format: str,
    out: Path | None,
    plan_path: Path | None,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Process behaviour chart (XmR, p or u) of a monthly series, with the Making Data
    Count rules.

    The series is a catalogue measure for a force (--measure), with the rebases recorded
    for it, or a CSV of your own (--input). Prints one row per month (mean, process
    limits, the rules that fired, point type), then the variation and assurance icons
    and the reading in plain English. --format csv and json write every figure in full.
    """
    import io

    from forcestat.measures.charting import chart_measure
    from forcestat.spc.chart import spc_chart
    from forcestat.spc.files import (
        command_line_baseline_period,
        command_line_rebases,
        read_series_csv,
        spc_json,
        spc_rows,
        write_spc_csv,
    )
    from forcestat.spc.seasonality import seasonal_pattern
    from forcestat.spc.sentences import describe, seasonality_sentence
    from forcestat.spc.xmr import ChartType, LaneyRule, Polarity, SpcOptions, run_spc

    if (measure_id is None) == (input_path is None):
        raise click.UsageError("give either --measure ID or --input FILE")
    chart_kind = ChartType(chart_name) if chart_name else None
    if seasonally_adjust and chart_kind not in (None, ChartType.XMR):
        raise click.UsageError("--seasonally-adjust works on an XmR chart; leave out --chart")
    chosen: _ChosenSeries | None = None
    y_title = "Value"
    denominators: tuple[float, ...] | None = None
    if input_path is not None:
        own = read_series_csv(input_path)
        name, months, values = title or input_path.stem, own.months, own.values
        chart_kind, denominators = _input_chart(input_path, chart_kind, own.denominators)
        if chart_kind is ChartType.P and per in (None, 100):
            y_title = "Per cent"
    else:
        assert measure_id is not None
        chosen = measure_series_for_chart(
            measure_id, force_name, period_end, plan_path, config_path, store_path
        )
        name = title or f"{chosen.measure.title}, {chosen.force}"
        months, values = chosen.series.months, chosen.series.values
        polarity = polarity or chosen.measure.polarity.value
        y_title = chosen.y_title
        if seasonally_adjust:
            chart_kind = ChartType.XMR  # the adjusted values, charted as they are
    seasonal: list[str] = []
    if seasonally_adjust:
        pattern = seasonal_pattern(months, values)
        seasonal.append(seasonality_sentence(pattern, name=name))
        if pattern.seasonal:
            values = pattern.adjusted
            seasonal.append("The chart and the rules use the seasonally adjusted series.")
    options = SpcOptions(
        polarity=Polarity(polarity or "neutral"),
        target=target,
        baseline_points=baseline_points,
        baseline_period=command_line_baseline_period(baseline_period),
        screen_moving_ranges=not no_screen,
        rebases=command_line_rebases(rebase_months, rebase_reason),
        laney=LaneyRule(laney),
    )
    reading: list[str]
    if chosen is None:
        assert chart_kind is not None
        default_per = 100.0 if chart_kind is ChartType.P else 1.0
        options = dataclasses.replace(options, chart=chart_kind, per=per or default_per)
        result = run_spc(months, values, options, denominators=denominators)
        reading = [*seasonal, *describe(result, name=name)]
    else:
        series = dataclasses.replace(chosen.series, values=tuple(values))
        charted = chart_measure(
            chosen.measure, series, chosen.recorded, name=name, options=options, chart=chart_kind
        )
        result = charted.spc
        reading = [*charted.left_out, *seasonal, *charted.sentences]
    assurance = result.assurance.value if result.assurance else "none"
    icons = [f"variation: {result.variation.value}", f"assurance: {assurance}"]
    if output_format == "json":
        click.echo(spc_json(result, reading))
    elif output_format == "csv":
        buffer = io.StringIO()
        write_spc_csv(result, buffer)
        click.echo(buffer.getvalue(), nl=False)
        click.echo("\n".join([*icons, *reading]), err=True)
    else:
        table = Table(title=name)
        shown = ("date", "value", "mean", "lpl", "upl", "rules", "point_type")
        for column in shown:
            table.add_column(column, justify="right" if column in shown[1:5] else "left")
        for row in spc_rows(result, digits=4):
            table.add_row(*(printable_markup(row[c]) for c in shown))
        console = make_console()
        console.print(table)
        console.print("\n".join(printable(line) for line in [*icons, "", *reading]), markup=False)
    if out is not None:
        chart = spc_chart(result, title=name, y_title=y_title)
        out.write_text(chart.to_json() if out.suffix == ".json" else chart.to_svg(), "utf-8")
        click.echo(f"Wrote the chart to {out}", err=True)


def _input_chart(
    path: Path, chart: ChartType | None, denominators: tuple[float, ...] | None
) -> tuple[ChartType, tuple[float, ...] | None]:
    """The chart of an analyst's own file: its columns must fit the chart asked for."""
    if chart in (None, ChartType.XMR):
        if denominators is not None:
            raise ForcestatError(
                f"{path} has numerator and denominator columns; give --chart p for a "
                "proportion or --chart u for a rate"
            )
        return ChartType.XMR, None
    if denominators is None:
        raise ForcestatError(
            f"a {chart.value}-chart needs each month's numerator and denominator: give {path} "
            "the columns date,numerator,denominator"
        )
    return chart, denominators


@cli.group()
def rebase() -> None:
    """Recorded rebases: limits recalculated from a month, with who, when and why.

    forcestat suggests a rebase where it finds a sustained shift, but never applies one
    by itself. A rebase recorded here is drawn on every chart of the measure for the
    force: 'forcestat spc --measure', the report and the dashboard.
    """


def _default_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "command line"


@rebase.command("add")
@click.option("--measure", "measure_id", required=True, metavar="ID", help="Monthly measure.")
@force_option
@click.option("--month", required=True, metavar="YYYY-MM", help="First month of the new limits.")
@click.option("--reason", required=True, help="Why the process changed then, in a sentence.")
@click.option("--by", "recorded_by", default=None, help="Who decided (default: your user name).")
@plan_option
@config_option
@store_option
def rebase_add(
    measure_id: str,
    force_name: str | None,
    month: str,
    reason: str,
    recorded_by: str | None,
    plan_path: Path | None,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Record a rebase of a measure's chart for a force, from MONTH."""
    from forcestat.forces import find_force
    from forcestat.measures.periods import parse_month
    from forcestat.measures.series import monthly_series
    from forcestat.spc.rebases import undrawable_reason
    from forcestat.store.database import open_store
    from forcestat.store.rebases import active_rebases, record_rebase
    from forcestat.store.records import open_records

    config, store = project_settings(config_path, store_path)
    force = find_force(force_name or config.force)
    first = parse_month(month)
    con = open_store(store, read_only=True)
    records = open_records(store)
    try:
        catalogue = project_catalogue(con, config, plan_path)
        measure = _monthly_measure(catalogue, measure_id)
        # A rebase follows a change seen in the chart: the month must be one loaded.
        loaded = monthly_series(
            con, measure, force.name, first, {"satisfied_answers": config.satisfied_answers}
        )
        if loaded is None or loaded.months[-1] != first:
            raise ForcestatError(
                f"{measure.id} has no value for {force.name} in {first:%Y-%m}; a rebase starts "
                "at a loaded month ('forcestat spc --measure' shows them)"
            )
        # ... and the chart must be able to draw it (a segment needs two months or more).
        latest = monthly_series(
            con, measure, force.name, local_settings={"satisfied_answers": config.satisfied_answers}
        )
        if latest is not None:
            existing = active_rebases(records, measure.id, force.name)
            why = undrawable_reason(first, existing, latest.months)
            if why is not None:
                raise ForcestatError(f"{measure.id} for {force.name}: {why}")
        record = record_rebase(
            records,
            measure_id=measure.id,
            area=force.name,
            month=first,
            reason=reason,
            recorded_by=recorded_by or _default_user(),
        )
    finally:
        con.close()
        records.close()
    click.echo(
        f"Recorded rebase {record.rebase_id}: {measure.id} for {force.name} from "
        f"{record.month:%Y-%m} ({record.reason})"
    )


@rebase.command("list")
@click.option("--measure", "measure_id", default=None, metavar="ID", help="Only this measure.")
@click.option("--force", "force_name", default=None, help="Only this force.")
@click.option("--all", "show_all", is_flag=True, help="Include withdrawn rebases.")
@config_option
@store_option
def rebase_list(
    measure_id: str | None,
    force_name: str | None,
    show_all: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """List recorded rebases."""
    from forcestat.forces import find_force
    from forcestat.store.rebases import rebase_records
    from forcestat.store.records import records_connection

    _, store = project_settings(config_path, store_path)
    area = find_force(force_name).name if force_name else None
    with records_connection(store) as kept:
        records = rebase_records(kept, measure_id=measure_id, area=area, include_withdrawn=show_all)
    if not records:
        click.echo("No rebases recorded.")
        return
    # Plain lines, not a table: reasons are sentences and must not be cut short.
    for r in records:
        area, reason, by = printable(r.area), printable(r.reason), printable(r.recorded_by)
        click.echo(f"{r.rebase_id}  {r.measure_id}  {area}  from {r.month:%Y-%m}")
        click.echo(f"    {reason} (recorded {r.recorded_at:%Y-%m-%d} by {by})")
        if r.withdrawn_at is not None:
            click.echo(
                f"    withdrawn {r.withdrawn_at:%Y-%m-%d} by {printable(r.withdrawn_by)}: "
                f"{printable(r.withdrawn_reason)}"
            )


@rebase.command("withdraw")
@click.argument("rebase_id", type=int)
@click.option("--reason", required=True, help="Why the rebase no longer applies.")
@click.option("--by", "withdrawn_by", default=None, help="Who decided (default: your user name).")
@config_option
@store_option
def rebase_withdraw(
    rebase_id: int,
    reason: str,
    withdrawn_by: str | None,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Stop applying rebase REBASE_ID; it stays on record, marked withdrawn."""
    from forcestat.store.rebases import withdraw_rebase
    from forcestat.store.records import records_connection

    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        record = withdraw_rebase(
            records, rebase_id, withdrawn_by=withdrawn_by or _default_user(), reason=reason
        )
    click.echo(
        f"Withdrew rebase {record.rebase_id} ({record.measure_id} for {record.area} from "
        f"{record.month:%Y-%m})"
    )
