"""`desk parity`: order parity (exact), then the backtest over the same days.

`parity_summary(client, store, settings, start, end)` is the one call; it reads the
desk's Redis (published batches, recorded books, order records, NAV series) and its
store, and never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from marketdata.store import MarketStore
from services.parity.live import LiveDay, live_days, live_navs
from services.parity.orders import DayOrders, check_day
from services.parity.published import published_batches
from services.parity.tracking import CAUSES, DayInputs, DaySplit, Prices, split_days, totals
from services.parity.versus import BacktestDay, DayVersus, Inputs, compare_day
from services.scheduler.book_record import RecordedBook, read_books
from services.settings import DeskSettings

METHOD = ("orders: the model re-run offline on each recorded book with the store's data as "
          "of its signal date must equal the published batch (any difference is a defect); "
          "backtest: same store, same days, same starting cash, window fills at the "
          "execution service's participation cap; a differing day is explained when the "
          "model on the backtest's book gives the backtest's batch and the books differ in "
          "shares or cash; NAV: the daily change of live minus backtest split into fill "
          "price, fill quantity, carried positions, corporate actions, fees, futures and a "
          "residual "
          "(docs/backtest.md)")
RESIDUAL_SHOWN = 100.0  # CNY


@dataclass
class ParityResult:
    start: date
    end: date
    orders: list[DayOrders]
    versus: list[DayVersus] = field(default_factory=list)
    splits: list[DaySplit] = field(default_factory=list)
    start_cash: Decimal | None = None
    backtest_error: str | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def order_defects(self) -> list[str]:
        return [d for day in self.orders for d in day.defects]

    def to_dict(self) -> dict[str, Any]:
        last = next((s for s in reversed(self.splits) if s.difference is not None), None)
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "rerun_days": len(self.orders),
            "rerun_equal_days": sum(d.status == "equal" for d in self.orders),
            "order_defects": self.order_defects,
            "orders_unchecked": [d.to_dict() for d in self.orders
                                 if d.status not in ("equal", "defect")],
            "backtest_days": len(self.versus),
            "orders_equal_days": sum(v.status == "equal" for v in self.versus),
            "explained_differences": [v.to_dict() for v in self.versus
                                      if v.status == "explained"],
            "unexplained_differences": [v.to_dict() for v in self.versus
                                        if v.status == "unexplained"],
            "versus": [{k: v for k, v in day.to_dict().items()
                        if k in ("trade_date", "status", "live_orders", "backtest_orders")}
                       for day in self.versus],
            "not_compared_days": [v.trade_date.isoformat() for v in self.versus
                                  if v.status == "not compared"],
            "nav_tracking_difference": _tracking(last, self.start_cash),
            "causes": totals(self.splits) if self.splits else {c: None for c in CAUSES},
            "residual_days": _residual_days(self.splits),
            "per_day": [s.to_dict() for s in self.splits],
            "backtest_error": self.backtest_error,
            "errors": list(self.errors), "notes": list(self.notes), "method": METHOD,
        }


def _residual_days(splits: list[DaySplit]) -> list[dict[str, Any]]:
    """Days whose residual passes RESIDUAL_SHOWN CNY, with the held stocks that had an
    ex-date then (a cash dividend the broker pays later is the usual cause)."""
    return [{"day": s.day.isoformat(), "residual": round(s.parts["residual"], 2),
             "ex_dates": list(s.ex_dates)}
            for s in splits if abs(s.parts.get("residual", 0.0)) >= RESIDUAL_SHOWN]


def _tracking(last: DaySplit | None, cash: Decimal | None) -> dict[str, Any]:
    if last is None or last.difference is None or last.live_nav is None:
        return {"day": None, "live_nav": None, "backtest_nav": None, "difference": None,
                "relative": None}
    return {"day": last.day.isoformat(), "live_nav": round(last.live_nav, 2),
            "backtest_nav": round(last.backtest_nav, 2),
            "difference": round(last.difference, 2),
            "relative": last.difference / float(cash) if cash else None}


def parity_summary(client: redis.Redis, store: MarketStore, settings: DeskSettings,
                   start: date, end: date) -> dict[str, Any]:
    """The parity of trade dates [start, end] as one JSON-ready object."""
    return compute_parity(client, store, settings, start, end).to_dict()


def compute_parity(client: redis.Redis, store: MarketStore, settings: DeskSettings,
                   start: date, end: date) -> ParityResult:
    errors: list[str] = []
    books, book_errors = read_books(client)
    errors += book_errors
    published, batch_errors = published_batches(client, start, end)
    errors += batch_errors
    by_trade = books_by_trade_date(books, published, start, end)
    config = settings.model
    orders = [check_day(store, config, day, by_trade.get(day), published.get(day))
              for day in sorted(by_trade.keys() | published.keys())]
    result = ParityResult(start, end, orders, errors=errors)
    _versus_backtest(result, client, store, settings, by_trade, published)
    return result


def books_by_trade_date(books: dict[date, RecordedBook], published: dict[date, Any],
                        start: date, end: date) -> dict[date, RecordedBook]:
    """The book of each trade date: the one of the published batch's signal date (a
    re-run for another signal date may have recorded a book for the same trade date)."""
    out = {b.trade_date: b for b in books.values() if start <= b.trade_date <= end}
    for day, batch in published.items():
        if batch.signal_date in books and books[batch.signal_date].trade_date == day:
            out[day] = books[batch.signal_date]
    return out


def _start_cash(settings: DeskSettings, first: RecordedBook | None,
                notes: list[str]) -> Decimal:
    if first is not None and not first.book.holdings:
        return first.book.cash
    notes.append("the live desk held positions (or no book was recorded) on the first day: "
                 "the backtest starts from execution.initial_cash, the comparison is loose")
    return Decimal(settings.execution.initial_cash)


def _versus_backtest(result: ParityResult, client: redis.Redis, store: MarketStore,
                     settings: DeskSettings, books: dict[date, RecordedBook],
                     published: dict[date, Any]) -> None:
    from marketdata.calendar import CalendarNotCovered
    from marketdata.errors import MarketDataError
    from strategies.backtest import run_backtest
    from strategies.backtest.fills import FillRules, FillStyle

    rules = FillRules(FillStyle.WINDOW, settings.execution.algo.max_participation)
    first = min(books) if books else None
    cash = _start_cash(settings, books.get(first) if first else None, result.notes)
    result.start_cash = cash
    try:
        bt = run_backtest(store, result.start, result.end, settings.model, initial_cash=cash,
                          keep_batches=True, fills=rules)
        panel = store.load_panel(bt.end, len(bt.daily) + 1, ["close", "adj_factor"])
    except (ValueError, MarketDataError, CalendarNotCovered) as exc:
        result.backtest_error = f"{type(exc).__name__}: {exc}"
        return
    days = [d.date() for d in bt.daily.index]
    bt_days = [BacktestDay(day, book, batch, fills) for day, (book, batch), fills
               in zip(days, bt.batches, bt.fills, strict=True)]
    live = live_days(client, days, result.errors)
    navs = live_navs(client, settings.execution.account, result.errors)
    history: list[tuple[LiveDay, BacktestDay]] = []
    split_inputs = []
    for day, bt_day, nav in zip(days, bt_days, bt.daily["nav"], strict=True):
        inputs = Inputs(store, settings.model, list(history))
        result.versus.append(compare_day(inputs, published.get(day), books.get(day), bt_day))
        recorded = books.get(day)
        split_inputs.append(DayInputs(live[day], recorded.book if recorded else None,
                                      navs.get(day), bt_day, float(nav)))
        history.append((live[day], bt_day))
    result.splits = split_days(split_inputs, Prices(panel["close"], panel["adj_factor"]))
    if any(d.manual_orders for d in live.values()):
        result.notes.append("the live desk traded manual stock orders the backtest has not")
