"""`desk eod`: the end of the day by hand (reconciliation, NAV record, daily report)."""

from __future__ import annotations

import json
import sys

import click

from services.cli.context import DeskContext, pass_desk
from services.runtime import ServiceContext


@click.command("eod")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]),
              help="Trade date. Default: today once scheduler.eod_time has passed on a "
                   "trading day, else the previous trading day.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as one JSON "
                                                       "object.")
@click.option("--account", default=None, help="The account (fund product) to close; default: "
                                              "the desk's first. docs/accounts.md.")
@pass_desk
def eod_command(desk: DeskContext, day: object, as_json: bool, account: str | None) -> None:
    """Reconcile the day with the broker, record the closing NAV, write the daily report.

    Breaks are listed and raise a critical alert; nothing is corrected. The report is
    DATA_DIR/reports/DATE.html (and .txt); the NAV series is DATA_DIR/reports/nav.csv
    (another account than the first: DATA_DIR/reports/ACCOUNT/).
    Exits with 1 when there are breaks or the NAV could not be recorded.
    """
    from marketdata.calendar import CalendarNotCovered
    from services.eod.broker import BrokerUnavailable
    from services.eod.schedule import default_day
    from services.eod.trigger import run_eod

    try:
        settings = desk.settings.for_account(account) if account else desk.settings
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--account") from None
    ctx = ServiceContext(settings=settings, client=desk.client(), clock=desk.clock,
                         data_dir=desk.data_dir)
    try:
        trade_date = (day.date() if day is not None  # type: ignore[attr-defined]
                      else default_day(ctx.clock.now(), ctx.calendar,
                                       desk.settings.scheduler.eod_time))
        result = run_eod(ctx, trade_date)
    except (BrokerUnavailable, CalendarNotCovered, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.summary()))
    else:
        click.echo(result.text.read_text(encoding="utf-8"), nl=False)
        click.echo(f"Report: {result.html}")
    if not result.reconciliation.clean or result.nav is None:
        sys.exit(1)
