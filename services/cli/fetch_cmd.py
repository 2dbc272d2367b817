"""`desk data fetch`: the day's market data from the configured vendors into the store."""

from __future__ import annotations

import os
from datetime import date, datetime

import click
import redis

from bus.alerts import send_alert
from marketdata.clock import EXCHANGE_TZ, WallClock
from marketdata.errors import MarketDataError
from services.cli.context import DeskContext, pass_desk

SOURCE = "data-fetch"


def default_day(desk: DeskContext) -> date:
    """The latest trading day whose data is due by now (data.data_ready_time)."""
    clock = desk.clock if desk.settings.clock.mode == "simulated" else WallClock()
    now = clock.now().astimezone(EXCHANGE_TZ)
    today, cal = now.date(), desk.calendar
    due = cal.is_trading_day(today) and now.time() >= desk.settings.data.data_ready_time
    return today if due else cal.previous_trading_day(today)


@click.command("fetch")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]),
              help="Trade date to fetch (default: the latest one whose data is due).")
@click.option("--source", help="Only this source of data.fetch.sources (default: all, in "
                               "data.fetch.order, the first that delivers).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]),
              help="Backfill from this trade date (with --end); stored days are skipped, "
                   "so a stopped backfill resumes.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the backfill.")
@pass_desk
def fetch_command(desk: DeskContext, day: datetime | None, source: str | None,
                  start: datetime | None, end: datetime | None) -> None:
    """Fetch one trade date (or a range) from the vendors, validate and import it."""
    from marketdata.vendors.fetch import fetch_day

    if (start is None) != (end is None) or (start is not None and day is not None):
        raise click.UsageError("give --date, or --start with --end")
    if start is not None and end is not None:
        _backfill(desk, start.date(), end.date(), source)
        return
    target = day.date() if day is not None else default_day(desk)
    cfg = desk.settings.data.fetch
    try:
        done = fetch_day(desk.store, desk.calendar, cfg, target,
                         desk.data_dir / cfg.staging_dir, os.environ, source)
    except MarketDataError as exc:
        _alert(desk, "critical", f"data fetch failed for {target}", str(exc))
        raise click.ClickException(str(exc)) from None
    for name, why in done.failures:
        click.echo(f"warning: {name} failed, fell back: {why}", err=True)
        _alert(desk, "warning", f"data fetch fell back from {name}", why)
    for problem in done.report.warnings:
        click.echo(str(problem), err=True)
    click.echo(f"fetched {target} from {done.source}: {done.report.stocks} stocks, tables: "
               f"{', '.join(done.report.tables) or 'none'} (staged in {done.folder})")


def _backfill(desk: DeskContext, start: date, end: date, source: str | None) -> None:
    from tqdm import tqdm

    from marketdata.vendors.backfill import backfill

    cfg = desk.settings.data.fetch
    days = desk.calendar.trading_days(start, end)
    with tqdm(total=len(days), unit="day", desc="fetch", disable=None) as bar:

        def tick(current: date) -> None:  # the bar names the day being fetched
            bar.set_postfix_str(current.isoformat())
            bar.update(1)

        result = backfill(desk.store, desk.calendar, cfg, start, end,
                          desk.data_dir / cfg.staging_dir, os.environ, source, progress=tick)
    click.echo(f"backfill {start} .. {end}: {len(result.done)} fetched, "
               f"{len(result.skipped)} already stored")
    if result.failed is not None:
        _alert(desk, "critical", f"data backfill stopped at {result.stopped_at}",
               str(result.failed))
        raise click.ClickException(f"stopped at {result.stopped_at} (run again to resume): "
                                   f"{result.failed}")


def _alert(desk: DeskContext, severity: str, title: str, detail: str) -> None:
    """Tell operations; the desk's Redis may be down when run by hand, which is no error."""
    try:
        send_alert(desk.client(), source=SOURCE, severity=severity, title=title,
                   detail=detail, ts=datetime.now().astimezone())
    except (redis.RedisError, OSError):
        click.echo("(alert not sent: the desk's Redis is not reachable)", err=True)
