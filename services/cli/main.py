"""`desk`: the one command-line entry point of the desk."""

from __future__ import annotations

import click

from services.cli.context import DeskContext
from services.cli.lazy import LazyGroup


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
