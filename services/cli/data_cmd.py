"""`desk data`: build the demo market, import vendor data, check the store is fit to trade."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from marketdata.checks import CheckReport, check_store
from marketdata.clock import Clock, WallClock
from marketdata.errors import DataProblem, ImportRejected, MarketDataError, Severity
from services.cli.context import DeskContext, pass_desk

if TYPE_CHECKING:
    from vnpy.trader.database import BaseDatabase

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.group("data")
def data_group() -> None:
    """Market data: the demo market, imports and the fitness check."""


@data_group.command("demo")
@click.option("--stocks", type=click.IntRange(50, 13000),
              help="Number of stocks (default: settings).")
@click.option("--days", type=click.IntRange(10, None),
              help="Trading days of history (default: settings).")
@click.option("--seed", type=int, help="Random seed; the same seed gives the same market.")
@click.option("--end", type=_DATE,
              help="Last trade date (default: last trading day <= 2026-11-20).")
@click.option("--force", is_flag=True, help="Replace a store that holds imported (real) data.")
@pass_desk
def demo_command(desk: DeskContext, stocks: int | None, days: int | None, seed: int | None,
                 end: datetime | None, force: bool) -> None:
    """Replace the store with a seeded synthetic A-share market."""
    from marketdata.synthetic import write_demo_store

    demo = desk.settings.data.demo
    store = desk.store
    if store.latest_date() is not None and store.manifest().meta.get("source") != "synthetic" \
            and not force:
        raise click.ClickException(f"store {store.root} holds imported data; pass --force to "
                                   "replace it with the demo market")
    started = time.perf_counter()
    write_demo_store(store.root, stocks or demo.stocks, days or demo.days,
                     demo.seed if seed is None else seed, _day(end) or demo.end, desk.calendar)
    dates = store.trade_dates()
    click.echo(f"demo market written to {store.root}: {len(store.instruments())} stocks, "
               f"{len(dates)} trading days {dates[0]} .. {dates[-1]} "
               f"({time.perf_counter() - started:.1f} s)")
    click.echo(f"regimes: {store.manifest().meta.get('regimes', '')}")


@data_group.command("import")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--vnpy", "from_vnpy", is_flag=True,
              help="Import daily bars from vnpy's configured database instead of a folder.")
@click.option("--start", type=_DATE,
              help="With --vnpy: first day (default: after the store's latest).")
@click.option("--end", type=_DATE, help="With --vnpy: last day (default: the last bar found).")
@pass_desk
def import_command(desk: DeskContext, path: Path | None, from_vnpy: bool,
                   start: datetime | None, end: datetime | None) -> None:
    """Validate and import PATH (a folder in the layout of docs/data.md) all or nothing."""
    from marketdata.importers import import_folder, import_vnpy_database

    if from_vnpy == (path is not None):
        raise click.UsageError("give either PATH or --vnpy")
    try:
        if from_vnpy:
            report = import_vnpy_database(_vnpy_database(), desk.store, desk.calendar,
                                          _day(start), _day(end))
        else:
            assert path is not None
            report = import_folder(desk.store, desk.calendar, path)
    except ImportRejected as exc:
        raise click.ClickException(str(exc)) from None
    except MarketDataError as exc:
        raise click.ClickException(f"import failed, store unchanged: {exc}") from None
    _echo_problems(report.warnings)
    days = f"{report.days[0]} .. {report.days[-1]}" if report.days else "no trade dates"
    click.echo(f"imported {report.source}: {len(report.days)} day(s) ({days}), "
               f"{report.stocks} stocks, tables: {', '.join(report.tables) or 'none'}")


def _vnpy_database() -> BaseDatabase:
    from vnpy.trader.database import get_database

    try:
        return get_database()
    except ImportError as exc:  # vnpy falls back to vnpy_sqlite, which may not be installed
        raise click.ClickException(
            f"vnpy database driver not available ({exc}); install the driver named by "
            "'database.name' in vnpy's vt_setting.json (default: pip install vnpy_sqlite)"
        ) from None


def _clock(desk: DeskContext) -> Clock:
    # Only a simulated desk keeps its clock in Redis; the wall clock needs no server.
    return WallClock() if desk.settings.clock.mode == "wall" else desk.clock


@data_group.command("check")
@click.option("--date", "day", type=_DATE,
              help="Check as of this trade date's evening (default: now, by the desk's clock).")
@pass_desk
def check_command(desk: DeskContext, day: datetime | None) -> None:
    """Report gaps, staleness and anomalies; exit 1 when the data is not fit to trade on."""
    now = None if day is not None else _clock(desk).now()
    report = check_store(desk.store, desk.calendar, desk.settings.data, now=now, day=_day(day))
    _echo_report(report)
    if not report.fit:
        raise SystemExit(1)


def _echo_problems(problems: list[DataProblem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=problem.severity is Severity.ERROR)


def _echo_report(report: CheckReport) -> None:
    checked = (f"{report.checked_days[0]} .. {report.checked_days[-1]}"
               if report.checked_days else "none")
    click.echo(f"as of {report.as_of}: latest stock bars {report.latest}; re-validated {checked}")
    _echo_problems(report.problems)
    errors = sum(p.severity is Severity.ERROR for p in report.problems)
    warnings = len(report.problems) - errors
    verdict = "FIT to trade on" if report.fit else "NOT FIT to trade on"
    click.echo(f"{verdict}: {errors} error(s), {warnings} warning(s)")


def _add_fetch() -> None:
    from services.cli.fetch_cmd import fetch_command  # its own module: vendors, retries

    data_group.add_command(fetch_command)


_add_fetch()
