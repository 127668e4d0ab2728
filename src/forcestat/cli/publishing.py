"""Sign-off and publication: forcestat publish."""

from __future__ import annotations

from pathlib import Path

import click

from forcestat.cli.app import cli, config_option, force_option, project_settings, store_option


@cli.command()
@click.option(
    "--period",
    "period_end",
    required=True,
    metavar="YYYY-MM",
    help="Last month of the 12 months of the statement to publish.",
)
@force_option
@click.option(
    "--signed-off-by",
    "signed_off_by",
    required=True,
    prompt="Signed off by (name and role)",
    help="Who signed the draft off for publication (name and role); recorded in the "
    "audit log and printed in the statement.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Where 'forcestat report' wrote the draft.",
)
@click.option(
    "--published",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("published"),
    show_default=True,
    help="The published folder the dashboard serves ('forcestat serve --reports').",
)
@click.option("--no-pdf", is_flag=True, help="Publish the HTML and the tables but not the PDF.")
@config_option
@store_option
def publish(
    period_end: str,
    force_name: str | None,
    signed_off_by: str,
    out: Path,
    published: Path,
    no_pdf: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Publish a signed-off draft: record the sign-off in the audit log, stamp the
    publication date into the statement and its PDF, and copy the set into the
    published folder the dashboard lists. Publishing a period again makes a new
    version; the earlier one stays listed as superseded."""
    from forcestat.measures.periods import parse_month
    from forcestat.report.publish import publish_statement
    from forcestat.store.database import open_store

    config, store = project_settings(config_path, store_path)
    con = open_store(store)
    try:
        done = publish_statement(
            con,
            config,
            period_end=parse_month(period_end),
            drafts=out,
            published=published,
            signed_off_by=signed_off_by,
            force=force_name,
            pdf=not no_pdf,
        )
    finally:
        con.close()
    p = done.publication
    click.echo(
        f"Published {p.force}, {p.period_label}, version {p.version}, on "
        f"{p.published_on.isoformat()}, signed off by {p.signed_off_by}:"
    )
    click.echo(f"  {done.files.folder}")
