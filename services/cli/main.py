"""`desk`: the one command-line entry point of the desk."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, NoReturn

import click

from services.cli.context import DeskContext
from services.cli.lazy import LazyGroup

# One-shot commands whose process ends without the interpreter's teardown: freeing
# their hundreds of MB of arrays and ~100k objects one by one took 0.15-0.4 s after
# the work was done (issue 15). Their files are closed by then, the exit handlers
# (the embedded Redis's stop, logging) still run, and output is flushed first.
FAST_EXIT_COMMANDS: frozenset[str] = frozenset({"backtest", "model"})


class DeskCli(LazyGroup):
    """The `desk` group; run as a program (`cli()`), a one-shot command's process ends
    at once. `CliRunner` and other in-process callers use `main()`, which returns or
    raises as click's always did."""

    subcommand: str | None = None

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        self.subcommand = command.name if command is not None else name
        return name, command, rest

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.subcommand = None  # this run's, not a previous one's
        try:
            return self.main(*args, **kwargs)
        except SystemExit as done:
            if self.subcommand not in FAST_EXIT_COMMANDS or _other_threads_running():
                raise
            status = exit_status(done.code)
        end_process(status)


def exit_status(code: object) -> int:
    """The process status `SystemExit(code)` gives (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _other_threads_running() -> bool:
    """A live non-daemon thread: the interpreter would wait for it, so must we."""
    main = threading.main_thread()
    return any(t is not main and t.is_alive() and not t.daemon for t in threading.enumerate())


def end_process(status: int) -> NoReturn:
    """Run the exit handlers, flush the output, and end the process without tearing the
    interpreter down (what `sys.exit` would do after the same handlers and flushes)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: Python's own exit says 120
            status = status or 120
    os._exit(status)


@click.group(cls=DeskCli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", envvar="DESK_CONFIG", type=click.Path(dir_okay=False),
              help="Settings file (default: config/paper.yaml; env DESK_CONFIG).")
@click.option("--data-dir", envvar="DESK_DATA_DIR", type=click.Path(file_okay=False),
              help="The desk's data directory (default from the settings: .desk).")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, data_dir: str | None) -> None:
    """smallcap-desk: nightly model, human approval, A-share execution, drawdown hedging.

    Start with `desk run` (paper mode, demo data) or `desk demo --auto-approve`.

    Exit codes: 0 done (also when there was nothing to do, said in words), 1 an error
    or a refused order (`Error: ...` on stderr), 2 a usage error, 3 `desk status`
    with the desk's Redis down.
    """
    ctx.obj = DeskContext(config_file, data_dir)


if __name__ == "__main__":
    cli()
