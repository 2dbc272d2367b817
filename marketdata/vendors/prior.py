"""What the store holds for the trade date before the fetched one."""

from __future__ import annotations

from datetime import date

from marketdata.calendar import TradingCalendar
from marketdata.errors import MissingData
from marketdata.store import MarketStore
from marketdata.vendors.tushare import Prior

FIELDS = ["adj_factor", "total_shares", "float_shares", "total_mcap"]


def prior_day(store: MarketStore, calendar: TradingCalendar, day: date) -> Prior | None:
    """Shares, factors and caps of the previous trading day, and its micro-cap level;
    None when the store does not hold that day (a first import, or a gap)."""
    before = calendar.previous_trading_day(day)
    if before not in set(store.trade_dates()):
        return None
    try:
        shares = store.load_panel(before, 1, FIELDS).on(before)
    except MissingData:
        return None
    try:
        level: float | None = float(store.load_index(before, before)["microcap"].iloc[-1])
    except (MissingData, IndexError, KeyError):
        level = None
    return Prior(shares.dropna(how="all"), level)
