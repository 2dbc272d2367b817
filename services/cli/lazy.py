"""The `desk` group imports a command's module only when that command runs.

Importing every command up front cost `desk --help` 1.6 s (settings, pandas, vnpy
through the command modules). Each command is listed here with its module and the
one line `desk --help` shows; `tests/unit/test_cli_lazy.py` checks those lines against
the commands' own help, so they cannot drift.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from services.cli.errors import DeskGroup

# name -> (module, the short help `desk --help` shows)
COMMANDS: Mapping[str, tuple[str, str]] = {
    "approve": ("services.cli.orders_cmd", "Approve orders by id, or --all pending ones."),
    "audit": (
        "services.cli.orders_cmd",
        "The audit trail, newest first: who, when, why, and what changed.",
    ),
    "backtest": (
        "services.cli.backtest_cmd",
        "Run the nightly model day by day from --start to --end and write a report.",
    ),
    "calendar": (
        "services.cli.calendar_cmd",
        "The trading calendar: show a year, draft the next one, add its closures.",
    ),
    "cancel": ("services.cli.orders_cmd", "Cancel an order."),
    "config": ("services.cli.config_cmd", "The desk's settings."),
    "data": (
        "services.cli.data_cmd",
        "Market data: the demo market, imports and the fitness check.",
    ),
    "demo": (
        "services.cli.desk_cmds",
        "A compressed simulated trading day (or --days N in a row) through the whole desk, "
        "non-interactively.",
    ),
    "eod": (
        "services.cli.eod_cmd",
        "Reconcile the day with the broker, record the closing NAV, write the daily report.",
    ),
    "halt": (
        "services.cli.orders_cmd",
        "The kill switch: halt all trading (asks for confirmation).",
    ),
    "model": ("services.cli.model_cmd", "The nightly factor/rotation model."),
    "order": ("services.cli.orders_cmd", "Manual orders."),
    "orders": (
        "services.cli.orders_cmd",
        "List orders of a trade date with their state and approvals.",
    ),
    "parity": (
        "services.cli.parity_cmd",
        "Compare the live desk's batches and NAV with the model re-run and the backtest.",
    ),
    "pause": ("services.cli.orders_cmd", "Pause an order."),
    "redis-cli": ("services.cli.desk_cmds", "redis-cli against the desk's Redis, e.g."),
    "reject": ("services.cli.orders_cmd", "Reject orders, with a reason."),
    "resume": ("services.cli.orders_cmd", "Resume an order."),
    "risk": (
        "services.cli.risk_cmd",
        "The drawdown hedge: replay a history, or show the live state.",
    ),
    "rules": (
        "services.cli.rules_cmd",
        "Exchange, board, price band, limit prices and order sizes of SYMBOL on a day.",
    ),
    "run": (
        "services.cli.desk_cmds",
        "Run the whole desk (default), or one SERVICE in the foreground.",
    ),
    "status": (
        "services.cli.desk_cmds",
        "Services (alive, last heartbeat), streams (length, pending), batch, runs, halt.",
    ),
    "users": ("services.cli.users_cmd", "Console user accounts."),
}


def load_command(name: str) -> click.Command:
    """The command `name` from its module (a module may define several)."""
    module = importlib.import_module(COMMANDS[name][0])
    for value in vars(module).values():
        candidates = value if isinstance(value, tuple) else (value,)
        for item in candidates:
            if isinstance(item, click.Command) and item.name == name:
                return item
    raise LookupError(f"{COMMANDS[name][0]} defines no command {name!r}")


class LazyGroup(DeskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name))
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:
        """The listing from the table: no command module is imported for `--help`."""
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
