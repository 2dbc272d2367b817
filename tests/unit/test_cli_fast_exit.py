"""A one-shot `desk` command run as a program ends without the interpreter's teardown,
after its exit handlers and with its output flushed; in-process callers (CliRunner)
and other commands exit as click always did."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from services.cli.main import FAST_EXIT_COMMANDS, cli

PROGRAM = textwrap.dedent("""
    import atexit, sys
    import click
    from services.cli.main import DeskCli

    class Teardown:  # reports when the interpreter frees the module's globals
        def __del__(self):
            sys.__stderr__.write("teardown ran\\n")

    keep = Teardown()
    atexit.register(lambda: open(sys.argv[1], "w").write("handler ran"))

    @click.group(cls=DeskCli)
    def group():
        pass

    @group.command(sys.argv[2])
    @click.option("--status", type=int, default=0)
    def command(status):
        sys.stdout.write("x" * 200_000)  # left in the buffer: the exit must flush it
        if status:
            sys.exit(status)

    group(sys.argv[3:])
""")


def _run(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    marker = tmp_path / "handler.txt"
    return subprocess.run([sys.executable, "-c", PROGRAM, str(marker), name, name, *args],
                          capture_output=True, text=True, cwd=Path(__file__).parents[2])


def test_a_one_shot_command_flushes_runs_the_handlers_and_skips_the_teardown(
        tmp_path: Path) -> None:
    assert {"backtest", "model"} <= FAST_EXIT_COMMANDS
    done = _run(tmp_path, "model")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "x" * 200_000
    assert (tmp_path / "handler.txt").read_text() == "handler ran"
    assert "teardown ran" not in done.stderr


def test_its_exit_status_is_kept(tmp_path: Path) -> None:
    done = _run(tmp_path, "backtest", "--status", "3")
    assert done.returncode == 3
    assert done.stdout == "x" * 200_000
    assert (tmp_path / "handler.txt").read_text() == "handler ran"


def test_other_commands_exit_as_before(tmp_path: Path) -> None:
    done = _run(tmp_path, "run")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "x" * 200_000
    assert "teardown ran" in done.stderr


def test_in_process_callers_get_their_result_back() -> None:
    # CliRunner calls main(): the test process goes on after a one-shot command.
    result = CliRunner().invoke(cli, ["model", "--help"])
    assert result.exit_code == 0
    assert "run" in result.output
