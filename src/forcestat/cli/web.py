"""The dashboard: forcestat serve, and its users."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from forcestat.cli.app import cli, config_option, printable, project_settings, store_option


def _default_reports() -> Path | None:
    published = Path("published")
    return published if published.is_dir() else None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--reports",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The published folder whose signed-off statements are listed (default: "
    "./published, where 'forcestat publish' writes, when it exists). Drafts are never "
    "listed.",
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

    The dashboard reads the store's latest published snapshot, so 'ingest', 'report',
    'user' and the other commands work while it runs; it shows new data within a
    second of a load finishing. Sessions are signed with FORCESTAT_SECRET_KEY when set
    (otherwise sign-ins last until the server stops). Behind an https proxy, cookies
    are marked Secure.
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
        satisfied_answers=config.satisfied_answers,
        small_count_threshold=config.small_count_threshold,
        secret_key=secret_key_from_environment(),
    )
    app = create_app(settings)
    click.echo(f"forcestat dashboard on http://{host}:{port}/ over {store}")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


@cli.group()
def user() -> None:
    """Who may sign in to the dashboard, and with which role."""


def _password(password_stdin: bool, prompt: str = "Password") -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _user_id(records: Any, email: str) -> int:
    from forcestat.store.users import AuthError, find_user

    found = find_user(records, email)
    if found is None:
        raise AuthError(f"there is no user {email}; 'forcestat user list' shows them")
    return found.user_id


password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)


@user.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["viewer", "editor", "admin"]),
    default="viewer",
    show_default=True,
    help="viewer sees drafts, editor updates the Plan tracker, admin manages users.",
)
@password_stdin_option
@config_option
@store_option
def user_add(
    email: str,
    role: str,
    password_stdin: bool,
    config_path: Path | None,
    store_path: Path | None,
) -> None:
    """Add a user (the first admin, for example). Prompts for the password: at least 12
    characters, not a commonly used one."""
    from forcestat.store.records import records_connection
    from forcestat.store.users import Role, add_user

    password = _password(password_stdin)
    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        created = add_user(records, email, password, Role(role), actor="command line")
    click.echo(f"Added {created.email} as {created.role.value}.")


@user.command("list")
@config_option
@store_option
def user_list(config_path: Path | None, store_path: Path | None) -> None:
    """List the users, their roles and whether they may sign in."""
    from forcestat.store.records import records_connection
    from forcestat.store.users import list_users

    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        found = list_users(records)
    for u in found:
        state = "active" if u.active else "deactivated"
        if u.must_change_password:
            state += ", must change password"
        click.echo(f"{printable(u.email)}\t{u.role.value}\t{state}")
    if not found:
        click.echo("No users yet: add the first with 'forcestat user add EMAIL --role admin'.")


@user.command("password")
@click.argument("email")
@password_stdin_option
@config_option
@store_option
def user_password(
    email: str, password_stdin: bool, config_path: Path | None, store_path: Path | None
) -> None:
    """Change your own password: asks for the current one, then the new one (with
    --password-stdin, reads the current then the new from two lines). Signs you out
    of the dashboard everywhere."""
    from forcestat.store.records import records_connection
    from forcestat.store.users import change_password

    if password_stdin:
        current, new = _password(True), _password(True)
    else:
        current = str(click.prompt("Current password", hide_input=True))
        new = _password(False, "New password")
    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        changed = change_password(
            records, _user_id(records, email), current, new, actor=email.strip().lower()
        )
    click.echo(f"Changed the password of {changed.email}.")


@user.command("reset")
@click.argument("email")
@config_option
@store_option
def user_reset(email: str, config_path: Path | None, store_path: Path | None) -> None:
    """Reset a user's password: prints a temporary password that they must change when
    they next sign in. Ends their sessions."""
    from forcestat.store.records import records_connection
    from forcestat.store.users import reset_password

    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        temporary = reset_password(records, _user_id(records, email), actor="command line")
    click.echo(f"Temporary password for {email.strip().lower()}: {temporary}")
    click.echo("Give it to them in person; they choose a new one when they sign in with it.")


@user.command("deactivate")
@click.argument("email")
@config_option
@store_option
def user_deactivate(email: str, config_path: Path | None, store_path: Path | None) -> None:
    """Stop a user signing in, ending their sessions at once (kept, and can be
    activated again from the dashboard's users page)."""
    from forcestat.store.records import records_connection
    from forcestat.store.users import set_user_active

    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        done = set_user_active(records, _user_id(records, email), False, actor="command line")
    click.echo(f"Deactivated {done.email}; their sessions have ended.")


@user.command("remove")
@click.argument("email")
@config_option
@store_option
def user_remove(email: str, config_path: Path | None, store_path: Path | None) -> None:
    """Remove a user's account and end their sessions. The audit log keeps the account
    as it was and every change they made."""
    from forcestat.store.records import records_connection
    from forcestat.store.users import remove_user

    _, store = project_settings(config_path, store_path)
    with records_connection(store) as records:
        removed = remove_user(records, _user_id(records, email), actor="command line")
    click.echo(f"Removed {removed.email}; the audit log keeps the record.")
