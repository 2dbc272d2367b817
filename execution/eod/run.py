"""One end-of-day run: reconcile with the broker, record the NAV, write the report.

Triggered by the scheduler service (after the close on trading days) and by `desk eod`,
through `services.eod.trigger`, which names the settings and reads the broker.
Breaks raise one critical alert listing them; a clean day raises an info alert, so
operations see that the run happened. Each run's summary is kept in Redis
(`desk:eod:runs:<account>`, trade date -> JSON); running a day again replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import redis

from bus import streams
from bus.alerts import send_alert
from exchange import future_spec
from execution.approval.queue import OrderQueue
from execution.eod.alert_log import alerts_of
from execution.eod.chart_scale import RungLine
from execution.eod.day_record import DayRecords, day_activity
from execution.eod.desk_view import load_desk_day
from execution.eod.expiry import book_option_expiries
from execution.eod.facts import order_line, totals
from execution.eod.fairness import SharedLine, fairness_rows, shared_lines
from execution.eod.hedges import hedge_lines, store_expiries
from execution.eod.history import History, join
from execution.eod.liquidity_section import liquidity_section
from execution.eod.nav_series import NavRecord, NavSeries
from execution.eod.prices import ClosingPrices, closing_prices
from execution.eod.reconcile import Reconciliation, reconcile
from execution.eod.report import DailyReport, fall, money, write_report
from execution.eod.views import BrokerDay
from execution.ledger import Ledger
from marketdata.calendar import TradingCalendar
from marketdata.clock import Clock
from marketdata.store import MarketStore
from risk.config import FuturesConfig
from risk.nav import Book, FuturesShort, MissingPrice, OptionLong, compute_nav

SOURCE = "eod"
EOD_RUNS = f"{streams.PREFIX}:eod:runs:{{account}}"  # hash trade date -> JSON summary
ALERT_LINES = 20


class EodDesk(Protocol):
    """The parts of the running desk an end of day reads (a service's context has them)."""

    @property
    def client(self) -> redis.Redis: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def queue(self) -> OrderQueue: ...
    @property
    def store(self) -> MarketStore: ...
    @property
    def calendar(self) -> TradingCalendar: ...


@dataclass(frozen=True)
class EodSettings:
    """The settings an end of day uses, named (built from the desk's settings)."""

    account: str
    initial_cash: Decimal
    index_symbol: str
    futures: FuturesConfig
    margin_total_rate: Decimal
    reports_dir: Path
    rungs: tuple[RungLine, ...] = ()  # the hedge ladder, drawn on the report's chart
    # Where the market VWAP of shared stocks is read: the store the simulated exchange
    # traded on when it is kept apart (execution.sim.market_dir); None: the desk's store.
    market_dir: Path | None = None


@dataclass(frozen=True)
class EodResult:
    day: date
    reconciliation: Reconciliation
    nav: NavRecord | None
    nav_error: str
    html: Path
    text: Path
    finished: datetime
    shared: tuple[SharedLine, ...] = ()  # stocks traded with other accounts (fairness.py)

    def summary(self) -> dict[str, Any]:
        nav = self.nav
        return {"day": self.day.isoformat(), "outcome": "done", "clean": self.reconciliation.clean,
                "breaks": len(self.reconciliation.breaks),
                "nav": str(nav.nav) if nav else None, "hwm": str(nav.hwm) if nav else None,
                "drawdown": nav.drawdown if nav else None, "nav_error": self.nav_error,
                "report": str(self.html), "text": str(self.text),
                "finished": self.finished.isoformat(),
                "reconciliation": self.reconciliation.to_dict(),
                "fairness": fairness_rows(self.shared)}


def run_eod(ctx: EodDesk, cfg: EodSettings, day: date,
            read_broker: Callable[[], BrokerDay]) -> EodResult:
    """The end of `day`; `read_broker` gives the broker's view, asked after the desk's."""
    account = cfg.account
    _book_expiries(ctx, cfg, day)
    desk = load_desk_day(ctx.client, ctx.queue, account, day, cfg.initial_cash,
                         ctx.clock.now())
    theirs = read_broker()
    rec = reconcile(desk, theirs)
    _alert_breaks(ctx, rec)
    prices = closing_prices(ctx.store, ctx.client, day, desk.ledger.positions,
                            [*desk.ledger.futures, *desk.ledger.options], cfg.index_symbol)
    series = NavSeries(ctx.client, account, cfg.reports_dir / "nav.csv")
    nav, nav_error = _record_nav(ctx, cfg, series, desk.ledger, prices, day)
    day_totals = totals(desk.records)
    records = DayRecords(ctx.client, account)
    records.record(day_activity(desk, day_totals.slippage_cost))
    history = [r for r in series.records() if r.day <= day]
    market = MarketStore(cfg.market_dir) if cfg.market_dir else ctx.store
    shared = shared_lines(ctx.client, ctx.queue, market, account, day)
    report = DailyReport(
        day=day, account=account, generated_at=ctx.clock.now(),
        orders=[order_line(r) for r in desk.records], totals=day_totals,
        fills=len(desk.fills), broker_fees=_broker_fees(theirs),
        hedges=hedge_lines(desk.ledger.futures, prices.prices, prices.index_close, day,
                           store_expiries(ctx.calendar, ctx.store, day)),
        nav=nav, history=history, prices=prices, timeline=_timeline(series, records, history),
        alerts=alerts_of(ctx.client, day), reconciliation=rec, nav_error=nav_error,
        liquidity=liquidity_section(ctx.client, account, day), rungs=cfg.rungs, shared=shared)
    html, text = write_report(report, cfg.reports_dir)
    result = EodResult(day, rec, nav, nav_error, html, text, ctx.clock.now(), tuple(shared))
    ctx.client.hset(EOD_RUNS.format(account=account), day.isoformat(),
                    json.dumps(result.summary()))
    _alert_done(ctx, result)
    return result


def _timeline(series: NavSeries, records: DayRecords, history: list[NavRecord]) -> History:
    activity, errors = records.read()
    return join(history, activity, [*series.errors, *series.csv_errors, *errors])


def _book_expiries(ctx: EodDesk, cfg: EodSettings, day: date) -> None:
    """Options expiring today settle at the CSI 1000 close, as the simulator's do."""
    index = closing_prices(ctx.store, ctx.client, day, [], [], cfg.index_symbol).index_close
    settlement = None if index is None else Decimal(repr(index))
    expiries = book_option_expiries(ctx.client, cfg.account, day, settlement, ctx.clock.now(),
                                    ctx.calendar)
    if expiries:
        alert(ctx, "info", f"{len(expiries)} option position(s) expired on {day}", "; ".join(
            f"{e.symbol} {e.lots} lots at {e.settlement}: paid {money(e.value)}, fee "
            f"{money(e.fee)}" for e in expiries))


def _record_nav(ctx: EodDesk, cfg: EodSettings, series: NavSeries, ledger: Ledger,
                prices: ClosingPrices, day: date) -> tuple[NavRecord | None, str]:
    spec = future_spec(f"{cfg.futures.product}2601.{cfg.futures.exchange}")
    book = Book(account=ledger.account, cash=ledger.cash,
                positions={s: h.quantity for s, h in ledger.positions.items()},
                futures={s: FuturesShort(s, f.short, f.avg_price)
                         for s, f in ledger.futures.items()},
                options={s: OptionLong(s, o.long, o.avg_price) for s, o in ledger.options.items()},
                receivable=ledger.receivable)  # dividends between ex-date and pay date
    try:
        nav = compute_nav(book, prices.prices, multiplier=spec.multiplier,
                          margin_rate=cfg.margin_total_rate)
        return series.record(day, nav, ctx.clock.now()), ""
    except (MissingPrice, ValueError) as exc:
        alert(ctx, "critical", f"NAV of {day} not recorded", str(exc))
        return None, str(exc)


def _broker_fees(broker: BrokerDay) -> Decimal | None:
    if any(t.fees is None for t in broker.trades):
        return None
    return sum((t.fees for t in broker.trades if t.fees is not None), Decimal(0))


def _alert_breaks(ctx: EodDesk, rec: Reconciliation) -> None:
    if rec.clean:
        return
    lines = [b.line() for b in rec.breaks[:ALERT_LINES]]
    if len(rec.breaks) > ALERT_LINES:
        lines.append(f"... and {len(rec.breaks) - ALERT_LINES} more (see the daily report)")
    alert(ctx, "critical", f"reconciliation of {rec.day}: {len(rec.breaks)} break(s) with "
           f"{rec.source}", "\n".join(lines))


def _alert_done(ctx: EodDesk, result: EodResult) -> None:
    nav = result.nav
    figures = (f"NAV {money(nav.nav)}, drawdown {fall(nav.drawdown)} from the intraday "
               "high-water mark" if nav
               else "NAV not recorded")
    state = "clean" if result.reconciliation.clean else \
        f"{len(result.reconciliation.breaks)} break(s)"
    alert(ctx, "info", f"end of day {result.day} done: {state}",
           f"{figures}; report {result.html}")


def alert(ctx: EodDesk, severity: str, title: str, detail: str) -> None:
    send_alert(ctx.client, source=SOURCE, severity=severity, title=title, detail=detail,
               ts=ctx.clock.now())
