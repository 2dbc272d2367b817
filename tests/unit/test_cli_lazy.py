"""`desk` imports a command's module only when the command runs; its listing of
commands comes from a table that must say what each command's own help says."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from services.cli.lazy import COMMANDS, load_command
from services.cli.main import cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listing_says_what_the_command_says(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=150)


def test_every_command_is_listed_and_found() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    assert all(cli.get_command(ctx, name) is not None for name in COMMANDS)


def test_help_imports_no_command_module_nor_the_settings() -> None:
    probe = ("import sys; from click.testing import CliRunner; from services.cli.main import cli;"
             " r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output;"
             " heavy = [m for m in sys.modules if m.startswith(('services.cli.orders_cmd',"
             " 'services.settings', 'pandas', 'vnpy', 'redis'))]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]", out
