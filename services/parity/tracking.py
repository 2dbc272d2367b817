"""The NAV tracking difference (live minus backtest) split into its causes, day by day.

For a day t, with h the shares held at the start of the day, c the closes, and the
day's trades per (symbol, side) of quantity q at average price p:

    NAV_t - NAV_t-1 = sum h (c_t - c_t-1) + sum trades to the close - fees + futures + other

Taking live minus backtest, term by term:

- carried_positions: sum (h_live - h_bt)(c_t - c_t-1), the positions held differently
  because of earlier fills;
- fill_price: on the shares both sides traded (m = min(q_live, q_bt)),
  m (p_bt - p_live) for a buy, m (p_live - p_bt) for a sell;
- fill_quantity: the shares one side traded and the other did not (partial fills,
  expiries, and the different orders they lead to), valued from their fill price to
  the close: (q_live - m)(c - p_live) - (q_bt - m)(c - p_bt) for a buy, reversed for a sell;
- fees: backtest fees - live fees (stocks);
- futures: the change in the live desk's open futures P&L less its hedge fees (the
  backtest compared with is unhedged);
- residual: whatever the change of the difference is besides; corporate actions
  (dividends, bonus shares valued at unadjusted closes), realised futures P&L of a
  closed hedge, valuation prices other than the store's close.

The split is exact by construction (the residual closes it); how much falls in the
residual says how good the other terms are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from execution.eod.nav_series import NavRecord
from services.parity.live import LiveDay, Traded
from services.parity.versus import BacktestDay
from strategies.portfolio_state import Book

CAUSES = ("fill_price", "fill_quantity", "carried_positions", "fees", "futures", "residual")


@dataclass
class DaySplit:
    day: date
    live_nav: float | None
    backtest_nav: float
    difference: float | None
    parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "live_nav": self.live_nav,
                "backtest_nav": self.backtest_nav, "difference": self.difference,
                "parts": {k: round(v, 2) for k, v in self.parts.items()}}


@dataclass(frozen=True)
class DayInputs:
    live: LiveDay
    live_book: Book | None
    live_nav: NavRecord | None
    bt: BacktestDay
    bt_nav: float


def split_days(days: list[DayInputs], closes: pd.DataFrame) -> list[DaySplit]:
    """One split per day; a day without a live NAV has none and the next day's
    residual carries it."""
    out: list[DaySplit] = []
    last_diff, last_futures = 0.0, 0.0
    for inputs in days:
        row = int(closes.index.searchsorted(pd.Timestamp(inputs.bt.trade_date)))
        today, before = _row(closes, row), _row(closes, row - 1)
        nav = inputs.live_nav
        if nav is None:
            out.append(DaySplit(inputs.bt.trade_date, None, inputs.bt_nav, None))
            continue
        diff = float(nav.nav) - inputs.bt_nav
        futures = float(nav.futures_pnl)
        parts = _trade_parts(inputs.live.stocks, inputs.bt.traded(), today)
        parts["carried_positions"] = _carried(inputs.live_book, inputs.bt.book, today, before)
        parts["fees"] = float(sum((t.fees for t in inputs.bt.traded().values()), Decimal(0))
                              - sum((t.fees for t in inputs.live.stocks.values()), Decimal(0)))
        parts["futures"] = futures - last_futures - float(inputs.live.hedge_fees)
        explained = sum(parts.values())
        parts["residual"] = (diff - last_diff) - explained
        out.append(DaySplit(inputs.bt.trade_date, float(nav.nav), inputs.bt_nav, diff, parts))
        last_diff, last_futures = diff, futures
    return out


def _row(closes: pd.DataFrame, row: int) -> pd.Series:
    return closes.iloc[row] if 0 <= row < len(closes) else pd.Series(dtype=float)


def _price(series: pd.Series, symbol: str) -> float:
    value = float(series.get(symbol, math.nan))
    return value if math.isfinite(value) else math.nan


def _trade_parts(live: dict[tuple[str, str], Traded], bt: dict[tuple[str, str], Traded],
                 close: pd.Series) -> dict[str, float]:
    price_part = quantity_part = 0.0
    for key in live.keys() | bt.keys():
        symbol, side = key
        a, b = live.get(key, Traded()), bt.get(key, Traded())
        c = _price(close, symbol)
        if math.isnan(c) or (a.quantity == 0 and b.quantity == 0):
            continue
        sign = 1.0 if side == "buy" else -1.0
        pa = float(a.price) if a.price is not None else c
        pb = float(b.price) if b.price is not None else c
        common = min(a.quantity, b.quantity)
        price_part += sign * common * (pb - pa)
        quantity_part += sign * ((a.quantity - common) * (c - pa)
                                 - (b.quantity - common) * (c - pb))
    return {"fill_price": price_part, "fill_quantity": quantity_part}


def _carried(live: Book | None, bt: Book, today: pd.Series, before: pd.Series) -> float:
    if live is None:
        return 0.0  # not known: the residual carries it
    total = 0.0
    for symbol in live.holdings.keys() | bt.holdings.keys():
        gap = live.quantity(symbol) - bt.quantity(symbol)
        move = _price(today, symbol) - _price(before, symbol)
        if gap and math.isfinite(move):
            total += gap * move
    return total


def totals(splits: list[DaySplit]) -> dict[str, float]:
    """Each cause summed over the run (they add up to the last day's difference)."""
    return {cause: round(sum(s.parts.get(cause, 0.0) for s in splits), 2) for cause in CAUSES}
