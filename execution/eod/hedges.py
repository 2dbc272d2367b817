"""The futures hedges held at the close and what their basis costs (from `risk.basis`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from exchange import future_spec
from execution.ledger import FutureHolding
from marketdata.errors import MissingData
from marketdata.store import MarketStore
from risk.basis import annualised_basis, cost_to_expiry, monthly_cost
from risk.contracts import ContractDays, ExpiryCalendar, calendar_days_left, parse_contract
from risk.market_inputs import listed_expiries


@dataclass(frozen=True)
class HedgeLine:
    symbol: str
    short_lots: int
    avg_price: Decimal
    close: Decimal | None
    index: float | None
    days_to_expiry: int | None
    annual_basis: float | None  # negative = discount
    monthly_cost: Decimal | None  # CNY per month at this basis (positive = the short pays)
    cost_to_expiry: Decimal | None  # CNY if the discount converges by expiry
    note: str = ""


def report_expiries(calendar: ExpiryCalendar, bars: pd.DataFrame) -> ContractDays:
    """Expiries as the exchange listed them in `bars` (the store's futures table), the
    third-Friday rule only where the calendar covers it."""
    return ContractDays(calendar, listed_expiries(bars))


def store_expiries(calendar: ExpiryCalendar, store: MarketStore, day: date) -> ContractDays:
    """`report_expiries` from the store's last ten days of futures bars up to `day`."""
    try:
        bars = store.load_futures(day - timedelta(days=10), day)
    except MissingData:  # no futures table or no recent bars: the rule alone
        bars = pd.DataFrame(columns=["symbol", "expiry"])
    return report_expiries(calendar, bars)


def hedge_lines(futures: Mapping[str, FutureHolding], prices: Mapping[str, Decimal],
                index: float | None, day: date, calendar: ExpiryCalendar) -> list[HedgeLine]:
    return [_line(symbol, held, prices.get(symbol), index, day, calendar)
            for symbol, held in sorted(futures.items()) if held.short]


def _line(symbol: str, held: FutureHolding, close: Decimal | None, index: float | None,
          day: date, calendar: ExpiryCalendar) -> HedgeLine:
    base = HedgeLine(symbol, held.short, held.avg_price, close, index, None, None, None, None)
    if close is None or index is None:
        return _with_note(base, "no closing price" if close is None else "no CSI 1000 close")
    try:
        days = calendar_days_left(parse_contract(symbol, calendar), day)
    except Exception as exc:  # an expiry the calendar does not cover: say so, keep the rest
        return _with_note(base, str(exc))
    multiplier = future_spec(symbol).multiplier
    basis = annualised_basis(float(close), index, days)
    notional = close * multiplier * held.short
    return HedgeLine(symbol, held.short, held.avg_price, close, index, days, basis,
                     monthly_cost(notional, basis),
                     cost_to_expiry(held.short, close, index, multiplier))


def _with_note(line: HedgeLine, note: str) -> HedgeLine:
    return HedgeLine(line.symbol, line.short_lots, line.avg_price, line.close, line.index,
                     None, None, None, None, note)
