"""One end-of-day run: reconcile with the broker, record the NAV, write the report.

Used by the scheduler service (after the close on trading days) and by `desk eod`.
Breaks raise one critical alert listing them; a clean day raises an info alert, so
operations see that the run happened. Each run's summary is kept in Redis
(`desk:eod:runs:<account>`, trade date -> JSON); running a day again replaces it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bus import streams
from bus.alerts import send_alert
from exchange import future_spec
from execution.eod.desk_view import load_desk_day
from execution.eod.views import BrokerDay
from execution.ledger import Ledger
from execution.reconcile import Reconciliation, reconcile
from risk.nav import Book, FuturesShort, MissingPrice, compute_nav
from services.eod.alert_log import alerts_of
from services.eod.broker import broker_day
from services.eod.facts import order_line, totals
from services.eod.hedges import hedge_lines, store_expiries
from services.eod.nav_series import NavRecord, NavSeries
from services.eod.prices import ClosingPrices, closing_prices
from services.eod.report import DailyReport, money, pct, write_report
from services.runtime import ServiceContext

SOURCE = "eod"
EOD_RUNS = f"{streams.PREFIX}:eod:runs:{{account}}"  # hash trade date -> JSON summary
ALERT_LINES = 20


@dataclass(frozen=True)
class EodResult:
    day: date
    reconciliation: Reconciliation
    nav: NavRecord | None
    nav_error: str
    html: Path
    text: Path
    finished: datetime

    def summary(self) -> dict[str, Any]:
        nav = self.nav
        return {"day": self.day.isoformat(), "outcome": "done", "clean": self.reconciliation.clean,
                "breaks": len(self.reconciliation.breaks),
                "nav": str(nav.nav) if nav else None, "hwm": str(nav.hwm) if nav else None,
                "drawdown": nav.drawdown if nav else None, "nav_error": self.nav_error,
                "report": str(self.html), "text": str(self.text),
                "finished": self.finished.isoformat(),
                "reconciliation": self.reconciliation.to_dict()}


def reports_dir(ctx: ServiceContext) -> Path:
    return ctx.data_dir / "reports"


def run_eod(ctx: ServiceContext, day: date, broker: BrokerDay | None = None) -> EodResult:
    """The end of `day`; `broker`: the broker's view if already read (else it is read)."""
    cfg = ctx.settings
    account = cfg.execution.account
    desk = load_desk_day(ctx.client, ctx.queue, account, day, cfg.execution.initial_cash,
                         ctx.clock.now())
    theirs = broker or broker_day(ctx, day)
    rec = reconcile(desk, theirs)
    _alert_breaks(ctx, rec)
    prices = closing_prices(ctx.store, ctx.client, day, desk.ledger.positions,
                            desk.ledger.futures, cfg.risk.index_symbol)
    series = NavSeries(ctx.client, account, reports_dir(ctx) / "nav.csv")
    nav, nav_error = _record_nav(ctx, series, desk.ledger, prices, day)
    report = DailyReport(
        day=day, account=account, generated_at=ctx.clock.now(),
        orders=[order_line(r) for r in desk.records], totals=totals(desk.records),
        fills=len(desk.fills), broker_fees=_broker_fees(theirs),
        hedges=hedge_lines(desk.ledger.futures, prices.prices, prices.index_close, day,
                           store_expiries(ctx.calendar, ctx.store, day)),
        nav=nav, history=[r for r in series.records() if r.day <= day], prices=prices,
        alerts=alerts_of(ctx.client, day), reconciliation=rec, nav_error=nav_error)
    html, text = write_report(report, reports_dir(ctx))
    result = EodResult(day, rec, nav, nav_error, html, text, ctx.clock.now())
    ctx.client.hset(EOD_RUNS.format(account=account), day.isoformat(),
                    json.dumps(result.summary()))
    _alert_done(ctx, result)
    return result


def _record_nav(ctx: ServiceContext, series: NavSeries, ledger: Ledger, prices: ClosingPrices,
                day: date) -> tuple[NavRecord | None, str]:
    risk = ctx.settings.risk
    spec = future_spec(f"{risk.futures.product}2601.{risk.futures.exchange}")
    book = Book(account=ledger.account, cash=ledger.cash,
                positions={s: h.quantity for s, h in ledger.positions.items()},
                futures={s: FuturesShort(s, f.short, f.avg_price)
                         for s, f in ledger.futures.items()})
    try:
        nav = compute_nav(book, prices.prices, multiplier=spec.multiplier,
                          margin_rate=risk.margin_total_rate)
        return series.record(day, nav, ctx.clock.now()), ""
    except (MissingPrice, ValueError) as exc:
        alert(ctx, "critical", f"NAV of {day} not recorded", str(exc))
        return None, str(exc)


def _broker_fees(broker: BrokerDay) -> Decimal | None:
    if any(t.fees is None for t in broker.trades):
        return None
    return sum((t.fees for t in broker.trades if t.fees is not None), Decimal(0))


def _alert_breaks(ctx: ServiceContext, rec: Reconciliation) -> None:
    if rec.clean:
        return
    lines = [b.line() for b in rec.breaks[:ALERT_LINES]]
    if len(rec.breaks) > ALERT_LINES:
        lines.append(f"... and {len(rec.breaks) - ALERT_LINES} more (see the daily report)")
    alert(ctx, "critical", f"reconciliation of {rec.day}: {len(rec.breaks)} break(s) with "
           f"{rec.source}", "\n".join(lines))


def _alert_done(ctx: ServiceContext, result: EodResult) -> None:
    nav = result.nav
    figures = (f"NAV {money(nav.nav)}, drawdown {pct(nav.drawdown)}" if nav
               else "NAV not recorded")
    state = "clean" if result.reconciliation.clean else \
        f"{len(result.reconciliation.breaks)} break(s)"
    alert(ctx, "info", f"end of day {result.day} done: {state}",
           f"{figures}; report {result.html}")


def alert(ctx: ServiceContext, severity: str, title: str, detail: str) -> None:
    send_alert(ctx.client, source=SOURCE, severity=severity, title=title, detail=detail,
               ts=ctx.clock.now())
