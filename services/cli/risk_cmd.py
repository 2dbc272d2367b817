"""`desk risk replay` (history through the hedge policy) and `desk risk status`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from services.cli.context import DeskContext, pass_desk
from services.cli.liquidity_cmd import liquidity_command

if TYPE_CHECKING:
    from marketdata.store import MarketStore
    from risk.config import RiskConfig

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("risk", commands=[liquidity_command])
def risk_group() -> None:
    """The drawdown hedge: replay a history, or show the live state."""


@risk_group.command("replay")
@click.option("--nav", "nav_file", type=FILE, required=True,
              help="CSV/Parquet: date, nav[, stock_value] (the book without any hedge).")
@click.option("--index", "index_file", type=FILE, required=True,
              help="CSV/Parquet: date, close (CSI 1000).")
@click.option("--futures", "futures_file", type=FILE, default=None,
              help="CSV/Parquet, long: date, symbol, close[, volume, open_interest, expiry]. "
                   "expiry: the contract's listed last trading day (needed past the trading "
                   "calendar's end). Without the file: contracts at "
                   "risk.replay_assumed_discount to the index.")
@click.option("--options", "options_file", type=FILE, default=None,
              help="CSV: date, symbol (MO2403-P-5000.CFFEX), bid, ask, settle[, iv]: the MO "
                   "chain. Replays futures only, puts only and the cost-chosen instrument on "
                   "the same path and compares them (docs/risk.md, Hedging with options).")
@click.option("--capital", type=click.FloatRange(min=0, min_open=True), default=None,
              help="CNY: scale the NAV series so its first NAV is this capital (for a NAV "
                   "in units, 1.00 ..., which cannot hold one IM lot).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("replay-out"), show_default=True,
              help="Directory for replay.png, daily.csv, actions.csv, summary.json.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_desk
def replay_command(desk: DeskContext, nav_file: Path, index_file: Path,
                   futures_file: Path | None, options_file: Path | None,
                   capital: float | None, out_dir: Path, as_json: bool) -> None:
    """Run a NAV / CSI 1000 / IM history through the configured hedge policy."""
    from marketdata.calendar import CalendarNotCovered
    from risk.replay import run_replay
    from risk.replay_compare import run_instruments
    from risk.replay_io import (
        ReplayInputError,
        read_futures,
        read_index,
        read_nav,
        scale_to_capital,
    )
    from risk.replay_options_io import read_chain
    from risk.replay_plot import plot_replay
    from risk.replay_report import (
        comparison,
        render_comparison,
        render_text,
        summary,
        write_outputs,
    )

    cfg = desk.settings.risk
    try:
        nav = read_nav(nav_file)
        if capital is not None:
            nav = scale_to_capital(nav, capital)
        index = read_index(index_file)
        futures = read_futures(futures_file) if futures_file else None
        compared = None
        if options_file is None:
            result = run_replay(nav, index, futures, cfg, desk.calendar)
        else:
            compared = run_instruments(nav, index, futures, cfg, desk.calendar,
                                       read_chain(options_file))
            result = compared[cfg.hedge.instrument.value]
    except (ReplayInputError, CalendarNotCovered, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    paths = write_outputs(result, out_dir, compared)
    plot = plot_replay(result, cfg, out_dir / "replay.png", compared=compared)
    if as_json:
        extra = {"instruments": comparison(compared)} if compared else {}
        click.echo(json.dumps({**summary(result), **extra, "plot": str(plot),
                               **{k: str(v) for k, v in paths.items()}}))
        return
    click.echo(render_text(result))
    if compared:
        click.echo(f"\n(the actions above: risk.hedge.instrument = {cfg.hedge.instrument.value})"
                   f"\n\n{render_comparison(compared)}")
    click.echo(f"\nPlot: {plot}\nFiles: {', '.join(str(p) for p in paths.values())}")


@risk_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--account", default=None, metavar="NAME",
              help="The account whose risk daemon to show (default: the first account).")
@pass_desk
def status_command(desk: DeskContext, as_json: bool, account: str | None) -> None:
    """The risk daemon's last published state: NAV, drawdown from the intraday high-water
    mark, the ladder and what stepping down waits for, legs, basis cost, margin; and the
    end-of-day history: days, max drawdown, days hedged, turnover and costs."""
    from bus import streams
    from execution.eod.history import read_history
    from marketdata.clock import EXCHANGE_TZ
    from services.cli.risk_status import history_json, other_accounts, status_json, status_lines
    from services.console.hedge_read import expiry_calendar, read_hedge_view

    cfg = account_risk(desk, account)  # that account's ladder and limits
    client = desk.client()
    if client.get(streams.RISK_STATE.format(account=cfg.account)) is None:
        raise click.ClickException(f"no risk state for account {cfg.account}: is the risk "
                                   "service running (`desk run risk`)?")
    today = desk.clock.now().astimezone(EXCHANGE_TZ).date()
    calendar = expiry_calendar(desk.calendar, _store_or_none(desk), today)
    view = read_hedge_view(client, cfg.account, cfg, calendar, today)
    if view.unreadable:
        raise click.ClickException(view.unreadable)
    timeline = read_history(client, cfg.account)
    if as_json:
        click.echo(json.dumps({**status_json(view), "history": history_json(timeline)}))
        return
    click.echo("\n".join(status_lines(view, cfg.account, timeline)
                         + other_accounts(desk.settings, cfg.account)))


def account_risk(desk: DeskContext, account: str | None) -> RiskConfig:
    """The risk settings of `account` (the first account when None); a usage error
    naming an account the desk does not have."""
    from services.accounts import account_names, default_account

    if account is None and not desk.settings.accounts:
        return desk.settings.risk  # one account: the settings as they are
    names = account_names(desk.settings)
    name = default_account(desk.settings) if account is None else account
    if name not in names:
        raise click.BadParameter(f"unknown account {name!r}: the desk has {', '.join(names)}",
                                 param_hint="'--account'")
    return desk.settings.for_account(name).risk


def _store_or_none(desk: DeskContext) -> MarketStore | None:
    """The market store, for the listed expiries; a desk without one still shows status."""
    return desk.store if desk.store.root.exists() else None
