"""The live desk's batches against the backtest's, day by day.

A day's batches are equal, or their difference is explained, or it is not:

- explained: the live book differed from the backtest's (a fill the live desk did not
  get, or got at another price), and the model re-run on the backtest's book with the
  desk's own data gives the backtest's batch: the book is the only cause;
- unexplained: the same book gives other orders (the backtest's signals are not the
  live ones), or the books differ only in a convention (holding days, sellable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bus.messages import BatchPublished
from marketdata.store import MarketStore
from services.parity.live import LiveDay, Traded, TradeKey
from services.parity.orders import EPOCH, compare_orders, lead_orders, rerun
from services.scheduler.book_record import RecordedBook
from services.scheduler.nightly import to_bus_batch
from strategies.backtest.fills import Fill
from strategies.batch import ModelBatch
from strategies.config import ModelConfig
from strategies.portfolio_state import Book


@dataclass(frozen=True)
class DayVersus:
    """`status`: equal | explained | unexplained | not compared."""

    trade_date: date
    status: str
    live_orders: int
    backtest_orders: int
    differences: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"trade_date": self.trade_date.isoformat(), "status": self.status,
                "live_orders": self.live_orders, "backtest_orders": self.backtest_orders,
                "differences": list(self.differences), "explanation": list(self.explanation)}


@dataclass(frozen=True)
class BacktestDay:
    trade_date: date
    book: Book
    batch: ModelBatch
    fills: list[Fill]

    def traded(self) -> dict[TradeKey, Traded]:
        out: dict[TradeKey, Traded] = {}
        for fill in self.fills:
            side = out.setdefault((fill.symbol, fill.side), Traded())
            side.quantity += fill.quantity
            side.value += fill.price * fill.quantity
            side.fees += fill.fees
        for order in self.batch.orders:
            out.setdefault((order.symbol, order.side.value), Traded()).ordered += order.quantity
        return out


@dataclass(frozen=True)
class Inputs:
    store: MarketStore
    config: ModelConfig
    history: list[tuple[LiveDay, BacktestDay]]  # the trade days before this one


def compare_day(inputs: Inputs, published: BatchPublished | None,
                recorded: RecordedBook | None, bt: BacktestDay) -> DayVersus:
    day = bt.trade_date
    ours = bt_orders(bt)
    if published is None or recorded is None:
        why = "no published batch" if published is None else "no recorded book"
        return DayVersus(day, "not compared", 0 if published is None else len(published.orders),
                         len(ours), explanation=[why])
    differences = compare_orders(day, lead_orders(published), ours)
    if not differences:
        return DayVersus(day, "equal", len(published.orders), len(ours))
    status, explanation = explain(inputs, recorded, bt)
    return DayVersus(day, status, len(published.orders), len(ours), differences, explanation)


def bt_orders(bt: BacktestDay) -> list[Any]:
    return to_bus_batch(bt.batch, EPOCH).orders


def explain(inputs: Inputs, recorded: RecordedBook, bt: BacktestDay) -> tuple[str, list[str]]:
    quantities, conventions = book_differences(recorded.book, bt.book)
    try:
        again = rerun(inputs.store, RecordedBook(recorded.signal_date, bt.trade_date, bt.book),
                      inputs.config, override=False)
    except Exception as exc:  # the backtest does not apply the sell guard
        return "unexplained", [f"the model on the backtest's book failed: "
                               f"{type(exc).__name__}: {exc}"]
    not_book = compare_orders(bt.trade_date, again.orders, bt_orders(bt))
    if not_book:
        return "unexplained", ["the model on the backtest's book with the desk's data does "
                               "not give the backtest's batch:", *not_book[:10]]
    if not quantities:
        return "unexplained", ["the books differ only in " + (", ".join(conventions) or
                                                               "nothing")]
    return "explained", [*quantities, *conventions, *fills_behind(inputs.history, quantities)]


def book_differences(live: Book, backtest: Book) -> tuple[list[str], list[str]]:
    """(cash and share differences, convention differences) between two books."""
    out = []
    if live.cash != backtest.cash:
        out.append(f"cash: live {live.cash:,.2f}, backtest {backtest.cash:,.2f} "
                   f"({live.cash - backtest.cash:+,.2f})")
    conventions = []
    for symbol in sorted(live.holdings.keys() | backtest.holdings.keys()):
        a, b = live.holdings.get(symbol), backtest.holdings.get(symbol)
        qa, qb = (a.quantity if a else 0), (b.quantity if b else 0)
        if qa != qb:
            out.append(f"{symbol}: live holds {qa:,}, backtest {qb:,}")
        elif a and b and (a.holding_days, a.sellable) != (b.holding_days, b.sellable):
            conventions.append(f"{symbol} holding days/sellable: live {a.holding_days}/"
                               f"{a.sellable}, backtest {b.holding_days}/{b.sellable}")
    return out, _summarised(conventions)


def _summarised(lines: list[str], keep: int = 3) -> list[str]:
    if len(lines) <= keep:
        return lines
    return [*lines[:keep], f"... and {len(lines) - keep} more holdings differ in holding "
                           "days/sellable"]


def fills_behind(history: list[tuple[LiveDay, BacktestDay]], lines: list[str]) -> list[str]:
    """The latest earlier fill of each symbol named in `lines` that differed."""
    symbols = [line.split(":")[0] for line in lines if not line.startswith("cash")]
    out = []
    for symbol in symbols:
        for live, bt in reversed(history):
            found = _fill_difference(symbol, live.stocks, bt.traded(), live.day)
            if found:
                out.append(found)
                break
    return out


def _fill_difference(symbol: str, live: dict[TradeKey, Traded],
                     backtest: dict[TradeKey, Traded], day: date) -> str | None:
    for side in ("buy", "sell"):
        a, b = live.get((symbol, side), Traded()), backtest.get((symbol, side), Traded())
        if a.quantity != b.quantity:
            return (f"{day} {symbol} {side}: live filled {a.quantity:,} of {a.ordered:,}, "
                    f"backtest {b.quantity:,} of {b.ordered:,}")
    return None
