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
- corporate_actions: on an ex-date, the shares both sides held before it times
  (adjustment ratio - 1) at the close, live minus backtest (the backtest's own
  booking: dividends reinvested as whole shares);
- fees: backtest fees - live fees (stocks);
- futures: the change in the live desk's open futures P&L less its hedge fees (the
  backtest compared with is unhedged);
- residual: whatever the change of the difference is besides: how the broker books a
  corporate action otherwise (cash dividends, their tax), realised futures P&L of a
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

CAUSES = ("fill_price", "fill_quantity", "carried_positions", "corporate_actions", "fees",
          "futures", "residual")


@dataclass
class DaySplit:
    day: date
    live_nav: float | None
    backtest_nav: float
    difference: float | None
    parts: dict[str, float] = field(default_factory=dict)
    ex_dates: list[str] = field(default_factory=list)  # held stocks adjusted that day

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "live_nav": self.live_nav,
                "backtest_nav": self.backtest_nav, "difference": self.difference,
                "parts": {k: round(v, 2) for k, v in self.parts.items()},
                "ex_dates": list(self.ex_dates)}


@dataclass(frozen=True)
class DayInputs:
    live: LiveDay
    live_book: Book | None
    live_nav: NavRecord | None
    bt: BacktestDay
    bt_nav: float


@dataclass(frozen=True)
class Prices:
    """The store's closes and adjustment factors (trade dates x symbols), the day before
    the first trade date included."""

    close: pd.DataFrame
    adj_factor: pd.DataFrame | None = None

    def day(self, on: date) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(closes of `on`, closes of the day before, adjustment ratio of `on`)."""
        row = int(self.close.index.searchsorted(pd.Timestamp(on)))
        today, before = _row(self.close, row), _row(self.close, row - 1)
        if self.adj_factor is None:
            return today, before, pd.Series(dtype=float)
        return today, before, _row(self.adj_factor, row) / _row(self.adj_factor, row - 1)


def split_days(days: list[DayInputs], prices: Prices) -> list[DaySplit]:
    """One split per day; a day without a live NAV has none and the next day's
    residual carries it."""
    out: list[DaySplit] = []
    last_diff, last_futures = 0.0, 0.0
    for inputs in days:
        today, before, ratio = prices.day(inputs.bt.trade_date)
        nav = inputs.live_nav
        if nav is None:
            out.append(DaySplit(inputs.bt.trade_date, None, inputs.bt_nav, None))
            continue
        diff = float(nav.nav) - inputs.bt_nav
        futures = float(nav.futures_pnl)
        parts = _trade_parts(inputs.live.stocks, inputs.bt.traded(), today)
        parts["carried_positions"], parts["corporate_actions"] = _carried(
            inputs.live_book, inputs.bt.book, today, before, ratio)
        parts["fees"] = float(sum((t.fees for t in inputs.bt.traded().values()), Decimal(0))
                              - sum((t.fees for t in inputs.live.stocks.values()), Decimal(0)))
        parts["futures"] = futures - last_futures - float(inputs.live.hedge_fees)
        explained = sum(parts.values())
        parts["residual"] = (diff - last_diff) - explained
        out.append(DaySplit(inputs.bt.trade_date, float(nav.nav), inputs.bt_nav, diff, parts,
                            _adjusted(inputs, ratio)))
        last_diff, last_futures = diff, futures
    return out


def _adjusted(inputs: DayInputs, ratio: pd.Series) -> list[str]:
    """Held stocks (on either side) whose adjustment factor moved that day: an ex-date."""
    held = set(inputs.bt.book.holdings) | set(inputs.live_book.holdings if inputs.live_book
                                              else ())
    return sorted(s for s in held if math.isfinite(_price(ratio, s)) and _price(ratio, s) != 1.0)


def _row(frame: pd.DataFrame, row: int) -> pd.Series:
    return frame.iloc[row] if 0 <= row < len(frame) else pd.Series(dtype=float)


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


def _carried(live: Book | None, bt: Book, today: pd.Series, before: pd.Series,
             ratio: pd.Series) -> tuple[float, float]:
    """(carried positions, corporate actions). The live book was recorded the evening
    before, ahead of an ex-date; the backtest's book is after the day's actions, so its
    shares are taken back to before them (/ ratio). Both sides' action is valued as the
    backtest books it, (ratio - 1) x shares at the close; what a real broker does
    otherwise (cash dividends, their tax, whole shares) is left to the residual."""
    if live is None:
        return 0.0, 0.0  # not known: the residual carries it
    carried = actions = 0.0
    for symbol in live.holdings.keys() | bt.holdings.keys():
        step = _price(ratio, symbol)
        step = step if math.isfinite(step) and step > 0 else 1.0
        bt_before = bt.quantity(symbol) / step
        gap = live.quantity(symbol) - bt_before
        move = _price(today, symbol) - _price(before, symbol)
        if gap and math.isfinite(move):
            carried += gap * move
        if step != 1.0 and math.isfinite(_price(today, symbol)):
            actions += (live.quantity(symbol) * (step - 1.0)
                        - (bt.quantity(symbol) - bt_before)) * _price(today, symbol)
    return carried, actions


def totals(splits: list[DaySplit]) -> dict[str, float]:
    """Each cause summed over the run (they add up to the last day's difference)."""
    return {cause: round(sum(s.parts.get(cause, 0.0) for s in splits), 2) for cause in CAUSES}
