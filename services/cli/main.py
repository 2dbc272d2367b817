"""`desk`: the one command-line entry point of the desk."""

from __future__ import annotations

import click

from services.cli.context import DeskContext
from services.cli.desk_cmds import demo_command, redis_cli_command, run_command, status_command
from services.cli.errors import DeskGroup
from services.cli.model_cmd import model_group


@click.group(cls=DeskGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


for command in (run_command, status_command, demo_command, redis_cli_command, model_group):
    cli.add_command(command)


def _add_part_commands() -> None:
    from services.cli.backtest_cmd import backtest_command
    from services.cli.calendar_cmd import calendar_group
    from services.cli.config_cmd import config_group
    from services.cli.data_cmd import data_group
    from services.cli.eod_cmd import eod_command
    from services.cli.orders_cmd import ORDER_COMMANDS
    from services.cli.risk_cmd import risk_group
    from services.cli.rules_cmd import rules_command
    from services.cli.users_cmd import users_group

    for command in (config_group, data_group, rules_command, backtest_command, risk_group,
                    users_group, eod_command, calendar_group, *ORDER_COMMANDS):
        cli.add_command(command)


_add_part_commands()

if __name__ == "__main__":
    cli()
