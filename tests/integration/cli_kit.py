"""Run the real `desk` command group in-process (click's runner)."""

from __future__ import annotations

from collections.abc import Mapping

from click.testing import CliRunner, Result

from services.cli.main import cli


def run(*args: str, env: Mapping[str, str] | None = None, stdin: str | None = None) -> Result:
    """`desk ARGS`; `result.output` holds stdout and stderr as a terminal shows them,
    `result.stdout` / `result.stderr` each alone."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=dict(env or {}),
                              input=stdin)
