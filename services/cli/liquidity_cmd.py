"""`desk risk liquidity`: how fast the book could get out, and how crowded its trading is."""

from __future__ import annotations

import json
from datetime import datetime

import click

from services.cli.context import DeskContext, pass_desk


@click.command("liquidity")
@click.option("--stress", "stress", default=None, metavar="NAME",
              help="Show the holdings under this scenario of risk.liquidity.scenarios "
                   "(default: base, no stress); the exit curve always shows every scenario.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Averages up to this trade date and its fills (default: today, "
                   "Asia/Shanghai).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--publish", is_flag=True,
              help="Also publish it at desk:risk:liquidity:<account> for the console and "
                   "the daily report (the risk daemon does it once a day).")
@pass_desk
def liquidity_command(desk: DeskContext, stress: str | None, day: datetime | None,
                      as_json: bool, publish: bool) -> None:
    """Days to exit each holding at the participation cap, the share of NAV sellable in
    1, 3, 5 days under each stress scenario, the desk's share of volume and free float."""
    from marketdata.clock import EXCHANGE_TZ
    from risk.ledger_view import LedgerUnreadable
    from services.cli.liquidity_text import liquidity_lines
    from services.liquidity_report import build_liquidity, liquidity_json
    from services.liquidity_watch import publish_liquidity

    cfg = desk.settings.risk.liquidity
    if stress is not None:
        try:
            cfg.scenario(stress)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="--stress") from None
    when = day.date() if day is not None else desk.clock.now().astimezone(EXCHANGE_TZ).date()
    if not desk.store.root.exists():
        raise click.ClickException(f"no market data store at {desk.store.root}: run "
                                   "`desk data demo` or `desk data import`")
    try:
        build = publish_liquidity if publish else build_liquidity
        liq = build(desk.client(), desk.store, desk.settings, desk.clock, when)
    except (LedgerUnreadable, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(liquidity_json(liq, stress, cfg.top_crowded)))
        return
    click.echo("\n".join(liquidity_lines(liq, stress or "base", cfg.top_crowded)))
