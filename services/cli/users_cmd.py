"""`desk users add | disable | enable | unlock | list`: console accounts (argon2 hashes).

Whoever can run the desk's CLI on the trading server manages accounts; the console
itself lets only admins do it.
"""

from __future__ import annotations

import getpass
import sys

import click

from marketdata.clock import WallClock
from services.cli.context import DeskContext, pass_desk
from services.console.admin_audit import audit_unlock
from services.console.throttle import LoginThrottle
from services.console.users import MIN_PASSWORD, Role, UserError, UserStore


@click.group("users")
def users_group() -> None:
    """Console user accounts."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_desk
def add_command(desk: DeskContext, name: str, role: str, password_stdin: bool) -> None:
    """Create an account; the password is asked for twice (never an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(f"Password for {name} ({MIN_PASSWORD}+ characters)",
                                hide_input=True, confirmation_prompt=True)
    try:
        UserStore(desk.client()).add(name, Role(role), password, by=_actor(),
                                     at=WallClock().now())
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {name} ({role}) added")


@users_group.command("disable")
@click.argument("name")
@pass_desk
def disable_command(desk: DeskContext, name: str) -> None:
    """Disable an account; its open console sessions end at their next request."""
    _set(desk, name, disabled=True)


@users_group.command("enable")
@click.argument("name")
@pass_desk
def enable_command(desk: DeskContext, name: str) -> None:
    """Enable an account again."""
    _set(desk, name, disabled=False)


def _set(desk: DeskContext, name: str, *, disabled: bool) -> None:
    try:
        UserStore(desk.client()).set_disabled(name, disabled)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {name} {'disabled' if disabled else 'enabled'}")


@users_group.command("unlock")
@click.argument("name")
@pass_desk
def unlock_command(desk: DeskContext, name: str) -> None:
    """Clear an account's login throttle from every address (audited)."""
    if UserStore(desk.client()).get(name) is None:
        raise click.ClickException(f"no user {name!r}")
    cleared = _throttle(desk).clear(name)
    audit_unlock(desk.client(), name=name, actor=_actor(), cleared=cleared,
                 at=WallClock().now())
    click.echo(f"login throttle of {name} cleared ({len(cleared)} address(es))")


@users_group.command("list")
@pass_desk
def list_command(desk: DeskContext) -> None:
    """Accounts, roles, status and failed logins."""
    throttle = _throttle(desk)
    for user in UserStore(desk.client()).list():
        status = "disabled" if user.disabled else "active"
        held = throttle.failures(user.name)
        if held:
            failures = sum(p.failures for p in held)
            status += f", {failures} failed login(s) from {len(held)} address(es)"
        click.echo(f"{user.name:<20} {user.role.value:<7} {status:<10} created "
                   f"{user.created_at:%Y-%m-%d} by {user.created_by}")


def _throttle(desk: DeskContext) -> LoginThrottle:
    return LoginThrottle(desk.client(), desk.settings.console)


def _actor() -> str:
    """Account commands act as the shell user: whoever can run `desk` on the server."""
    return f"cli:{getpass.getuser()}"
