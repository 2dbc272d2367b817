"""`desk users add | disable | enable | list`: console accounts (argon2-hashed passwords).

Whoever can run the desk's CLI on the trading server manages accounts; the console
itself lets only admins do it.
"""

from __future__ import annotations

import getpass
import sys

import click

from marketdata.clock import WallClock
from services.cli.context import DeskContext, pass_desk
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
        UserStore(desk.client()).add(name, Role(role), password, by=f"cli:{getpass.getuser()}",
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
    """Enable an account again (also clears a lockout)."""
    _set(desk, name, disabled=False)


def _set(desk: DeskContext, name: str, *, disabled: bool) -> None:
    try:
        UserStore(desk.client()).set_disabled(name, disabled)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {name} {'disabled' if disabled else 'enabled'}")


@users_group.command("list")
@pass_desk
def list_command(desk: DeskContext) -> None:
    """Accounts, roles and status."""
    for user in UserStore(desk.client()).list():
        status = "disabled" if user.disabled else "active"
        if user.locked_until is not None:
            status += f", locked until {user.locked_until:%Y-%m-%d %H:%M}"
        click.echo(f"{user.name:<20} {user.role.value:<7} {status:<10} created "
                   f"{user.created_at:%Y-%m-%d} by {user.created_by}")
