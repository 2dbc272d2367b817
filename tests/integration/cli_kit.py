"""Run the real `desk` command group in-process (click's runner)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from services.cli.main import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
