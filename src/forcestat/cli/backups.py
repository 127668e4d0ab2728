"""forcestat backup and forcestat restore: everything forcestat keeps, in one folder."""

from __future__ import annotations

from pathlib import Path

import click

from forcestat.cli.app import cli, config_option, project_settings, store_option


def _reports_folder(reports: Path | None) -> Path | None:
    if reports is not None:
        return reports
    out = Path("out")
    return out if out.is_dir() else None


reports_option = click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of published statements (default: ./out, where 'forcestat report' writes, "
    "when it exists).",
)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@reports_option
@config_option
@store_option
def backup(
    folder: Path, reports: Path | None, config_path: Path | None, store_path: Path | None
) -> None:
    """Back up the store, the dashboard's records (users, tracker, rebases, audit log)
    and the published statements into the new FOLDER, with a manifest of checksums.

    Safe while the dashboard serves and while a load runs (the store is then backed up
    as it was before the load).
    """
    from forcestat.store.backup import backup as write_backup

    _, store = project_settings(config_path, store_path)
    summary = write_backup(store, _reports_folder(reports), folder)
    click.echo(
        f"Backed up {summary.files} files ({summary.total_bytes / 1e6:,.1f} MB) into "
        f"{summary.folder} (store schema {summary.store_schema}, records version "
        f"{summary.records_schema})."
    )
    if summary.store_from_snapshot_before_load:
        click.echo("A load was running: the store is backed up as it was before that load.")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@reports_option
@click.option("--yes", is_flag=True, help="Do not ask before replacing what is there now.")
@config_option
@store_option
def restore(
    folder: Path,
    reports: Path | None,
    yes: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Restore a backup made by 'forcestat backup': checks its versions and every file's
    checksum first, then replaces the store, the records and the published statements.
    A running dashboard shows the restored data at its next request.
    """
    from forcestat.store.backup import restore_backup

    _, store = project_settings(config_path, store_path)
    target_reports = reports if reports is not None else Path("out")
    if not yes:
        click.confirm(
            f"Replace {store}, its records and {target_reports}/ with the backup in {folder}?",
            abort=True,
        )
    summary = restore_backup(folder, store, target_reports)
    click.echo(
        f"Restored {summary.files} files from the backup of {summary.created_at} into {store}."
    )
