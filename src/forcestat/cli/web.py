"""The dashboard: forcestat serve, and its users."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from forcestat.cli.app import cli, config_option, printable, project_settings, store_option


def _default_reports() -> Path | None:
    out = Path("out")
    return out if out.is_dir() else None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of published reports to list, drafts in its drafts/ sub-folder "
    "(default: ./out, where 'forcestat report' writes, when it exists).",
)
@click.option(
    "--govuk-frontend",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A GOV.UK Frontend dist/govuk folder to serve instead of the copy shipped with forcestat.",
)
@config_option
@store_option
def serve(
    host: str,
    port: int,
    reports: Path | None,
    govuk_frontend: Path | None,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Serve the dashboard and Plan tracker over the store (stop with Ctrl+C).

    Sessions are signed with FORCESTAT_SECRET_KEY when set (otherwise sign-ins last until
    the server stops). Behind an https proxy, cookies are marked Secure.
    """
    import uvicorn

    from forcestat.web.app import create_app
    from forcestat.web.settings import (
        WebSettings,
        find_govuk_frontend,
        secret_key_from_environment,
    )

    config, store = project_settings(config_path, store_path)
    settings = WebSettings(
        store=store,
        govuk_frontend=find_govuk_frontend(govuk_frontend),
        reports=reports if reports is not None else _default_reports(),
        force=config.force,
        most_similar_forces=config.most_similar_forces,
        plan=config.plan,
        national_baseline=config.baseline_period_end,
        secret_key=secret_key_from_environment(),
    )
    app = create_app(settings)
    click.echo(f"forcestat dashboard on http://{host}:{port}/ over {store}")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


@cli.group()
def user() -> None:
    """Who may sign in to the dashboard, and with which role."""


@user.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["viewer", "editor", "admin"]),
    default="viewer",
    show_default=True,
    help="viewer sees drafts, editor updates the Plan tracker, admin manages users.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
@config_option
@store_option
def user_add(
    email: str,
    role: str,
    password_stdin: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Add a user (the first admin, for example). Prompts for the password."""
    from forcestat.store.database import open_store
    from forcestat.store.users import Role, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _, store = project_settings(config_path, store_path)
    con = open_store(store)
    try:
        created = add_user(con, email, password, Role(role), actor="command line")
    finally:
        con.close()
    click.echo(f"Added {created.email} as {created.role.value}.")


@user.command("list")
@config_option
@store_option
def user_list(config_path: Path | None, store_path: Path | None) -> None:
    """List the users, their roles and whether they may sign in."""
    from forcestat.store.database import open_store
    from forcestat.store.users import list_users

    _, store = project_settings(config_path, store_path)
    con = open_store(store)
    try:
        found = list_users(con)
    finally:
        con.close()
    for u in found:
        click.echo(
            f"{printable(u.email)}\t{u.role.value}\t{'active' if u.active else 'deactivated'}"
        )
    if not found:
        click.echo("No users yet: add the first with 'forcestat user add EMAIL --role admin'.")
